package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// seedActionMetrics creates, as of today 2026-03-10, the actions the
// metrics tests count by hand:
//
//	a1 INC-1 open        due 03-09  ana/SRE   high      overdue by 1 day
//	a2 INC-1 in_progress due 03-10  ana/sre             due today: not overdue
//	a3 INC-1 done        due 03-05  bob/payments        closed 03-07 12:00: late, 6.5 days
//	a4 INC-2 done        due 03-05  bob/payments        closed 03-05 00:00: on time, 4 days
//	a5 INC-2 done        no due     bob                 closed 03-03: 2 days
//	a6 INC-2 wont_do     due 03-01  ana                 closed: not overdue
//	a7 INC-2 open        due 03-02  carl/sre            created 03-05, overdue by 8 days
//	a8 INC-3 open        due 02-20  dan/sre             restricted to Security, overdue by 18 days
//
// INC-1 and INC-3 are on service api (SEV3), INC-2 on web (SEV1). All but
// a7 are created 2026-03-01 00:00 UTC.
func seedActionMetrics(t *testing.T, s *store.Store, c *clock) []incident.CorrectiveAction {
	t.Helper()
	ctx := context.Background()
	c.t = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	inc1 := createIncident(t, s, newIncident("one"))
	two := newIncident("two")
	two.Services, two.Severity = []string{"Web"}, incident.SEV1
	inc2 := createIncident(t, s, two)
	three := newIncident("three")
	three.Visibility, three.RestrictedTo = incident.VisibilityRestricted, []string{"Security"}
	three.Normalize()
	inc3 := createIncident(t, s, three)
	day := func(m time.Month, d int) *incident.Date { return &incident.Date{Year: 2026, Month: m, Day: d} }
	at := func(d, h int) *time.Time { t := time.Date(2026, 3, d, h, 0, 0, 0, time.UTC); return &t }
	specs := []incident.CorrectiveAction{
		{IncidentID: inc1.ID, Title: "a1", Status: incident.ActionOpen, DueDate: day(3, 9), Owner: "ana", Team: "SRE", Priority: incident.PriorityHigh},
		{IncidentID: inc1.ID, Title: "a2", Status: incident.ActionInProgress, DueDate: day(3, 10), Owner: "ana", Team: "sre"},
		{IncidentID: inc1.ID, Title: "a3", Status: incident.ActionDone, DueDate: day(3, 5), Owner: "bob", Team: "payments", CompletedAt: at(7, 12)},
		{IncidentID: inc2.ID, Title: "a4", Status: incident.ActionDone, DueDate: day(3, 5), Owner: "bob", Team: "payments", CompletedAt: at(5, 0)},
		{IncidentID: inc2.ID, Title: "a5", Status: incident.ActionDone, Owner: "bob", CompletedAt: at(3, 0)},
		{IncidentID: inc2.ID, Title: "a6", Status: incident.ActionWontDo, DueDate: day(3, 1), Owner: "ana", CompletedAt: at(2, 0)},
		{IncidentID: inc2.ID, Title: "a7", Status: incident.ActionOpen, DueDate: day(3, 2), Owner: "carl", Team: "sre"},
		{IncidentID: inc3.ID, Title: "a8", Status: incident.ActionOpen, DueDate: day(2, 20), Owner: "dan", Team: "sre"},
	}
	out := make([]incident.CorrectiveAction, len(specs))
	for i, a := range specs {
		c.t = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		if a.Title == "a7" {
			c.t = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
		}
		a.Normalize()
		if err := s.CreateAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
		out[i] = a
	}
	return out
}

func TestStore_ActionMetrics(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		acts := seedActionMetrics(t, s, c)
		today := incident.Date{Year: 2026, Month: 3, Day: 10}
		outsider := incident.Viewer{Principals: []string{"ops"}}
		f := func(mod func(*incident.ActionMetricsFilter)) incident.ActionMetricsFilter {
			out := incident.ActionMetricsFilter{Today: today, Viewer: outsider}
			if mod != nil {
				mod(&out)
			}
			return out
		}
		fp := func(v float64) *float64 { return &v }
		d := func(m time.Month, day int) *incident.Date { return &incident.Date{Year: 2026, Month: m, Day: day} }

		got, err := s.ActionMetrics(ctx, f(nil))
		if err != nil {
			t.Fatal(err)
		}
		want := incident.ActionMetrics{
			Counts: incident.StatusCounts{Open: 2, InProgress: 1, Done: 3, WontDo: 1, Overdue: 2},
			ByTeam: map[string]incident.StatusCounts{
				"sre":      {Open: 2, InProgress: 1, Overdue: 2},
				"payments": {Done: 2},
				"":         {Done: 1, WontDo: 1},
			},
			ByOwner: map[string]incident.StatusCounts{
				"ana":  {Open: 1, InProgress: 1, WontDo: 1, Overdue: 1},
				"bob":  {Done: 3},
				"carl": {Open: 1, Overdue: 1},
			},
			ByService: map[string]incident.StatusCounts{
				"api": {Open: 1, InProgress: 1, Done: 1, Overdue: 1},
				"web": {Open: 1, Done: 2, WontDo: 1, Overdue: 1},
			},
			ByPriority: map[string]incident.StatusCounts{
				"high":   {Open: 1, Overdue: 1},
				"medium": {Open: 1, InProgress: 1, Done: 3, WontDo: 1, Overdue: 1},
			},
			CompletionWithinPolicy: incident.CompletionPolicy{Done: 2, OnTime: 1, Share: fp(0.5), NoDueDate: 1},
			// days to close 2, 4, 6.5: nearest rank 50% → 2nd, 90% → 3rd
			DaysToClose: incident.DaysToClose{P50: fp(4), P90: fp(6.5), Count: 3},
			OldestOverdue: []incident.OverdueAction{
				{ID: acts[6].ID, IncidentKey: "INC-2", Title: "a7", Owner: "carl", Team: "sre", DueDate: *d(3, 2), DaysOverdue: 8},
				{ID: acts[0].ID, IncidentKey: "INC-1", Title: "a1", Owner: "ana", Team: "SRE", DueDate: *d(3, 9), DaysOverdue: 1},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("outsider (-want +got):\n%s", diff)
		}

		all, err := s.ActionMetrics(ctx, f(func(f *incident.ActionMetricsFilter) { f.Viewer = incident.Viewer{Principals: []string{"security"}} }))
		if err != nil {
			t.Fatal(err)
		}
		if want := (incident.StatusCounts{Open: 3, InProgress: 1, Done: 3, WontDo: 1, Overdue: 3}); all.Counts != want {
			t.Errorf("member counts = %+v, want %+v", all.Counts, want)
		}
		if len(all.OldestOverdue) != 3 || all.OldestOverdue[0].Title != "a8" || all.OldestOverdue[0].DaysOverdue != 18 {
			t.Errorf("member oldest overdue = %+v", all.OldestOverdue)
		}
		if want := (incident.StatusCounts{Open: 2, InProgress: 1, Done: 1, Overdue: 2}); all.ByService["api"] != want {
			t.Errorf("member api = %+v, want %+v", all.ByService["api"], want)
		}

		for _, tc := range []struct {
			name       string
			f          incident.ActionMetricsFilter
			counts     incident.StatusCounts
			completion incident.CompletionPolicy
			closeCount int
		}{
			{"service web", f(func(f *incident.ActionMetricsFilter) { f.Service = "WEB" }),
				incident.StatusCounts{Open: 1, Done: 2, WontDo: 1, Overdue: 1},
				incident.CompletionPolicy{Done: 1, OnTime: 1, Share: fp(1), NoDueDate: 1}, 2},
			{"severity", f(func(f *incident.ActionMetricsFilter) { f.Severity = incident.SEV1 }),
				incident.StatusCounts{Open: 1, Done: 2, WontDo: 1, Overdue: 1},
				incident.CompletionPolicy{Done: 1, OnTime: 1, Share: fp(1), NoDueDate: 1}, 2},
			{"team and owner", f(func(f *incident.ActionMetricsFilter) { f.Team, f.Owner = "sre", "ANA" }),
				incident.StatusCounts{Open: 1, InProgress: 1, Overdue: 1}, incident.CompletionPolicy{}, 0},
			{"created from", f(func(f *incident.ActionMetricsFilter) { f.From = d(3, 2) }),
				incident.StatusCounts{Open: 1, Overdue: 1},
				incident.CompletionPolicy{Done: 2, OnTime: 1, Share: fp(0.5), NoDueDate: 1}, 3},
			{"to", f(func(f *incident.ActionMetricsFilter) { f.To = d(3, 4) }),
				incident.StatusCounts{Open: 1, InProgress: 1, Done: 3, WontDo: 1, Overdue: 1},
				incident.CompletionPolicy{NoDueDate: 1}, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ActionMetrics(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got.Counts != tc.counts {
					t.Errorf("counts = %+v, want %+v", got.Counts, tc.counts)
				}
				if diff := cmp.Diff(tc.completion, got.CompletionWithinPolicy); diff != "" {
					t.Errorf("completion (-want +got):\n%s", diff)
				}
				if got.DaysToClose.Count != tc.closeCount {
					t.Errorf("days to close = %+v, want count %d", got.DaysToClose, tc.closeCount)
				}
			})
		}
	})
}
