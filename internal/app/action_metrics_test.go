package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// clockedApp is testApp with one clock for the app and the store, so the
// created_at the store stamps and the completed_at the app stamps agree.
func clockedApp(t *testing.T, dialect string, now func() time.Time) *app.App {
	t.Helper()
	a, _ := testAppStoreClock(t, dialect, app.Options{Now: now, Location: time.UTC}, now)
	return a
}

// TestApp_ActionMetrics checks the dashboard through the app: the clock
// decides overdue (due yesterday is, due today is not), closing stamps the
// completion the policy is judged by, and a restricted incident's actions
// are counted only for a viewer it is open to.
func TestApp_ActionMetrics(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			ctx := context.Background()
			a := clockedApp(t, dialect, func() time.Time { return now })
			open, err := a.CreateIncident(ctx, incident.Incident{Title: "open", Services: []string{"api"}})
			if err != nil {
				t.Fatal(err)
			}
			secret, err := a.CreateIncident(ctx, incident.Incident{Title: "secret", Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"security"}})
			if err != nil {
				t.Fatal(err)
			}
			day := func(d int) *incident.Date { return &incident.Date{Year: 2026, Month: 3, Day: d} }
			create := func(ref, title string, due *incident.Date) incident.CorrectiveAction {
				act, err := a.CreateAction(ctx, ref, incident.CorrectiveAction{Title: title, Owner: "ana", DueDate: due})
				if err != nil {
					t.Fatal(err)
				}
				return act
			}
			create(open.Key, "due yesterday", day(9))
			create(open.Key, "due today", day(10))
			late := create(open.Key, "closed late", day(3))
			onTime := create(open.Key, "closed on time", day(5))
			create(secret.Key, "hidden", day(2))
			closeAt := func(act incident.CorrectiveAction, at time.Time) {
				now = at
				if _, err := a.UpdateAction(ctx, act.ID, incident.ActionPatch{Status: incident.Some(incident.ActionDone)}); err != nil {
					t.Fatal(err)
				}
			}
			closeAt(onTime, time.Date(2026, 3, 5, 23, 0, 0, 0, time.UTC)) // 4.58 days
			closeAt(late, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC))    // 6 days
			now = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)

			outsider := app.WithViewer(ctx, incident.Viewer{Principals: []string{"ops"}})
			m, err := a.ActionMetrics(outsider, incident.ActionMetricsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if want := (incident.StatusCounts{Open: 2, Done: 2, Overdue: 1}); m.Counts != want {
				t.Errorf("counts = %+v, want %+v", m.Counts, want)
			}
			if c := m.CompletionWithinPolicy; c.Done != 2 || c.OnTime != 1 || c.Share == nil || *c.Share != 0.5 {
				t.Errorf("completion = %+v", c)
			}
			if d := m.DaysToClose; d.Count != 2 || d.P50 == nil || *d.P50 != 4+14.0/24 || *d.P90 != 6 {
				t.Errorf("days to close = %+v", d)
			}
			if len(m.OldestOverdue) != 1 || m.OldestOverdue[0].Title != "due yesterday" || m.OldestOverdue[0].DaysOverdue != 1 {
				t.Errorf("oldest overdue = %+v", m.OldestOverdue)
			}
			member := app.WithViewer(ctx, incident.Viewer{Principals: []string{"Security"}})
			if m, err := a.ActionMetrics(member, incident.ActionMetricsFilter{}); err != nil || m.Counts.Overdue != 2 || m.OldestOverdue[0].Title != "hidden" {
				t.Errorf("member = %+v, %v", m, err)
			}
			_, err = a.ActionMetrics(outsider, incident.ActionMetricsFilter{From: day(5), To: day(4)})
			var verr *incident.ValidationError
			if !errors.As(err, &verr) {
				t.Errorf("to before from: err = %v", err)
			}
		})
	}
}
