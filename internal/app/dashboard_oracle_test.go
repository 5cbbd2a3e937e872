package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// dashNow is the clock of the dashboard tests: the generated data spans
// the 400 days before it.
var dashNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// openDashStore opens a migrated database of dialect whose created_at
// clock is *clock; url, when set, is the PostgreSQL database (else a new
// one), path the SQLite file (else a new one).
func openDashStore(t *testing.T, dialect, target string, clock *time.Time) *store.Store {
	t.Helper()
	now := func() time.Time { return *clock }
	cfg := store.Config{SQLitePath: target, Now: now}
	if dialect == "postgres" {
		cfg = store.Config{DatabaseURL: target, Now: now}
	}
	return openMigrated(t, cfg)
}

// dashTarget is a new database of dialect: a PostgreSQL URL or a SQLite path.
func dashTarget(t *testing.T, dialect string) string {
	if dialect == "postgres" {
		return pgtest.URL(t)
	}
	return filepath.Join(t.TempDir(), "h.db")
}

// dashApps returns an app computing the dashboards in SQL and one over the
// same store with the projection loaded.
func dashApps(t *testing.T, s *store.Store) (sqlApp, projApp *app.App, dash *dashboard.Projection) {
	t.Helper()
	clock := func() time.Time { return dashNow }
	dash = dashboard.New(s, nil)
	if err := dash.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !dash.Ready() {
		t.Fatal("projection not ready after Load")
	}
	return app.New(s, app.Options{Now: clock, Location: time.UTC}),
		app.New(s, app.Options{Now: clock, Location: time.UTC, Dashboard: dash}), dash
}

// genDashData writes n random incidents with what the dashboards read
// straight into s: restricted ones open to mixed-case principals, several
// services and teams, unknown lifecycle times, unpublished and published
// RCAs, repeated root-cause categories, recurrences (some dismissed) and
// actions with mixed-case owners and teams, without due dates, closed
// before they were created, won't do...
func genDashData(t *testing.T, s *store.Store, clock *time.Time, r *rand.Rand, n int) {
	t.Helper()
	ctx := context.Background()
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	some := func(vs ...string) []string {
		var out []string
		for _, v := range vs {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	at := func(base time.Time, minutes int) *time.Time {
		v := base.Add(time.Duration(minutes) * time.Minute)
		return &v
	}
	maybe := func(base time.Time, lo, hi int) *time.Time {
		if r.IntN(4) == 0 {
			return nil
		}
		return at(base, lo+r.IntN(hi-lo))
	}
	var ids []int64
	for range n {
		created := dashNow.Add(-time.Duration(r.IntN(400*24*60)) * time.Minute)
		inc := incident.Incident{
			Title: "incident", Severity: incident.Severities[r.IntN(len(incident.Severities))],
			Services: some("API", "checkout", " Search", "billing"), Teams: some("Payments", "core", "SRE"),
			CreatedAt: created, Status: incident.Status(pick("open", "mitigated", "resolved")), Visibility: incident.VisibilityInternal,
		}
		if r.IntN(5) != 0 {
			inc.StartedAt = at(created, -r.IntN(600))
			inc.DetectedAt = maybe(*inc.StartedAt, -5, 120)
			inc.AcknowledgedAt = maybe(*inc.StartedAt, 0, 300)
			inc.MitigatedAt = maybe(*inc.StartedAt, 10, 3000)
			inc.ResolvedAt = maybe(*inc.StartedAt, 30, 40*24*60)
		} else if r.IntN(2) == 0 {
			inc.ResolvedAt = at(created, 60+r.IntN(30*24*60))
		}
		if r.IntN(4) == 0 {
			inc.Visibility = incident.VisibilityRestricted
			inc.RestrictedTo = append(some("Group-A", "alice@example.com", "ops"), pick("Group-A", "secops"))
		}
		*clock = created
		if err := s.CreateIncident(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inc.ID)
		if r.IntN(5) < 2 {
			status := incident.RCADraft
			if r.IntN(2) == 0 {
				status = incident.RCAPublished
			}
			rca := incident.RCA{IncidentID: inc.ID, Template: "standard", Status: status}
			if err := s.CreateRCA(ctx, &rca); err != nil {
				t.Fatal(err)
			}
			if status == incident.RCAPublished && r.IntN(6) != 0 {
				setPublishedAt(t, s, rca.ID, created.Add(time.Duration(r.IntN(90*24*60))*time.Minute))
			}
		}
		for range r.IntN(4) {
			rc := incident.RootCause{IncidentID: inc.ID, Category: incident.RootCauseCategory(pick("deploy", "capacity", "network", "data")),
				Description: "cause"}
			if err := s.CreateRootCause(ctx, &rc); err != nil {
				t.Fatal(err)
			}
		}
		for range r.IntN(7) {
			*clock = created.Add(time.Duration(r.IntN(60*24*60)) * time.Minute)
			if clock.After(dashNow) {
				*clock = dashNow
			}
			act := incident.CorrectiveAction{IncidentID: inc.ID, Title: "action", Type: incident.ActionType(pick("corrective", "preventive")),
				Priority: incident.Priority(pick("critical", "high", "medium", "low")), Owner: pick("Ana", "ana", "BOB", "", "carol "),
				Team: pick("Payments", "payments", "Core", ""), Status: incident.ActionStatus(pick("open", "in_progress", "done", "done", "wont_do"))}
			if r.IntN(10) < 7 {
				d := incident.DateOf(clock.AddDate(0, 0, r.IntN(70)-10))
				act.DueDate = &d
			}
			if act.Status == incident.ActionDone && r.IntN(8) != 0 || act.Status == incident.ActionWontDo && r.IntN(2) == 0 {
				// Some were closed before they were created (a ticket
				// closed before the action was written down).
				act.CompletedAt = at(*clock, r.IntN(50*24*60)-7*24*60)
			}
			if err := s.CreateAction(ctx, &act); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range n / 4 {
		a, b := ids[r.IntN(len(ids))], ids[r.IntN(len(ids))]
		if a == b {
			continue
		}
		id, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: a, PastIncidentID: b, Relative: 0.9, Score: 3, CreatedAt: dashNow})
		if err != nil {
			t.Fatal(err)
		}
		if r.IntN(3) == 0 {
			if _, err := s.DismissRecurrence(ctx, id, "ana", dashNow); err != nil {
				t.Fatal(err)
			}
		}
	}
	genDashEdges(t, s, clock)
	*clock = dashNow
}

// genDashEdges adds the edge cases random data may miss: incidents resolved
// exactly RCADays (14) before now and just before that; an owner whose
// actions were all closed before they were created (the days to close
// clamp to 0); actions completed on their due day and the day after; a
// recurrence pointing at a restricted past incident; owners and teams
// outside ASCII in two cases.
func genDashEdges(t *testing.T, s *store.Store, clock *time.Time) {
	t.Helper()
	ctx := context.Background()
	create := func(inc incident.Incident) incident.Incident {
		t.Helper()
		inc.Title, inc.Severity, inc.Status = "edge", incident.SEV2, "resolved"
		if inc.Visibility == "" {
			inc.Visibility = incident.VisibilityInternal
		}
		*clock = inc.CreatedAt
		if err := s.CreateIncident(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		return inc
	}
	action := func(inc incident.Incident, created time.Time, a incident.CorrectiveAction) {
		t.Helper()
		*clock = created
		a.IncidentID, a.Title, a.Type, a.Priority = inc.ID, "edge", "corrective", "high"
		if err := s.CreateAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := dashNow.AddDate(0, 0, -incident.DefaultRCADays)
	started := cutoff.Add(-48 * time.Hour)
	atCutoff, justBefore := cutoff, cutoff.Add(-time.Second)
	create(incident.Incident{CreatedAt: started, StartedAt: &started, ResolvedAt: &atCutoff, Services: []string{"edge"}})
	inc := create(incident.Incident{CreatedAt: started, StartedAt: &started, ResolvedAt: &justBefore, Services: []string{"edge"},
		Teams: []string{"Équipe"}})
	for i := range 3 {
		created := started.Add(time.Duration(i+1) * 24 * time.Hour)
		early := created.Add(-time.Duration(i+1) * time.Hour)
		action(inc, created, incident.CorrectiveAction{Owner: "zed", Status: incident.ActionDone, CompletedAt: &early})
	}
	due := incident.DateOf(started.Add(72 * time.Hour))
	onDueDay := started.Add(72*time.Hour + 23*time.Hour)
	dayAfter := onDueDay.Add(2 * time.Hour)
	action(inc, started, incident.CorrectiveAction{Owner: "Ärger", Team: "Équipe", Status: incident.ActionDone, DueDate: &due, CompletedAt: &onDueDay})
	action(inc, started, incident.CorrectiveAction{Owner: "ärger", Team: "équipe", Status: incident.ActionDone, DueDate: &due, CompletedAt: &dayAfter})
	action(inc, started, incident.CorrectiveAction{Owner: "ÄRGER", Team: "ÉQUIPE", Status: incident.ActionOpen, DueDate: &due})
	secret := create(incident.Incident{CreatedAt: started.Add(-24 * time.Hour), Visibility: incident.VisibilityRestricted,
		RestrictedTo: []string{"secops"}, Services: []string{"edge"}})
	if _, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: inc.ID, PastIncidentID: secret.ID, Relative: 0.9, Score: 3,
		CreatedAt: dashNow}); err != nil {
		t.Fatal(err)
	}
}

// setPublishedAt stamps the publication of an RCA (the review flow's
// column) straight in the database.
func setPublishedAt(t *testing.T, s *store.Store, rcaID int64, at time.Time) {
	t.Helper()
	db, err := s.DB()
	if err != nil {
		t.Fatal(err)
	}
	var v any = at.UTC()
	q := "UPDATE rcas SET published_at = $1 WHERE id = $2"
	if s.Dialect() == store.DialectSQLite {
		v, q = at.UTC().Format("2006-01-02T15:04:05.000000Z"), "UPDATE rcas SET published_at = ? WHERE id = ?"
	}
	if _, err := db.ExecContext(context.Background(), q, v, rcaID); err != nil {
		t.Fatal(err)
	}
}

// dashViewers are who asks in the dashboard tests.
var dashViewers = []struct {
	name string
	v    incident.Viewer
}{
	{"all", incident.EveryIncident},
	{"nobody", incident.Viewer{}},
	{"group-a", incident.Viewer{Principals: []string{" GROUP-a "}}},
	{"alice", incident.Viewer{Principals: []string{"Alice@Example.com", "unknown"}}},
}

// sameJSON fails t when got and want do not encode alike.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s: projection differs from SQL\nprojection: %s\nsql:        %s", what, g, w)
	}
}

// compareDashboards asserts the projection's dashboards equal SQL's for
// every filter and viewer: asked directly (so a fallback to SQL cannot
// hide a difference) and through the app.
func compareDashboards(t *testing.T, st *store.Store, sqlApp, projApp *app.App, dash *dashboard.Projection) {
	t.Helper()
	day := func(y int, m time.Month, d int) *incident.Date { return &incident.Date{Year: y, Month: m, Day: d} }
	today := incident.DateOf(dashNow)
	last := day(9999, 12, 31)
	actionFilters := []incident.ActionMetricsFilter{
		{},
		{From: day(2026, 6, 1), To: day(2026, 9, 30)},
		{From: day(2026, 3, 15)},
		{To: day(2026, 5, 31)},
		{From: day(2025, 1, 1), To: last},
		{From: &today, To: &today},
		{Team: "payments"},
		{Team: " PAYMENTS "},
		{Team: "nobody"},
		{Owner: "ana"},
		{Owner: "Bob"},
		{Owner: "carol"},
		{Owner: "zed"},
		{Owner: "ärger"},
		{Owner: "ÄRGER", Team: "équipe"},
		{Service: "edge", From: day(2026, 11, 1)},
		{Service: "api"},
		{Service: " Search "},
		{Service: "nothing"},
		{Severity: incident.SEV2},
		{Team: "core", Service: "checkout"},
		{Owner: "ANA", From: day(2026, 1, 1)},
		{Severity: incident.SEV1, From: day(2026, 2, 1), To: day(2026, 10, 31)},
		{Team: "payments", Owner: "ana", Service: "billing", Severity: incident.SEV3},
	}
	incidentFilters := []incident.IncidentMetricsFilter{
		{},
		{From: day(2026, 6, 1), To: day(2026, 9, 30)},
		{From: day(2026, 3, 15)},
		{To: day(2026, 5, 31), RCADays: 30},
		{From: day(2025, 1, 1), To: last},
		{Service: "checkout"},
		{Service: " API"},
		{Service: "nothing"},
		{Team: "Payments"},
		{Team: "sre", Severity: incident.SEV4},
		{Severity: incident.SEV2},
		{RCADays: 1},
		{Service: "edge"},
		{Team: "Équipe", To: last},
		{RCADays: 100, Service: "billing", From: day(2026, 1, 1)},
	}
	publishedSeen := 0
	defer func() {
		if publishedSeen == 0 {
			t.Error("no RCA published in the months compared: the data does not exercise RCAsPublished")
		}
	}()
	for _, v := range dashViewers {
		ctx := app.WithViewer(context.Background(), v.v)
		for i, f := range actionFilters {
			want, err := sqlApp.ActionMetrics(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := projApp.ActionMetrics(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, fmt.Sprintf("actions %d %+v as %s", i, f, v.name), got, want)
			direct := f
			direct.Viewer, direct.Today = v.v, incident.DateOf(dashNow)
			got, err = dash.ActionMetrics(ctx, direct)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			sameJSON(t, fmt.Sprintf("actions %d %+v as %s (projection)", i, f, v.name), got, want)
		}
		for _, month := range []string{"", "2026-06", "2026-02"} {
			want, err := sqlApp.MonthlyReport(ctx, month)
			if err != nil {
				t.Fatal(err)
			}
			got, err := projApp.MonthlyReport(ctx, month)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, fmt.Sprintf("monthly report %q as %s", month, v.name), got, want)
			n, oldest, err := dash.OverdueActions(ctx, v.v, incident.DateOf(dashNow), app.MonthlyOverdueLimit)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			sameJSON(t, "overdue actions as "+v.name, []any{n, oldest}, []any{want.Actions.OverdueNow, want.Actions.OldestOverdue})
			published, err := dash.RCAsPublished(ctx, v.v, want.From, want.To)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			publishedSeen += published
			// A short page of the month's incidents: the limit cuts the
			// list where the store's LIMIT does.
			incs, n, err := dash.MonthIncidents(ctx, v.v, want.From, want.To, 3)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			wantIncs, wantN, err := st.MonthIncidents(ctx, incident.IncidentMetricsFilter{From: &want.From, To: &want.To, Viewer: v.v}, 3)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "month incidents as "+v.name, []any{incs, n}, []any{wantIncs, wantN})
			ofMonth, err := dash.IncidentsWithPublishedRCA(ctx, v.v, want.From, want.To)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			done, wontDo, err := dash.ActionsClosed(ctx, v.v, want.From, want.To)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			sameJSON(t, "month's published rcas and closed actions as "+v.name, []int{ofMonth, done, wontDo},
				[]int{want.RCAs.OfMonthPublished, want.Actions.ClosedDone, want.Actions.ClosedWontDo})
			if published != want.RCAs.Published {
				t.Errorf("rcas published in %s as %s: projection %d, sql %d", want.Month, v.name, published, want.RCAs.Published)
			}
		}
		for i, f := range incidentFilters {
			want, err := sqlApp.IncidentMetrics(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := projApp.IncidentMetrics(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, fmt.Sprintf("incidents %d %+v as %s", i, f, v.name), got, want)
			direct := f
			direct.Viewer, direct.Now = v.v, dashNow
			if direct.RCADays == 0 {
				direct.RCADays = incident.DefaultRCADays
			}
			got, err = dash.IncidentMetrics(ctx, direct)
			if err != nil {
				t.Fatalf("projection: %v", err)
			}
			sameJSON(t, fmt.Sprintf("incidents %d %+v as %s (projection)", i, f, v.name), got, want)
		}
	}
}

// TestDashboard_ProjectionMatchesSQL builds random data and checks that the
// projection's dashboards are exactly SQL's, for many filters and viewers,
// on both databases.
func TestDashboard_ProjectionMatchesSQL(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			for seed := range uint64(2) {
				t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
					clock := dashNow
					s := openDashStore(t, dialect, dashTarget(t, dialect), &clock)
					genDashData(t, s, &clock, rand.New(rand.NewPCG(seed, 7)), 120)
					sqlApp, projApp, dash := dashApps(t, s)
					if st := dash.Stats(); st.Incidents != 123 || st.Actions < 200 { // 120 random, 3 edge cases
						t.Fatalf("projection holds %d incidents and %d actions; want 123 and hundreds", st.Incidents, st.Actions)
					}
					compareDashboards(t, s, sqlApp, projApp, dash)
				})
			}
		})
	}
}
