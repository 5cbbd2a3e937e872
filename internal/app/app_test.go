package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// testApp opens a fresh, migrated database of the dialect ("sqlite" or
// "postgres") and returns an app over it with the clock fixed at t0 + 4
// days (unless opts says otherwise), and its store.
func testApp(t *testing.T, dialect string, opts app.Options) (*app.App, *store.Store) {
	t.Helper()
	return testAppStoreClock(t, dialect, opts, nil)
}

// testAppStoreClock is testApp with the store's created_at/updated_at clock
// set to storeNow (nil: the wall clock).
func testAppStoreClock(t *testing.T, dialect string, opts app.Options, storeNow func() time.Time) (*app.App, *store.Store) {
	t.Helper()
	cfg := store.Config{SQLitePath: filepath.Join(t.TempDir(), "h.db"), Now: storeNow}
	if dialect == "postgres" {
		cfg = store.Config{DatabaseURL: pgtest.URL(t), Now: storeNow}
	}
	s := openMigrated(t, cfg)
	if opts.Now == nil {
		now := t0.Add(96 * time.Hour)
		opts.Now = func() time.Time { return now }
	}
	return app.New(s, opts), s
}

// openMigrated opens the store of cfg, closed when the test ends, and
// migrates it.
func openMigrated(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// forEachDB runs fn against an app over a fresh SQLite and a fresh PostgreSQL
// database, with the clock fixed at t0 + 4 days.
func forEachDB(t *testing.T, fn func(t *testing.T, a *app.App)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			a, _ := testApp(t, dialect, app.Options{})
			fn(t, a)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func mustIncident(t *testing.T, a *app.App) incident.Incident {
	t.Helper()
	inc, err := a.CreateIncident(context.Background(), incident.Incident{Title: "Checkout errors", StartedAt: ptr(t0)})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func TestApp_ConcurrentUpdateSameVersion(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{
					Version: ptr(inc.Version), Title: incident.Some([]string{"A", "B"}[i]),
				})
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			var ce *incident.ConflictError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &ce):
				conflicts++
				if cur := ce.Current.(incident.Incident); cur.Version != inc.Version+1 {
					t.Errorf("conflict carries version %d, want %d", cur.Version, inc.Version+1)
				}
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("ok=%d conflicts=%d, want 1 and 1", ok, conflicts)
		}
	})
}

func TestApp_ConcurrentUpdateWithoutVersionRetries(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		var wg sync.WaitGroup
		errs := make([]error, 12)
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Tags: incident.Some([]string{"t"})})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("unversioned patch failed: %v", err)
			}
		}
	})
}

func TestApp_UpdateIncident(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		tests := []struct {
			name      string
			patch     incident.IncidentPatch
			wantErr   error
			wantField string
			check     func(t *testing.T, got incident.Incident)
		}{
			{name: "resolve stamps resolved_at", patch: incident.IncidentPatch{Status: incident.Some(incident.StatusResolved)},
				check: func(t *testing.T, got incident.Incident) {
					if got.ResolvedAt == nil || !got.ResolvedAt.Equal(t0.Add(96*time.Hour)) {
						t.Fatalf("resolved_at = %v", got.ResolvedAt)
					}
				}},
			{name: "resolve with explicit time", patch: incident.IncidentPatch{Status: incident.Some(incident.StatusResolved), ResolvedAt: incident.Some(ptr(t0.Add(time.Hour)))},
				check: func(t *testing.T, got incident.Incident) {
					if !got.ResolvedAt.Equal(t0.Add(time.Hour)) {
						t.Fatalf("resolved_at = %v", got.ResolvedAt)
					}
				}},
			{name: "resolved before started", patch: incident.IncidentPatch{ResolvedAt: incident.Some(ptr(t0.Add(-time.Hour)))}, wantField: "resolved_at"},
			{name: "stale version", patch: incident.IncidentPatch{Version: ptr(99), Title: incident.Some("x")}, wantErr: incident.ErrConflict},
			{name: "clear a time with null", patch: incident.IncidentPatch{StartedAt: incident.Some[*time.Time](nil)},
				check: func(t *testing.T, got incident.Incident) {
					if got.StartedAt != nil {
						t.Fatalf("started_at = %v", got.StartedAt)
					}
				}},
			{name: "empty patch changes nothing", patch: incident.IncidentPatch{},
				check: func(t *testing.T, got incident.Incident) {
					if got.Version != 1 {
						t.Fatalf("version = %d", got.Version)
					}
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				inc := mustIncident(t, a)
				got, err := a.UpdateIncident(ctx, inc.Key, tt.patch)
				switch {
				case tt.wantErr != nil:
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %v", err, tt.wantErr)
					}
					return
				case tt.wantField != "":
					var v *incident.ValidationError
					if !errors.As(err, &v) || v.Fields[tt.wantField] == "" {
						t.Fatalf("err = %v, want field %s", err, tt.wantField)
					}
					after, _ := a.Incident(ctx, inc.Key)
					if after.Version != inc.Version {
						t.Fatal("a rejected patch must write nothing")
					}
					return
				case err != nil:
					t.Fatal(err)
				}
				tt.check(t, got)
			})
		}
	})
}

func TestApp_Timeline(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		evs := []incident.TimelineEvent{
			{Source: "slack", ExternalID: "1", OccurredAt: t0, Kind: incident.KindChat, Body: "first"},
			{Source: "slack", ExternalID: "1", OccurredAt: t0, Kind: incident.KindChat, Body: "first again"},
			{OccurredAt: t0.Add(time.Minute), Body: "a note"},
		}
		res, err := a.AppendTimeline(ctx, inc.Key, evs)
		if err != nil || len(res.Added) != 2 || res.Duplicates != 1 {
			t.Fatalf("append: %+v, %v", res, err)
		}
		if res, err := a.AppendTimeline(ctx, inc.Key, evs[:1]); err != nil || len(res.Added) != 0 || res.Duplicates != 1 {
			t.Fatalf("re-append: %+v, %v", res, err)
		}
		// One bad event rejects the whole append.
		_, err = a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "ok", ExternalID: "x"}, {Body: "no time"}})
		var v *incident.ValidationError
		if !errors.As(err, &v) || v.Fields["events[1].occurred_at"] == "" {
			t.Fatalf("err = %v", err)
		}
		page, _ := a.Timeline(ctx, inc.Key, incident.TimelineFilter{})
		if page.Total != 2 {
			t.Fatalf("half-written append: total %d", page.Total)
		}

		slack := res.Added[0]
		// Correcting the time keeps the original.
		got, err := a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{OccurredAt: incident.Some(t0.Add(-time.Minute)), KeyEvent: incident.Some(true)})
		if err != nil {
			t.Fatal(err)
		}
		if !got.KeyEvent || got.OriginalOccurredAt == nil || !got.OriginalOccurredAt.Equal(t0) || got.CorrectedBy == "" {
			t.Fatalf("correction: %+v", got)
		}
		if got.CorrectionReason != "" {
			t.Fatalf("a correction without a reason has none: %q", got.CorrectionReason)
		}
		got, err = a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{OccurredAt: incident.Some(t0.Add(time.Minute)), Reason: incident.Some("  clock of the exporter was 1 min off  ")})
		if err != nil || !got.OriginalOccurredAt.Equal(t0) {
			t.Fatalf("second correction must keep the first original: %+v, %v", got, err)
		}
		if got.CorrectionReason != "clock of the exporter was 1 min off" {
			t.Fatalf("reason kept with the correction: %q", got.CorrectionReason)
		}
		// A reason without a correction (a star) changes nothing about the reason.
		starred, err := a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{KeyEvent: incident.Some(false), Reason: incident.Some("other")})
		if err != nil || starred.CorrectionReason != got.CorrectionReason || starred.KeyEvent {
			t.Fatalf("reason with a star only: %+v, %v", starred, err)
		}
		// A reason over 500 characters names the field.
		_, err = a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{OccurredAt: incident.Some(t0), Reason: incident.Some(strings.Repeat("é", 501))})
		if !errors.As(err, &v) || v.Fields["reason"] == "" {
			t.Fatalf("long reason: err = %v", err)
		}
		if ok, err := a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{OccurredAt: incident.Some(t0.Add(2 * time.Minute)), Reason: incident.Some(strings.Repeat("é", 500))}); err != nil || ok.CorrectionReason != strings.Repeat("é", 500) {
			t.Fatalf("500 characters are fine: %v", err)
		}
		// The next correction without a reason does not keep the old one.
		if got, err := a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{OccurredAt: incident.Some(t0.Add(3 * time.Minute))}); err != nil || got.CorrectionReason != "" {
			t.Fatalf("a later correction without a reason: %+v, %v", got, err)
		}
		// Imported text is evidence.
		if _, err := a.UpdateTimelineEvent(ctx, inc.Key, slack.ID, incident.TimelineEventPatch{Body: incident.Some("rewritten")}); !errors.As(err, &v) {
			t.Fatalf("rewriting imported text: err = %v", err)
		}
		note := res.Added[1]
		if got, err := a.UpdateTimelineEvent(ctx, inc.Key, note.ID, incident.TimelineEventPatch{Body: incident.Some("a better note")}); err != nil || got.Body != "a better note" {
			t.Fatalf("editing a note: %+v, %v", got, err)
		}
		// Events are addressed through their incident.
		other := mustIncident(t, a)
		if _, err := a.UpdateTimelineEvent(ctx, other.Key, note.ID, incident.TimelineEventPatch{Hidden: incident.Some(true)}); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("event of another incident: err = %v", err)
		}
	})
}

func TestApp_RCA(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		if _, err := a.RCA(ctx, inc.Key); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("no RCA yet: %v", err)
		}
		r, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{{Title: "Event description", Body: "v1"}}})
		if err != nil || r.Version != 1 {
			t.Fatalf("create: %+v, %v", r, err)
		}
		r2, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Version: 1, Sections: []incident.Section{{Title: "Event description", Body: "v2"}, {Title: "Root causes"}}})
		if err != nil || r2.Version != 2 || len(r2.Sections) != 2 {
			t.Fatalf("update: %+v, %v", r2, err)
		}
		_, err = a.SaveRCA(ctx, inc.Key, incident.RCA{Version: 1, Sections: []incident.Section{{Title: "Event description", Body: "stale"}}})
		var ce *incident.ConflictError
		if !errors.As(err, &ce) || ce.Current.(incident.RCA).Sections[0].Body != "v2" {
			t.Fatalf("stale save: %v", err)
		}
		if _, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{{Title: "x"}}}); !errors.Is(err, incident.ErrConflict) {
			t.Fatalf("version 0 on an existing RCA must conflict: %v", err)
		}
	})
}

func TestApp_RootCauseEvidence(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, other := mustIncident(t, a), mustIncident(t, a)
		res, _ := a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "a"}, {OccurredAt: t0, Body: "b"}})
		foreign, _ := a.AppendTimeline(ctx, other.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "c"}})
		ids := []int64{res.Added[0].ID, res.Added[1].ID}
		rc, err := a.CreateRootCause(ctx, inc.Key, incident.RootCause{Category: incident.CategoryConfigChange, Description: "flag", EvidenceEventIDs: ids})
		if err != nil || len(rc.EvidenceEventIDs) != 2 {
			t.Fatalf("create: %+v, %v", rc, err)
		}
		_, err = a.CreateRootCause(ctx, inc.Key, incident.RootCause{Description: "x", EvidenceEventIDs: []int64{foreign.Added[0].ID}})
		var v *incident.ValidationError
		if !errors.As(err, &v) || v.Fields["evidence_event_ids[0]"] == "" {
			t.Fatalf("foreign evidence: %v", err)
		}
		if err := a.DeleteTimelineEvent(ctx, inc.Key, ids[0]); err != nil {
			t.Fatal(err)
		}
		got, _ := a.RootCause(ctx, rc.ID)
		if len(got.EvidenceEventIDs) != 1 || got.EvidenceEventIDs[0] != ids[1] {
			t.Fatalf("evidence after event delete: %v", got.EvidenceEventIDs)
		}
	})
}

func TestApp_Actions(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		today := incident.DateOf(t0.Add(96 * time.Hour))
		yesterday := today.AddDays(-1)
		late, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "late", DueDate: &yesterday, Owner: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "due today", DueDate: &today}); err != nil {
			t.Fatal(err)
		}
		page, err := a.Actions(ctx, incident.ActionFilter{Overdue: true})
		if err != nil || page.Total != 1 || page.Items[0].ID != late.ID || page.Items[0].IncidentKey != inc.Key {
			t.Fatalf("overdue: %+v, %v", page, err)
		}
		done, err := a.UpdateAction(ctx, late.ID, incident.ActionPatch{Status: incident.Some(incident.ActionDone)})
		if err != nil || done.CompletedAt == nil {
			t.Fatalf("done: %+v, %v", done, err)
		}
		if page, _ := a.Actions(ctx, incident.ActionFilter{Overdue: true}); page.Total != 0 {
			t.Fatalf("done actions are not overdue: %+v", page)
		}
		reopened, err := a.UpdateAction(ctx, late.ID, incident.ActionPatch{Status: incident.Some(incident.ActionOpen)})
		if err != nil || reopened.CompletedAt != nil {
			t.Fatalf("reopen: %+v, %v", reopened, err)
		}
	})
}

func TestApp_DeleteIncidentCascades(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		act, _ := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "x"})
		if err := a.DeleteIncident(ctx, inc.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Incident(ctx, inc.Key); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("incident after delete: %v", err)
		}
		if _, err := a.Action(ctx, act.ID); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("action after delete: %v", err)
		}
		if err := a.DeleteIncident(ctx, inc.Key); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestApp_TextWithNULIsStorable(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "nul\x00 in title", Summary: "bad \xff utf8"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: t0, Body: "chat\x00 text"}})
		if err != nil || res.Added[0].Body != "chat text" {
			t.Fatalf("append: %+v, %v", res, err)
		}
		got, _ := a.Incident(ctx, inc.Key)
		if got.Title != "nul in title" || got.Summary != "bad \uFFFD utf8" {
			t.Fatalf("stored %q / %q", got.Title, got.Summary)
		}
	})
}

// TestApp_OverlappingAppends: imports of the same events in opposite orders
// racing each other (a webhook retry and an export) all succeed and add each
// event once.
func TestApp_OverlappingAppends(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		const n = 3000
		evs := make([]incident.TimelineEvent, n)
		for i := range evs {
			evs[i] = incident.TimelineEvent{Source: "pagerduty", ExternalID: "e" + strconv.Itoa(i), OccurredAt: t0.Add(time.Duration(i) * time.Second), Body: "alert"}
		}
		reversed := slices.Clone(evs)
		slices.Reverse(reversed)
		var wg sync.WaitGroup
		results := make([]incident.AppendResult, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := evs
				if i%2 == 1 {
					in = reversed
				}
				results[i], errs[i] = a.AppendTimeline(ctx, inc.Key, in)
			}()
		}
		wg.Wait()
		added := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			added += len(results[i].Added)
			if len(results[i].Added)+results[i].Duplicates != n {
				t.Fatalf("append %d: %d added + %d duplicates != %d", i, len(results[i].Added), results[i].Duplicates, n)
			}
		}
		if added != n {
			t.Fatalf("added %d in all, want %d", added, n)
		}
	})
}

func TestApp_TodayFollowsTheConfiguredZone(t *testing.T) {
	late := time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"utc", time.UTC, "2026-11-24"},
		{"tokyo is a day ahead", tokyo, "2026-11-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := app.New(nil, app.Options{Now: func() time.Time { return late }, Location: tt.loc})
			if got := a.Today().String(); got != tt.want {
				t.Fatalf("Today = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestApp_SaveRCAKeepsTemplateAttributes(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		r, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{
			{Key: "timeline", Title: "Timeline", Help: "Start and end at least", Required: true, Block: incident.BlockTimeline},
		}})
		if err != nil {
			t.Fatal(err)
		}
		// A client that sends back only key, title and body.
		r, err = a.SaveRCA(ctx, inc.Key, incident.RCA{Version: r.Version, Sections: []incident.Section{
			{Key: "timeline", Title: "Timeline", Body: "10:00 start"}, {Key: "extra", Title: "Extra", Block: incident.BlockActions},
		}})
		if err != nil {
			t.Fatal(err)
		}
		s := r.Sections[0]
		if s.Body != "10:00 start" || !s.Required || s.Block != incident.BlockTimeline || s.Help == "" {
			t.Fatalf("template attributes lost: %+v", s)
		}
		if r.Sections[1].Block != incident.BlockActions {
			t.Fatalf("new section's block: %+v", r.Sections[1])
		}
		got, _ := a.RCA(ctx, inc.Key)
		if !got.Sections[0].Required || got.Sections[1].Block != incident.BlockActions {
			t.Fatalf("stored: %+v", got.Sections)
		}
	})
}
