package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// fakePull hands over chatExport's events and remembers the window asked.
type fakePull struct {
	from, to *time.Time
	failAt   int // fail after this many events (0: never)
}

func (f *fakePull) pull(ctx context.Context, from, to *time.Time, sink importers.Sink) error {
	f.from, f.to = from, to
	for i, e := range chatExport.events {
		if f.failAt > 0 && i == f.failAt {
			return errors.New("rate limited for too long")
		}
		if err := sink.Event(e); err != nil {
			return err
		}
	}
	return nil
}

func TestApp_PullTimeline(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := windowIncident(t, a)
		ref := inc.Key

		// A failing pull writes nothing and keeps its error reachable.
		f := &fakePull{failAt: 2}
		_, err := a.PullTimeline(ctx, ref, "fakechat", []string{"C1"}, f.pull, app.ImportOptions{})
		var pe *app.ParseError
		if !errors.As(err, &pe) || pe.File != "fakechat:C1 2026-11-20T09:00Z..2026-11-20T13:00Z" {
			t.Fatalf("failing pull: err = %v, want a ParseError naming the batch", err)
		}
		if ids := externalIDs(t, a, ref); len(ids) != 0 {
			t.Fatalf("failing pull wrote %v", ids)
		}

		f = &fakePull{}
		rep, err := a.PullTimeline(ctx, ref, "fakechat", []string{"C1", "C2"}, f.pull, app.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !f.from.Equal(t0.Add(-time.Hour)) || !f.to.Equal(t0.Add(3*time.Hour)) {
			t.Errorf("pull asked window %v..%v, want the incident's default", f.from, f.to)
		}
		b := rep.Batch
		if b.FileName != "fakechat:C1,C2 2026-11-20T09:00Z..2026-11-20T13:00Z" || b.Source != "fakechat" ||
			b.WindowFrom == nil || !b.WindowFrom.Equal(*f.from) || rep.Added != 2 || rep.Filtered != 3 {
			t.Errorf("report = %+v, batch %+v", rep, b)
		}
		if ids := externalIDs(t, a, ref); !slices.Equal(ids, []string{"r1", "m2"}) {
			t.Errorf("timeline = %v", ids)
		}
		again, err := a.PullTimeline(ctx, ref, "fakechat", []string{"C1", "C2"}, f.pull, app.ImportOptions{})
		if err != nil || again.Added != 0 || again.Duplicates != 2 {
			t.Fatalf("re-pull: %+v, %v; want 0 added, 2 duplicates", again, err)
		}
		if _, err := a.UndoImport(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if ids := externalIDs(t, a, ref); len(ids) != 0 {
			t.Errorf("after undo: %v", ids)
		}

		from := t0.Add(5 * time.Hour)
		rep, err = a.PullTimeline(ctx, ref, "fakechat", []string{"C1"}, f.pull, app.ImportOptions{From: &from, DryRun: true})
		if err != nil || rep.Batch.ID != 0 || rep.Parsed != 5 || len(rep.Preview) != 2 || f.to != nil {
			t.Errorf("dry run from flag: %+v, %v (to %v)", rep, err, f.to)
		}
		if rep.Batch.FileName != "fakechat:C1 2026-11-20T15:00Z.." {
			t.Errorf("open-ended name = %q", rep.Batch.FileName)
		}
	})
}

func TestApp_PullTimelineNeedsWindowAndChannel(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		open, err := a.CreateIncident(ctx, incident.Incident{Title: "No times"})
		if err != nil {
			t.Fatal(err)
		}
		dated := windowIncident(t, a)
		tests := []struct {
			name      string
			ref       string
			channels  []string
			wantField string
		}{
			{name: "no window", ref: open.Key, channels: []string{"C1"}, wantField: "from"},
			{name: "no channel", ref: dated.Key, wantField: "channel"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := &fakePull{}
				_, err := a.PullTimeline(ctx, tt.ref, "fakechat", tt.channels, f.pull, app.ImportOptions{})
				var verr *incident.ValidationError
				if !errors.As(err, &verr) || verr.Fields[tt.wantField] == "" {
					t.Fatalf("err = %v, want a validation error on %q", err, tt.wantField)
				}
			})
		}
	})
}
