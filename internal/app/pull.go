package app

import (
	"context"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// PullFunc fetches a source's messages posted in [from, to] (a nil end is
// open) from its API and hands them to sink, as a parser would.
type PullFunc func(ctx context.Context, from, to *time.Time, sink importers.Sink) error

// PullImporter adapts an API pull to importers.Importer, so a pull runs
// through the same pipeline as a file import (one transaction, batches,
// dedupe, window, dry run, undo). Its Parse ignores the input and options
// and calls Pull.
type PullImporter struct {
	// Name is the source, e.g. "slack".
	Name string
	// Pull fetches the events into sink.
	Pull func(ctx context.Context, sink importers.Sink) error
}

// Source implements importers.Importer.
func (p PullImporter) Source() string { return p.Name }

// Parse implements importers.Importer by running the pull.
func (p PullImporter) Parse(ctx context.Context, _ importers.Input, _ importers.Options, sink importers.Sink) error {
	return p.Pull(ctx, sink)
}

// PullTimeline pulls source's channels (named in the batch) into ref's
// timeline through ImportTimeline. A pull needs a window: opts.From/To, or
// by default the incident's start − 1h to its resolution + 1h; without
// either it fails naming "from". The batch's file name is
// "<source>:<channels> <from>..<to>" (minutes, UTC; an open end is empty)
// and the window is recorded in the batch. An error of pull (for example a
// *slack.PullError, reachable with errors.As) comes wrapped in *ParseError
// and nothing is written.
func (a *App) PullTimeline(ctx context.Context, ref, source string, channels []string, pull PullFunc, opts ImportOptions) (ImportReport, error) {
	if len(channels) == 0 {
		return ImportReport{}, incident.Invalid("channel", "at least one channel is required")
	}
	return a.pullInto(ctx, ref, source, channels, pull, opts)
}

// PullRecords pulls from an alert or ticket API (PagerDuty log entries,
// OpsGenie alert logs, Zabbix events) into ref's timeline, as PullTimeline
// does for chat: targets name what was pulled (vendor incident or alert
// ids) and may be empty when the pull reads the whole window.
func (a *App) PullRecords(ctx context.Context, ref, source string, targets []string, pull PullFunc, opts ImportOptions) (ImportReport, error) {
	return a.pullInto(ctx, ref, source, targets, pull, opts)
}

func (a *App) pullInto(ctx context.Context, ref, source string, channels []string, pull PullFunc, opts ImportOptions) (ImportReport, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return ImportReport{}, err
	}
	if opts.From != nil && opts.To != nil && opts.To.Before(*opts.From) {
		return ImportReport{}, incident.Invalid("to", "must not be before from")
	}
	from, to := importWindow(inc, opts)
	if from == nil && to == nil && !opts.OpenWindow {
		return ImportReport{}, incident.Invalid("from", "a pull needs a time window: the incident has no start or resolution time, so give from and/or to")
	}
	opts.From, opts.To, opts.Pulled = from, to, true
	opts.FileName = PullBatchName(source, channels, from, to)
	opts.SHA256 = ""
	imp := PullImporter{Name: source, Pull: func(ctx context.Context, sink importers.Sink) error {
		return pull(ctx, from, to, sink)
	}}
	return a.ImportTimeline(ctx, ref, imp, importers.Input{Name: opts.FileName}, opts)
}

// PullBatchName names a pull's batch, e.g.
// "slack:C123 2026-11-20T08:58Z..2026-11-20T11:40Z".
func PullBatchName(source string, channels []string, from, to *time.Time) string {
	const layout = "2006-01-02T15:04Z"
	end := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(layout)
	}
	return source + ":" + strings.Join(channels, ",") + " " + end(from) + ".." + end(to)
}
