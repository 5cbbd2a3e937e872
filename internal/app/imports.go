package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// Import limits and sizes.
const (
	// importChunk is how many events one InsertTimelineEvents call takes.
	importChunk = 5000
	// PreviewEvents is how many events a dry run shows.
	PreviewEvents = 20
	// MaxRejections is how many rejections a report lists (all are counted).
	MaxRejections = 1000
	// progressEvery is how often Progress hears of parsed events.
	progressEvery = 1000
)

// ErrImportUndone is wrapped by the error of undoing a batch twice; it is a
// conflict (409).
var ErrImportUndone = fmt.Errorf("import batch was already undone: %w", incident.ErrConflict)

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ImportOptions are the choices of one import into a timeline.
type ImportOptions struct {
	// Options go to the parser (channels, location, mapping, call start).
	importers.Options
	// From and To bound the events kept (inclusive). When both are nil the
	// window is the incident's start − 1h to its resolution + 1h, each side
	// only when known.
	From, To *time.Time
	// ThreadsTouchingWindow keeps whole threads of which any message falls
	// in the window.
	ThreadsTouchingWindow bool
	// DryRun parses and counts (duplicates included) and writes nothing.
	DryRun bool
	// SkipInvalid imports the readable records when some were rejected;
	// without it any rejection fails the import with *ImportRejectedError.
	SkipInvalid bool
	// FileName and SHA256 describe the input for the batch; SHA256 is
	// computed here for single-file inputs when empty.
	FileName string
	SHA256   string
	// Progress, when set, hears the number of events parsed so far.
	Progress func(parsed int)
	// Pulled says the events come from a tool's API (a pull), so links
	// found note when they were last pulled.
	Pulled bool
	// OpenWindow keeps events whenever they happened when From and To are
	// nil (tickets, status pages); importers.Unwindowed importers set it.
	OpenWindow bool
}

// ImportReport tells what an import did (or, for a dry run, would do).
type ImportReport struct {
	// Batch is the stored batch; its ID is 0 for a dry run.
	Batch incident.ImportBatch
	// DryRun says nothing was written.
	DryRun bool
	// Parsed counts the valid events the parser produced (rejected ones
	// are in Rejected).
	Parsed     int
	Added      int
	Duplicates int
	// Rejected counts records the parser could not read and events that
	// failed validation.
	Rejected int
	// Filtered counts events outside the time window.
	Filtered int
	// Preview holds the first PreviewEvents events kept (in parse order),
	// sorted by time.
	Preview []incident.TimelineEvent
	// Rejections lists up to MaxRejections rejected records.
	Rejections []importers.Rejection
}

// ImportRejectedError is returned when records were rejected and the import
// did not ask to skip them; nothing was written.
type ImportRejectedError struct {
	Rejected   int
	Rejections []importers.Rejection
}

// Error implements error.
func (e *ImportRejectedError) Error() string {
	msg := strconv.Itoa(e.Rejected) + " record(s) could not be read; nothing was imported (use skip-invalid to import the rest)"
	if len(e.Rejections) > 0 {
		msg += ": first: " + FormatRejection(e.Rejections[0])
	}
	return msg
}

// ParseError says the importer could not read the input at all (not an
// export of that source, truncated, unreadable); nothing was written.
type ParseError struct {
	File string
	Err  error
}

// Error implements error.
func (e *ParseError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap exposes the parser's error.
func (e *ParseError) Unwrap() error { return e.Err }

// FormatRejection renders a rejection as "file:line: field: reason".
func FormatRejection(r importers.Rejection) string {
	s := r.File
	if r.Line > 0 {
		s += ":" + strconv.Itoa(r.Line)
	}
	if r.Field != "" {
		s += ": " + r.Field
	}
	return s + ": " + r.Reason
}

// ImportTimeline parses in with imp and stores the events in ref's timeline
// as one import batch, in one transaction: events already there (same
// source and external id) are counted as duplicates, so importing the same
// file again adds nothing. Events are stored in chunks while the parser
// runs (see importSink), so a large export is never held in memory whole;
// a rejection without SkipInvalid, a parse error or a dry run rolls the
// transaction back.
func (a *App) ImportTimeline(ctx context.Context, ref string, imp importers.Importer, in importers.Input, opts ImportOptions) (ImportReport, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return ImportReport{}, err
	}
	if opts.From != nil && opts.To != nil && opts.To.Before(*opts.From) {
		return ImportReport{}, incident.Invalid("to", "must not be before from")
	}
	if opts.FileName == "" {
		opts.FileName = in.Name
	}
	if _, ok := imp.(importers.Unwindowed); ok {
		opts.OpenWindow = true
	}
	if opts.SHA256 == "" && in.Open != nil {
		if opts.SHA256, err = hashInput(in); err != nil {
			return ImportReport{}, fmt.Errorf("read %s: %w", in.Name, err)
		}
	}
	from, to := importWindow(inc, opts)
	var rep ImportReport
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		// The lock makes overlapping imports into one incident take turns.
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		b := incident.ImportBatch{
			IncidentID: inc.ID, Source: imp.Source(), FileName: opts.FileName, SHA256: opts.SHA256,
			WindowFrom: from, WindowTo: to, CreatedBy: incident.ActorFrom(ctx).Name, CreatedAt: a.Now(),
		}
		if err := tx.CreateImportBatch(ctx, &b); err != nil {
			return err
		}
		now := a.Now()
		sink := &importSink{ctx: ctx, source: imp.Source(), file: opts.FileName, from: from, to: to,
			threads: opts.ThreadsTouchingWindow, touching: map[string]bool{}, progress: opts.Progress, links: linkCollector{}}
		// A rejection dooms an import that does not skip them: parse on to
		// list every rejection, but store nothing more.
		sink.discard = func() bool { return sink.rejected > 0 && !opts.SkipInvalid && !opts.DryRun }
		sink.store = func(chunk []incident.TimelineEvent) ([]incident.TimelineEvent, int, error) {
			for i := range chunk {
				chunk[i].ImportBatchID = &b.ID
				chunk[i].CreatedAt, chunk[i].UpdatedAt = now, now
			}
			return tx.InsertTimelineEvents(ctx, inc.ID, chunk)
		}
		if err := imp.Parse(ctx, in, opts.Options, sink); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &ParseError{File: opts.FileName, Err: err}
		}
		if err := sink.finish(); err != nil {
			return err
		}
		if sink.discard() {
			return &ImportRejectedError{Rejected: sink.rejected, Rejections: sink.rejections}
		}
		b.Added, b.Duplicates, b.Rejected = sink.added, sink.duplicates, sink.rejected
		rep = ImportReport{Batch: b, DryRun: opts.DryRun, Parsed: sink.parsed, Added: sink.added,
			Duplicates: sink.duplicates, Rejected: sink.rejected, Filtered: sink.filtered,
			Preview: sink.preview, Rejections: sink.rejections}
		if opts.DryRun {
			return errDryRun
		}
		if err := tx.SetImportBatchCounts(ctx, b.ID, b.Added, b.Duplicates, b.Rejected); err != nil {
			return err
		}
		// The tickets imported are remembered, so they can be pulled again.
		if err := tx.AddLinks(ctx, inc.ID, sink.links.list(), now, opts.Pulled); err != nil {
			return err
		}
		// What customers were told (a status page) becomes the incident's
		// customer impact when nobody has written one.
		if sink.publicText != "" && strings.TrimSpace(inc.CustomerImpact) == "" {
			inc.CustomerImpact = sink.publicText
			if len([]rune(inc.CustomerImpact)) > incident.MaxSummary {
				inc.CustomerImpact = string([]rune(inc.CustomerImpact)[:incident.MaxSummary])
			}
			updated, err := tx.UpdateIncident(ctx, inc, inc.Version, []string{"customer_impact"})
			if err != nil {
				return err
			}
			if err := a.record(ctx, tx, "incident.update", incident.ObjectIncident, inc.ID, inc.ID, incident.OpUpsert,
				"customer impact from "+b.Source+" "+b.FileName); err != nil {
				return err
			}
			inc = updated
		}
		detail := fmt.Sprintf("%s %s: %d added, %d duplicates, %d rejected, %d filtered",
			b.Source, b.FileName, rep.Added, rep.Duplicates, rep.Rejected, rep.Filtered)
		return a.record(ctx, tx, "import.create", incident.ObjectImportBatch, b.ID, inc.ID, incident.OpUpsert, detail)
	})
	if opts.DryRun && errors.Is(err, errDryRun) {
		// The dry run stored everything to count duplicates exactly, then
		// rolled back.
		rep.Batch.ID = 0
		err = nil
	}
	if err != nil {
		return ImportReport{}, err
	}
	if rep.Preview == nil {
		rep.Preview = []incident.TimelineEvent{}
	}
	// Shown in time order, whatever order the source lists them in
	// (PagerDuty's log entries come newest first).
	sort.SliceStable(rep.Preview, func(i, j int) bool { return rep.Preview[i].OccurredAt.Before(rep.Preview[j].OccurredAt) })
	if rep.Rejections == nil {
		rep.Rejections = []importers.Rejection{}
	}
	return rep, nil
}

// hashInput returns the hex sha256 of a single-file input.
func hashInput(in importers.Input) (string, error) {
	rc, err := in.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// importWindow is the window asked for, or by default the incident's start
// − 1h to its resolution + 1h (each side only when known).
func importWindow(inc incident.Incident, opts ImportOptions) (from, to *time.Time) {
	if opts.From != nil || opts.To != nil || opts.OpenWindow {
		return utcPtr(opts.From), utcPtr(opts.To)
	}
	if inc.StartedAt != nil {
		t := inc.StartedAt.Add(-time.Hour).UTC()
		from = &t
	}
	if inc.ResolvedAt != nil {
		t := inc.ResolvedAt.Add(time.Hour).UTC()
		to = &t
	}
	return from, to
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ImportBatches lists the imports into ref's timeline, oldest first.
func (a *App) ImportBatches(ctx context.Context, ref string) ([]incident.ImportBatch, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	return a.store.ImportBatches(ctx, inc.ID)
}

// UndoImport removes exactly the events batch id added and marks it undone.
// Undoing twice fails with ErrImportUndone.
func (a *App) UndoImport(ctx context.Context, id int64) (incident.ImportBatch, error) {
	var out incident.ImportBatch
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		b, err := tx.ImportBatch(ctx, id)
		if err != nil {
			return notFoundAs(err, "import_batch", strconv.FormatInt(id, 10))
		}
		inc, err := tx.LockIncident(ctx, b.IncidentID)
		if err != nil {
			return notFoundAs(err, "import_batch", strconv.FormatInt(id, 10))
		}
		if err := visible(ctx, inc, "import_batch", strconv.FormatInt(id, 10)); err != nil {
			return err
		}
		if b.UndoneAt != nil {
			return fmt.Errorf("import batch %d (undone %s): %w", id, b.UndoneAt.UTC().Format(time.RFC3339), ErrImportUndone)
		}
		ids, err := tx.UndoImportBatch(ctx, id)
		if err != nil {
			return err
		}
		chs := make([]incident.Change, len(ids))
		for i, evID := range ids {
			chs[i] = incident.Change{ObjectType: incident.ObjectTimelineEvent, ObjectID: evID,
				IncidentID: b.IncidentID, Op: incident.OpDelete, CreatedAt: a.Now()}
		}
		if err := tx.AppendChanges(ctx, chs...); err != nil {
			return err
		}
		if out, err = tx.ImportBatch(ctx, id); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s %s: %d events removed", b.Source, b.FileName, len(ids))
		return a.record(ctx, tx, "import.undo", incident.ObjectImportBatch, id, b.IncidentID, incident.OpDelete, detail)
	})
	return out, err
}
