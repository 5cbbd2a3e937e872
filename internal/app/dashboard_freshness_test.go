package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestDashboard_ReadYourWrites checks that a write is counted by the very
// next dashboard request: through the same app, and through another app
// over its own connections to the same database (a replica), with
// creates, updates, a change of visibility and deletes; each answer also
// equals SQL's.
func TestDashboard_ReadYourWrites(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			target := dashTarget(t, dialect)
			clock := dashNow
			clockFn := func() time.Time { return dashNow }
			s1 := openDashStore(t, dialect, target, &clock)
			s2 := openDashStore(t, dialect, target, &clock)
			// local writes and reads with its own projection; replica
			// only reads, with a projection over other connections.
			localDash, replicaDash := dashboard.New(s1, nil), dashboard.New(s2, nil)
			for _, d := range []*dashboard.Projection{localDash, replicaDash} {
				if err := d.Load(ctx); err != nil {
					t.Fatal(err)
				}
			}
			local := app.New(s1, app.Options{Now: clockFn, Location: time.UTC, Dashboard: localDash})
			replica := app.New(s2, app.Options{Now: clockFn, Location: time.UTC, Dashboard: replicaDash})
			oracle := app.New(s2, app.Options{Now: clockFn, Location: time.UTC})
			outsider := incident.Viewer{Principals: []string{"dev"}}

			// check asks both projections directly (no fallback) and
			// compares them with SQL; it returns the replica's answers for
			// the viewer.
			check := func(step string, v incident.Viewer) (incident.ActionMetrics, incident.IncidentMetrics) {
				t.Helper()
				vctx := app.WithViewer(ctx, v)
				wantA, err := oracle.ActionMetrics(vctx, incident.ActionMetricsFilter{})
				if err != nil {
					t.Fatal(err)
				}
				wantI, err := oracle.IncidentMetrics(vctx, incident.IncidentMetricsFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var gotA incident.ActionMetrics
				var gotI incident.IncidentMetrics
				for _, d := range []struct {
					name string
					p    *dashboard.Projection
				}{{"local", localDash}, {"replica", replicaDash}} {
					gotA, err = d.p.ActionMetrics(vctx, incident.ActionMetricsFilter{Viewer: v, Today: incident.DateOf(dashNow)})
					if err != nil {
						t.Fatalf("%s: %s: %v", step, d.name, err)
					}
					sameJSON(t, step+" actions ("+d.name+")", gotA, wantA)
					gotI, err = d.p.IncidentMetrics(vctx, incident.IncidentMetricsFilter{Viewer: v, Now: dashNow, RCADays: incident.DefaultRCADays})
					if err != nil {
						t.Fatalf("%s: %s: %v", step, d.name, err)
					}
					sameJSON(t, step+" incidents ("+d.name+")", gotI, wantI)
				}
				return gotA, gotI
			}
			total := func(m incident.IncidentMetrics) int {
				n := 0
				for _, mo := range m.PerMonth {
					n += mo.Count
				}
				return n
			}

			started := dashNow.Add(-48 * time.Hour)
			inc, err := local.CreateIncident(ctx, incident.Incident{Title: "db down", Services: []string{"API"}, StartedAt: &started})
			if err != nil {
				t.Fatal(err)
			}
			if _, im := check("create incident", outsider); total(im) != 1 || len(im.ByService) != 1 {
				t.Fatalf("create incident: incidents %d, by service %v; want 1 and api", total(im), im.ByService)
			}
			yesterday := incident.DateOf(dashNow).AddDays(-1)
			act, err := local.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "add alert", Owner: "Ana", Team: "Core", DueDate: &yesterday})
			if err != nil {
				t.Fatal(err)
			}
			if am, _ := check("create action", outsider); am.Counts.Open != 1 || am.Counts.Overdue != 1 || am.ByOwner["ana"].Open != 1 {
				t.Fatalf("create action: counts %+v, by owner %v; want one open, overdue, ana's", am.Counts, am.ByOwner)
			}
			if _, err := local.UpdateAction(ctx, act.ID, incident.ActionPatch{Status: incident.Some(incident.ActionDone)}); err != nil {
				t.Fatal(err)
			}
			if am, _ := check("close action", outsider); am.Counts.Done != 1 || am.Counts.Overdue != 0 || am.DaysToClose.Count != 1 {
				t.Fatalf("close action: counts %+v, days to close %+v; want one done", am.Counts, am.DaysToClose)
			}
			_, err = local.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityRestricted),
				RestrictedTo: incident.Some([]string{"Ops"})})
			if err != nil {
				t.Fatal(err)
			}
			if am, im := check("restrict incident", outsider); am.Counts.Done != 0 || total(im) != 0 {
				t.Fatalf("restrict incident: an outsider sees counts %+v and %d incidents; want none", am.Counts, total(im))
			}
			if am, im := check("restricted, as ops", incident.Viewer{Principals: []string{"ops"}}); am.Counts.Done != 1 || total(im) != 1 {
				t.Fatalf("restricted, as ops: counts %+v and %d incidents; want the action and the incident", am.Counts, total(im))
			}
			// Open to other principals only: the outsider now sees it.
			if _, err := local.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{RestrictedTo: incident.Some([]string{"Dev"})}); err != nil {
				t.Fatal(err)
			}
			if am, im := check("principals changed", outsider); am.Counts.Done != 1 || total(im) != 1 {
				t.Fatalf("principals changed: counts %+v and %d incidents; want the action and the incident", am.Counts, total(im))
			}
			if _, err := local.CreateRootCause(ctx, inc.Key, incident.RootCause{Category: incident.CategoryDeploy, Description: "bad push"}); err != nil {
				t.Fatal(err)
			}
			if _, err := local.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Services: incident.Some([]string{"Web", "db"})}); err != nil {
				t.Fatal(err)
			}
			_, im := check("root cause and services", outsider)
			if len(im.TopRootCauseCategories) != 1 || im.TopRootCauseCategories[0].Key != "deploy" || len(im.ByService) != 2 {
				t.Fatalf("root cause and services: categories %v, by service %v; want deploy, db and web", im.TopRootCauseCategories, im.ByService)
			}
			past, err := local.CreateIncident(ctx, incident.Incident{Title: "db down before", StartedAt: &started})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s1.AddRecurrence(ctx, incident.Recurrence{IncidentID: inc.ID, PastIncidentID: past.ID, Relative: 0.9, CreatedAt: dashNow}); err != nil {
				t.Fatal(err)
			}
			if _, im := check("recurrence", outsider); im.Recurrences.Open != 1 {
				t.Fatalf("recurrence: %+v; want one open", im.Recurrences)
			}
			if err := local.DeleteIncident(ctx, past.Key); err != nil {
				t.Fatal(err)
			}
			if err := local.DeleteAction(ctx, act.ID); err != nil {
				t.Fatal(err)
			}
			if am, _ := check("delete action", incident.EveryIncident); am.Counts != (incident.StatusCounts{}) {
				t.Fatalf("delete action: counts %+v; want none", am.Counts)
			}
			if _, err := local.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "another", Owner: "bob"}); err != nil {
				t.Fatal(err)
			}
			if err := local.DeleteIncident(ctx, inc.Key); err != nil {
				t.Fatal(err)
			}
			if am, im := check("delete incident", incident.EveryIncident); am.Counts != (incident.StatusCounts{}) || total(im) != 0 {
				t.Fatalf("delete incident: counts %+v and %d incidents; want none", am.Counts, total(im))
			}
			// Through the app too: the replica's handlers' path.
			if _, err := local.CreateIncident(ctx, incident.Incident{Title: "again", StartedAt: &started}); err != nil {
				t.Fatal(err)
			}
			im, err = replica.IncidentMetrics(ctx, incident.IncidentMetricsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if total(im) != 1 {
				t.Fatalf("replica app: %d incidents; want 1", total(im))
			}
		})
	}
}

// TestDashboard_ConcurrentReadsAndWrites runs dashboard requests while
// actions are written (run it with -race): every request succeeds, and
// once the writes are done the projection answers as SQL does.
func TestDashboard_ConcurrentReadsAndWrites(t *testing.T) {
	ctx := context.Background()
	clock := dashNow
	s := openDashStore(t, "sqlite", dashTarget(t, "sqlite"), &clock)
	genDashData(t, s, &clock, rand.New(rand.NewPCG(9, 9)), 30)
	sqlApp, projApp, dash := dashApps(t, s)
	inc, err := projApp.CreateIncident(ctx, incident.Incident{Title: "busy", Services: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	loaded := dash.Stats()
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 3 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := projApp.ActionMetrics(ctx, incident.ActionMetricsFilter{}); err != nil {
					errs <- err
					return
				}
				if _, err := projApp.IncidentMetrics(ctx, incident.IncidentMetricsFilter{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var made []incident.Incident
	for i := range 40 {
		act, err := projApp.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: fmt.Sprintf("a%d", i), Owner: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if err := projApp.DeleteAction(ctx, act.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Incidents with lifecycle times come, change and go: the
		// percentiles' order of durations follows.
		started := dashNow.Add(-time.Duration(i*37) * time.Hour)
		detected, resolved := started.Add(time.Duration(i%7)*time.Minute), started.Add(time.Duration(i%11+1)*time.Hour)
		next, err := projApp.CreateIncident(ctx, incident.Incident{Title: "lifecycle", Severity: incident.Severities[i%5],
			StartedAt: &started, DetectedAt: &detected, ResolvedAt: &resolved})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, next)
		if i%4 == 3 {
			later := made[i-1].ResolvedAt.Add(time.Duration(i) * time.Hour)
			if _, err := projApp.UpdateIncident(ctx, made[i-1].Key, incident.IncidentPatch{ResolvedAt: incident.Some(&later),
				DetectedAt: incident.Some[*time.Time](nil)}); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 4 {
			if err := projApp.DeleteIncident(ctx, made[i-2].Key); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !dash.Ready() || dash.Stats() != loaded {
		t.Fatal("the writes made the projection load everything again; it should have applied them")
	}
	compareDashboards(t, s, sqlApp, projApp, dash)
}

// racingStore commits a write (hook) just after the projection picked the
// rows a dashboard lists and before their titles are read.
type racingStore struct {
	*store.Store
	hook func()
}

func (r *racingStore) race() {
	if r.hook != nil {
		r.hook()
		r.hook = nil
	}
}

func (r *racingStore) IncidentsByID(ctx context.Context, ids []int64, v incident.Viewer) (map[int64]incident.Incident, error) {
	r.race()
	return r.Store.IncidentsByID(ctx, ids, v)
}

func (r *racingStore) ActionsByID(ctx context.Context, ids []int64, v incident.Viewer) (map[int64]incident.CorrectiveAction, error) {
	r.race()
	return r.Store.ActionsByID(ctx, ids, v)
}

// TestDashboard_TitlesOfIncidentsRestrictedMeanwhile checks that an
// incident restricted (and renamed) between the projection's pick and the
// read of the listed titles is left out of the lists for a viewer who may
// no longer see it, never shown with its new title.
func TestDashboard_TitlesOfIncidentsRestrictedMeanwhile(t *testing.T) {
	ctx := context.Background()
	clock := dashNow
	s := openDashStore(t, "sqlite", dashTarget(t, "sqlite"), &clock)
	writer := app.New(s, app.Options{Now: func() time.Time { return dashNow }, Location: time.UTC})
	started := dashNow.Add(-40 * 24 * time.Hour)
	resolved := started.Add(time.Hour)
	inc, err := writer.CreateIncident(ctx, incident.Incident{Title: "db down", StartedAt: &started, ResolvedAt: &resolved})
	if err != nil {
		t.Fatal(err)
	}
	due := incident.DateOf(dashNow).AddDays(-3)
	if _, err := writer.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "add alert", DueDate: &due}); err != nil {
		t.Fatal(err)
	}
	rs := &racingStore{Store: s}
	dash := dashboard.New(rs, nil)
	if err := dash.Load(ctx); err != nil {
		t.Fatal(err)
	}
	restrict := func() {
		_, err := writer.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Title: incident.Some("SECRET: breach of customer X"),
			Visibility: incident.Some(incident.VisibilityRestricted), RestrictedTo: incident.Some([]string{"secops"})})
		if err != nil {
			t.Error(err)
		}
	}
	outsider := incident.Viewer{Principals: []string{"dev"}}
	rs.hook = restrict
	im, err := dash.IncidentMetrics(ctx, incident.IncidentMetricsFilter{Viewer: outsider, Now: dashNow, RCADays: 14})
	if err != nil {
		t.Fatal(err)
	}
	if im.WithoutPublishedRCA.Count != 1 || len(im.WithoutPublishedRCA.Items) != 0 {
		t.Fatalf("restricted meanwhile: without published RCA %+v; want it counted (picked before) but not listed", im.WithoutPublishedRCA)
	}
	// And an action of an incident restricted meanwhile: back to visible
	// first, then restricted again during the request.
	if _, err := writer.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityInternal),
		RestrictedTo: incident.Some([]string{})}); err != nil {
		t.Fatal(err)
	}
	rs.hook = func() {
		if _, err := writer.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityRestricted),
			RestrictedTo: incident.Some([]string{"secops"})}); err != nil {
			t.Error(err)
		}
	}
	am, err := dash.ActionMetrics(ctx, incident.ActionMetricsFilter{Viewer: outsider, Today: incident.DateOf(dashNow)})
	if err != nil {
		t.Fatal(err)
	}
	if am.Counts.Overdue != 1 || len(am.OldestOverdue) != 0 {
		t.Fatalf("restricted meanwhile: overdue %d, listed %+v; want it counted (picked before) but not listed", am.Counts.Overdue, am.OldestOverdue)
	}
}
