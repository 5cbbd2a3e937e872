package app_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// fakeImporter hands over fixed events and rejections.
type fakeImporter struct {
	events     []incident.TimelineEvent
	rejections []importers.Rejection
}

func (fakeImporter) Source() string { return "fakechat" }

func (f fakeImporter) Parse(ctx context.Context, _ importers.Input, _ importers.Options, sink importers.Sink) error {
	for _, r := range f.rejections {
		sink.Reject(r)
	}
	for _, e := range f.events {
		if err := sink.Event(e); err != nil {
			return err
		}
	}
	return nil
}

// chat is a chat message at t0 + offset.
func chat(id string, offset time.Duration, thread string) incident.TimelineEvent {
	return incident.TimelineEvent{ExternalID: id, OccurredAt: t0.Add(offset), Kind: incident.KindChat,
		Actor: "Ada", Body: "message " + id, ThreadID: thread}
}

// chatExport: the incident runs t0 .. t0+2h, so the default window is
// t0−1h .. t0+3h. Thread T1 starts before the window and goes on inside it.
var chatExport = fakeImporter{events: []incident.TimelineEvent{
	chat("T1", -2*time.Hour, ""),
	chat("r1", 0, "T1"),
	chat("m2", 30*time.Minute, ""),
	chat("m3", 5*time.Hour, ""),
	chat("r2", 6*time.Hour, "T9"),
}}

var fakeInput = importers.Input{Name: "export.zip"}

func windowIncident(t *testing.T, a *app.App) incident.Incident {
	t.Helper()
	inc, err := a.CreateIncident(context.Background(), incident.Incident{Title: "Checkout errors",
		StartedAt: ptr(t0), ResolvedAt: ptr(t0.Add(2 * time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// externalIDs lists the external ids of ref's timeline, in time order.
func externalIDs(t *testing.T, a *app.App, ref string) []string {
	t.Helper()
	p, err := a.Timeline(context.Background(), ref, incident.TimelineFilter{Limit: 500, IncludeHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, e := range p.Items {
		ids = append(ids, e.ExternalID)
	}
	return ids
}

func TestApp_ImportTimelineWindow(t *testing.T) {
	tests := []struct {
		name         string
		opts         app.ImportOptions
		wantIDs      []string
		wantFiltered int
	}{
		{name: "default window from the incident", wantIDs: []string{"r1", "m2"}, wantFiltered: 3},
		{name: "threads touching the window", opts: app.ImportOptions{ThreadsTouchingWindow: true}, wantIDs: []string{"T1", "r1", "m2"}, wantFiltered: 2},
		{name: "explicit window", opts: app.ImportOptions{From: ptr(t0.Add(4 * time.Hour)), To: ptr(t0.Add(6 * time.Hour))}, wantIDs: []string{"m3", "r2"}, wantFiltered: 3},
		{name: "open ended from", opts: app.ImportOptions{From: ptr(t0.Add(10 * time.Minute))}, wantIDs: []string{"m2", "m3", "r2"}, wantFiltered: 2},
	}
	forEachDB(t, func(t *testing.T, a *app.App) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				inc := windowIncident(t, a)
				rep, err := a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Added != len(tt.wantIDs) || rep.Filtered != tt.wantFiltered || rep.Parsed != 5 || rep.Batch.ID == 0 {
					t.Errorf("report = %+v", rep)
				}
				if got := externalIDs(t, a, inc.Key); !slices.Equal(got, tt.wantIDs) {
					t.Errorf("timeline = %v, want %v", got, tt.wantIDs)
				}
			})
		}
	})
}

func TestApp_ImportTimelineBatches(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := incident.WithActor(context.Background(), incident.Actor{Name: "grace"})
		inc := windowIncident(t, a)
		if _, err := a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "typed by hand", ExternalID: "note-1"}}); err != nil {
			t.Fatal(err)
		}
		before := externalIDs(t, a, inc.Key)

		// A dry run counts and shows, and writes nothing.
		dry, err := a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, app.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if !dry.DryRun || dry.Batch.ID != 0 || dry.Added != 2 || len(dry.Preview) != 2 || dry.Preview[0].ExternalID != "r1" {
			t.Errorf("dry run report = %+v", dry)
		}
		if got := externalIDs(t, a, inc.Key); !slices.Equal(got, before) {
			t.Fatalf("dry run wrote: %v", got)
		}
		if bs, _ := a.ImportBatches(ctx, inc.Key); len(bs) != 0 {
			t.Fatalf("dry run stored batches: %+v", bs)
		}

		first, err := a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, app.ImportOptions{SHA256: "abc"})
		if err != nil {
			t.Fatal(err)
		}
		b := first.Batch
		if first.Added != 2 || b.Added != 2 || b.Source != "fakechat" || b.FileName != "export.zip" || b.SHA256 != "abc" ||
			b.CreatedBy != "grace" || b.WindowFrom == nil || !b.WindowFrom.Equal(t0.Add(-time.Hour)) || b.WindowTo == nil {
			t.Errorf("first import = %+v", first)
		}
		// Importing the same file again adds nothing.
		again, err := a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, app.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Added != 0 || again.Duplicates != 2 {
			t.Errorf("re-import = %+v", again)
		}
		bs, err := a.ImportBatches(ctx, inc.Key)
		if err != nil || len(bs) != 2 || bs[0].ID != b.ID || bs[1].Duplicates != 2 {
			t.Fatalf("batches = %+v, %v", bs, err)
		}
		for _, e := range mustTimeline(t, a, inc.Key) {
			if e.Source == "fakechat" && (e.ImportBatchID == nil || *e.ImportBatchID != b.ID) {
				t.Errorf("event %s has batch %v, want %d", e.ExternalID, e.ImportBatchID, b.ID)
			}
		}

		// Undo gives the timeline back as it was.
		undone, err := a.UndoImport(ctx, b.ID)
		if err != nil || undone.UndoneAt == nil {
			t.Fatalf("undo = %+v, %v", undone, err)
		}
		if got := externalIDs(t, a, inc.Key); !slices.Equal(got, before) {
			t.Errorf("after undo timeline = %v, want %v", got, before)
		}
		if _, err := a.UndoImport(ctx, b.ID); !errors.Is(err, app.ErrImportUndone) || !errors.Is(err, incident.ErrConflict) {
			t.Errorf("second undo: %v", err)
		}
		if _, err := a.UndoImport(ctx, 9999); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("undo unknown: %v", err)
		}
		// After the undo, the same file imports again.
		if rep, err := a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, app.ImportOptions{}); err != nil || rep.Added != 2 {
			t.Errorf("import after undo = %+v, %v", rep, err)
		}
	})
}

func mustTimeline(t *testing.T, a *app.App, ref string) []incident.TimelineEvent {
	t.Helper()
	p, err := a.Timeline(context.Background(), ref, incident.TimelineFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func TestApp_ImportTimelineRejections(t *testing.T) {
	broken := fakeImporter{
		events: append(slices.Clone(chatExport.events),
			incident.TimelineEvent{ExternalID: "nobody", OccurredAt: t0, Body: "  "}), // no text
		rejections: []importers.Rejection{{File: "general/2026-11-20.json", Line: 7, Field: "ts", Reason: "is missing"}},
	}
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := windowIncident(t, a)
		_, err := a.ImportTimeline(ctx, inc.Key, broken, fakeInput, app.ImportOptions{})
		var rej *app.ImportRejectedError
		if !errors.As(err, &rej) || rej.Rejected != 2 || len(rej.Rejections) != 2 {
			t.Fatalf("err = %v, want 2 rejections", err)
		}
		if got := app.FormatRejection(rej.Rejections[0]); got != "general/2026-11-20.json:7: ts: is missing" {
			t.Errorf("first rejection = %q", got)
		}
		if r := rej.Rejections[1]; r.File != "export.zip" || r.Field != "body" || !strings.Contains(r.Reason, "event nobody: is required") {
			t.Errorf("second rejection = %+v", r)
		}
		if got := externalIDs(t, a, inc.Key); len(got) != 0 {
			t.Fatalf("rejected import wrote %v", got)
		}
		if bs, _ := a.ImportBatches(ctx, inc.Key); len(bs) != 0 {
			t.Fatalf("rejected import stored batches: %+v", bs)
		}

		rep, err := a.ImportTimeline(ctx, inc.Key, broken, fakeInput, app.ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 2 || rep.Rejected != 2 || rep.Batch.Rejected != 2 || len(rep.Rejections) != 2 {
			t.Errorf("report = %+v", rep)
		}
		if _, err := a.ImportTimeline(ctx, "INC-404", broken, fakeInput, app.ImportOptions{}); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("unknown incident: %v", err)
		}
		if _, err := a.ImportTimeline(ctx, inc.Key, chatExport, fakeInput, app.ImportOptions{From: ptr(t0), To: ptr(t0.Add(-time.Hour))}); err == nil || !strings.Contains(err.Error(), "to:") {
			t.Errorf("reversed window: %v", err)
		}
	})
}

// failingImporter cannot read its input.
type failingImporter struct{}

func (failingImporter) Source() string { return "fakechat" }

func (failingImporter) Parse(context.Context, importers.Input, importers.Options, importers.Sink) error {
	return errors.New("users.json: unexpected end of JSON input")
}

func TestApp_ImportTimelineUnreadable(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		inc := windowIncident(t, a)
		_, err := a.ImportTimeline(context.Background(), inc.Key, failingImporter{}, fakeInput, app.ImportOptions{})
		var perr *app.ParseError
		if !errors.As(err, &perr) || err.Error() != "export.zip: users.json: unexpected end of JSON input" {
			t.Fatalf("err = %v", err)
		}
		if bs, _ := a.ImportBatches(context.Background(), inc.Key); len(bs) != 0 {
			t.Errorf("failed import stored batches: %+v", bs)
		}
	})
}

// manyImporter emits n chat messages a second apart from t0, repeating
// every external id twice (across chunks), and optionally rejects a record
// at the very end.
type manyImporter struct {
	n          int
	rejectLast bool
}

func (manyImporter) Source() string { return "fakechat" }

func (m manyImporter) Parse(ctx context.Context, _ importers.Input, _ importers.Options, sink importers.Sink) error {
	for i := range m.n {
		id := "m" + strconv.Itoa(i%(m.n/2))
		if err := sink.Event(chat(id, time.Duration(i)*time.Second, "")); err != nil {
			return err
		}
	}
	if m.rejectLast {
		sink.Reject(importers.Rejection{Line: m.n + 1, Reason: "truncated"})
	}
	return nil
}

func TestApp_ImportTimelineChunks(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := windowIncident(t, a)
		window := app.ImportOptions{From: ptr(t0), To: ptr(t0.Add(24 * time.Hour))}
		// The rejection comes after several chunks were stored: all of them
		// are rolled back.
		_, err := a.ImportTimeline(ctx, inc.Key, manyImporter{n: 12000, rejectLast: true}, fakeInput, window)
		var rej *app.ImportRejectedError
		if !errors.As(err, &rej) || rej.Rejections[0].File != "export.zip" || rej.Rejections[0].Line != 12001 {
			t.Fatalf("err = %v", err)
		}
		if p, _ := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Limit: 1}); p.Total != 0 {
			t.Fatalf("rejected import left %d events", p.Total)
		}
		var calls []int
		opts := window
		opts.Progress = func(n int) { calls = append(calls, n) }
		rep, err := a.ImportTimeline(ctx, inc.Key, manyImporter{n: 12000}, fakeInput, opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 6000 || rep.Duplicates != 6000 || rep.Parsed != 12000 || len(rep.Preview) != app.PreviewEvents {
			t.Errorf("report: added %d, duplicates %d, parsed %d, preview %d", rep.Added, rep.Duplicates, rep.Parsed, len(rep.Preview))
		}
		if len(calls) != 13 || calls[0] != 1000 || calls[len(calls)-1] != 12000 {
			t.Errorf("progress calls = %v", calls)
		}
		if p, _ := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Limit: 1}); p.Total != 6000 {
			t.Errorf("timeline holds %d events, want 6000", p.Total)
		}
	})
}
