package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestStore_ActionsClosed counts the actions of seedActionMetrics closed on
// given days by their completion time (a3 done 03-07 12:00, a4 done 03-05
// 00:00, a5 done 03-03, a6 won't do 03-02), whenever they were created,
// with the other filters applied.
func TestStore_ActionsClosed(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		seedActionMetrics(t, s, c)
		d := func(day int) *incident.Date { return &incident.Date{Year: 2026, Month: time.March, Day: day} }
		outsider := incident.Viewer{Principals: []string{"ops"}}
		tests := []struct {
			name         string
			f            incident.ActionMetricsFilter
			done, wontDo int
		}{
			{name: "first days", f: incident.ActionMetricsFilter{From: d(2), To: d(4)}, done: 1, wontDo: 1},
			{name: "the last day counts whole", f: incident.ActionMetricsFilter{From: d(5), To: d(7)}, done: 2},
			{name: "a day without closing", f: incident.ActionMetricsFilter{From: d(6), To: d(6)}},
			{name: "team", f: incident.ActionMetricsFilter{Team: "PAYMENTS"}, done: 2},
			{name: "service of the incident", f: incident.ActionMetricsFilter{Service: "web"}, done: 2, wontDo: 1},
			{name: "open-ended", f: incident.ActionMetricsFilter{From: d(4)}, done: 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.Viewer = outsider
				done, wontDo, err := s.ActionsClosed(context.Background(), tt.f)
				if err != nil || done != tt.done || wontDo != tt.wontDo {
					t.Errorf("done %d, won't do %d, err %v; want %d, %d", done, wontDo, err, tt.done, tt.wontDo)
				}
			})
		}
	})
}

// TestStore_MetricsToTheLastDay: a range ending on 9999-12-31 (the last day
// Hindsight stores) counts everything, like one without an end.
func TestStore_MetricsToTheLastDay(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		seedActionMetrics(t, s, c)
		first := &incident.Date{Year: 1, Month: time.January, Day: 1}
		last := &incident.Date{Year: 9999, Month: time.December, Day: 31}
		today := incident.Date{Year: 2026, Month: time.March, Day: 10}
		am, err := s.ActionMetrics(ctx, incident.ActionMetricsFilter{From: first, To: last, Today: today, Viewer: incident.EveryIncident})
		if err != nil {
			t.Fatal(err)
		}
		if n := am.Counts.Open + am.Counts.InProgress + am.Counts.Done + am.Counts.WontDo; n != 8 {
			t.Errorf("actions counted to 9999-12-31: %d, want 8 (%+v)", n, am.Counts)
		}
		im, err := s.IncidentMetrics(ctx, incident.IncidentMetricsFilter{To: last, RCADays: 14, Now: c.t, Viewer: incident.EveryIncident})
		if err != nil {
			t.Fatal(err)
		}
		if len(im.PerMonth) == 0 || im.PerMonth[0].Count != 3 {
			t.Errorf("incidents counted to 9999-12-31: %+v", im.PerMonth)
		}
		if done, _, err := s.ActionsClosed(ctx, incident.ActionMetricsFilter{To: last, Viewer: incident.EveryIncident}); err != nil || done != 3 {
			t.Errorf("closed to 9999-12-31: %d, %v", done, err)
		}
	})
}
