package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestStore_ActionRollups checks that the rollups the dashboard without
// filters reads stay in step with the actions through every kind of write:
// after each step, the dashboard from the rollups equals the one counted
// from the actions themselves (a created range from 1900 selects them all
// and goes the live way), for a viewer who sees everything and for one
// from whom a restricted incident is hidden.
func TestStore_ActionRollups(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		acts := seedActionMetrics(t, s, c)
		today := incident.Date{Year: 2026, Month: 3, Day: 10}
		long := incident.Date{Year: 1900, Month: 1, Day: 1}
		check := func(t *testing.T, step string) {
			t.Helper()
			for _, v := range []incident.Viewer{incident.EveryIncident, {Principals: []string{"ops"}}} {
				f := incident.ActionMetricsFilter{Today: today, Viewer: v}
				fromRollups, err := s.ActionMetrics(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				f.From = &long
				live, err := s.ActionMetrics(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if diff := cmp.Diff(live, fromRollups, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s, viewer %+v: rollups differ from the actions (-live +rollups):\n%s", step, v, diff)
				}
			}
		}
		check(t, "seeded")

		at := func(d, h int) *time.Time { t := time.Date(2026, 3, d, h, 30, 0, 0, time.UTC); return &t }
		steps := []struct {
			name string
			do   func() error
		}{
			{"close an open action", func() error {
				a := acts[0]
				a.Status, a.CompletedAt = incident.ActionDone, at(9, 1)
				_, err := s.UpdateAction(ctx, a, a.Version, []string{"status", "completed_at"})
				return err
			}},
			{"reopen a done action", func() error {
				a := acts[2]
				a.Status, a.CompletedAt = incident.ActionOpen, nil
				_, err := s.UpdateAction(ctx, a, a.Version, []string{"status", "completed_at"})
				return err
			}},
			{"change owner, team and priority of a done action", func() error {
				a := acts[3]
				a.Owner, a.Team, a.Priority = "Zoe", "Core", incident.PriorityLow
				_, err := s.UpdateAction(ctx, a, a.Version, []string{"owner", "team", "priority"})
				return err
			}},
			{"create a closed action on a restricted incident", func() error {
				a := incident.CorrectiveAction{IncidentID: acts[7].IncidentID, Title: "a9", Status: incident.ActionDone,
					Owner: "dan", CompletedAt: at(8, 5), DueDate: &today}
				a.Normalize()
				return s.CreateAction(ctx, &a)
			}},
			{"delete a won't-do action", func() error { return s.DeleteAction(ctx, acts[5].ID) }},
			{"change an incident's services", func() error {
				inc, err := s.Incident(ctx, acts[0].IncidentID)
				if err != nil {
					return err
				}
				inc.Services = []string{"api", "Mobile"}
				_, err = s.UpdateIncident(ctx, inc, inc.Version, []string{"services"})
				return err
			}},
			{"delete an incident", func() error { return s.DeleteIncident(ctx, acts[3].IncidentID) }},
		}
		for _, st := range steps {
			c.t = c.t.Add(time.Hour)
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			check(t, st.name)
		}
		// Left: INC-1's a1 (done), a2 (in progress, due today) and a3
		// (open again, overdue); restricted INC-3's a8 (open, overdue) and
		// a9 (done).
		m, err := s.ActionMetrics(ctx, incident.ActionMetricsFilter{Today: today, Viewer: incident.EveryIncident})
		if err != nil {
			t.Fatal(err)
		}
		if want := (incident.StatusCounts{Open: 2, InProgress: 1, Done: 2, Overdue: 2}); m.Counts != want {
			t.Errorf("final counts = %+v, want %+v", m.Counts, want)
		}
		if want := (incident.StatusCounts{Open: 1, InProgress: 1, Done: 1, Overdue: 1}); m.ByService["mobile"] != want {
			t.Errorf("final mobile = %+v, want %+v", m.ByService["mobile"], want)
		}
	})
}

// TestStore_ActionMetricsClosedBeforeCreated: an action completed before it
// was created (a ticket closed before the action was written down) took 0
// days to close, never a negative number, with and without filters.
func TestStore_ActionMetricsClosedBeforeCreated(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		c.t = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		inc := createIncident(t, s, newIncident("early close"))
		before := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		a := incident.CorrectiveAction{IncidentID: inc.ID, Title: "fixed in OPS-4", Status: incident.ActionDone, Team: "sre", CompletedAt: &before}
		a.Normalize()
		if err := s.CreateAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
		// The burn-down counts it closed when it was created (03-10), never
		// open below zero before.
		d := func(day int) incident.Date { return incident.Date{Year: 2026, Month: 3, Day: day} }
		bc, err := s.ActionBurndownCounts(ctx, incident.ActionMetricsFilter{Viewer: incident.EveryIncident}, d(1), d(10), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := incident.BurndownCounts{Opened: map[incident.Date]int{d(10): 1}, Closed: map[incident.Date]int{d(1): 0, d(10): 1}}
		if diff := cmp.Diff(want, bc); diff != "" {
			t.Errorf("burndown counts (-want +got):\n%s", diff)
		}
		if bc, err = s.ActionBurndownCounts(ctx, incident.ActionMetricsFilter{Viewer: incident.EveryIncident}, d(5), d(10), nil); err != nil {
			t.Fatal(err)
		} else if bc.OpenBefore != 0 || bc.Closed[d(10)] != 1 || bc.Opened[d(10)] != 1 {
			t.Errorf("from 03-05: burndown counts = %+v, want 0 open before, opened and closed on 03-10", bc)
		}
		for _, f := range []incident.ActionMetricsFilter{{Viewer: incident.EveryIncident}, {Viewer: incident.EveryIncident, Team: "SRE"}} {
			m, err := s.ActionMetrics(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if d := m.DaysToClose; d.Count != 1 || d.P50 == nil || *d.P50 != 0 || d.P90 == nil || *d.P90 != 0 {
				t.Errorf("filter %+v: days to close = %+v, want 0 and 0 of 1", f, d)
			}
		}
	})
}
