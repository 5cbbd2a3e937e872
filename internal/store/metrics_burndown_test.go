package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestStore_ActionBurndownCounts counts the actions of seedActionMetrics:
// a1..a6 created 03-01, a7 03-05; a6 closed (won't do) 03-02, a5 03-03, a4
// 03-05, a3 03-07 12:00; a8 is on an incident restricted to Security.
func TestStore_ActionBurndownCounts(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		seedActionMetrics(t, s, c)
		d := func(m time.Month, day int) incident.Date { return incident.Date{Year: 2026, Month: m, Day: day} }
		outsider := incident.Viewer{Principals: []string{"ops"}}
		member := incident.Viewer{Principals: []string{"security"}}
		for _, tc := range []struct {
			name     string
			f        incident.ActionMetricsFilter
			from, to incident.Date
			want     incident.BurndownCounts
		}{
			{"whole range", incident.ActionMetricsFilter{Viewer: outsider}, d(2, 20), d(3, 10), incident.BurndownCounts{
				Opened: map[incident.Date]int{d(3, 1): 6, d(3, 5): 1},
				Closed: map[incident.Date]int{d(3, 2): 1, d(3, 3): 1, d(3, 5): 1, d(3, 7): 1},
			}},
			// a5 closes on 03-03 itself: still open at its start.
			{"from the middle", incident.ActionMetricsFilter{Viewer: outsider}, d(3, 3), d(3, 6), incident.BurndownCounts{
				OpenBefore: 5,
				Opened:     map[incident.Date]int{d(3, 5): 1},
				Closed:     map[incident.Date]int{d(3, 3): 1, d(3, 5): 1},
			}},
			{"member sees a8", incident.ActionMetricsFilter{Viewer: member}, d(3, 2), d(3, 2), incident.BurndownCounts{
				OpenBefore: 7, Opened: map[incident.Date]int{}, Closed: map[incident.Date]int{d(3, 2): 1},
			}},
			// The created range of the filter does not apply: the range is
			// the burn-down's own.
			{"team, created range ignored", incident.ActionMetricsFilter{Viewer: outsider, Team: "SRE", From: ptrDate(d(3, 5))}, d(3, 1), d(3, 10), incident.BurndownCounts{
				Opened: map[incident.Date]int{d(3, 1): 2, d(3, 5): 1}, Closed: map[incident.Date]int{},
			}},
			{"service web", incident.ActionMetricsFilter{Viewer: outsider, Service: "web"}, d(3, 4), d(3, 10), incident.BurndownCounts{
				OpenBefore: 1, // a4; a5 and a6 closed before 03-04
				Opened:     map[incident.Date]int{d(3, 5): 1},
				Closed:     map[incident.Date]int{d(3, 5): 1},
			}},
			{"severity and owner", incident.ActionMetricsFilter{Viewer: outsider, Severity: incident.SEV1, Owner: "BOB"}, d(3, 1), d(3, 4), incident.BurndownCounts{
				Opened: map[incident.Date]int{d(3, 1): 2}, Closed: map[incident.Date]int{d(3, 3): 1},
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ActionBurndownCounts(ctx, tc.f, tc.from, tc.to, nil)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("counts (-want +got):\n%s", diff)
				}
				// The totals of the dashboard without a range give the same.
				f := tc.f
				f.From, f.To = nil, nil
				m, err := s.ActionMetrics(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				withTotals, err := s.ActionBurndownCounts(ctx, tc.f, tc.from, tc.to, &m.Counts)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, withTotals); diff != "" {
					t.Errorf("counts from totals (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func ptrDate(d incident.Date) *incident.Date { return &d }
