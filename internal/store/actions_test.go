package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_Actions(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc1 := createIncident(t, s, newIncident("one"))
		inc2 := createIncident(t, s, newIncident("two"))
		today := incident.Date{Year: 2026, Month: 3, Day: 10}
		var all []incident.CorrectiveAction
		for i := 0; i < 16; i++ {
			a := incident.CorrectiveAction{
				IncidentID: []int64{inc1.ID, inc2.ID}[i%2], Title: fmt.Sprint("action ", i),
				Owner: []string{"Alice", "bob"}[i%2], Team: []string{"SRE", "payments", "sre"}[i%3],
				Priority: incident.Priorities[i%4], Status: incident.ActionStatuses[i%4],
			}
			if i%5 != 4 {
				d := today.AddDays(i/2 - 4) // pairs share a day; some in the past
				a.DueDate = &d
			}
			a.Normalize()
			if err := s.CreateAction(ctx, &a); err != nil {
				t.Fatal(err)
			}
			all = append(all, a)
		}
		got, err := s.Action(ctx, all[3].ID)
		if err != nil || got.IncidentKey != inc2.Key {
			t.Fatalf("Action = %+v, %v", got, err)
		}
		if diff := cmp.Diff(all[3], got); diff != "" {
			t.Errorf("read back (-created +read):\n%s", diff)
		}
		// the expected order: due date, undated last, then id
		ordered := func(pred func(incident.CorrectiveAction) bool) []int64 {
			var dated, undated []int64
			byDay := map[string][]int64{}
			var days []string
			for _, a := range all {
				if !pred(a) {
					continue
				}
				if a.DueDate == nil {
					undated = append(undated, a.ID)
					continue
				}
				k := a.DueDate.String()
				if byDay[k] == nil {
					days = append(days, k)
				}
				byDay[k] = append(byDay[k], a.ID)
			}
			for _, d := range days { // created in day order already
				dated = append(dated, byDay[d]...)
			}
			return append(dated, undated...)
		}
		before := today.AddDays(-1)
		for _, tc := range []struct {
			name string
			f    incident.ActionFilter
			want []int64
		}{
			{"all", incident.ActionFilter{}, ordered(func(incident.CorrectiveAction) bool { return true })},
			{"incident", incident.ActionFilter{IncidentID: inc1.ID}, ordered(func(a incident.CorrectiveAction) bool { return a.IncidentID == inc1.ID })},
			{"statuses", incident.ActionFilter{Statuses: []incident.ActionStatus{incident.ActionOpen, incident.ActionDone}},
				ordered(func(a incident.CorrectiveAction) bool {
					return a.Status == incident.ActionOpen || a.Status == incident.ActionDone
				})},
			{"owner ignores case", incident.ActionFilter{Owner: "ALICE"}, ordered(func(a incident.CorrectiveAction) bool { return a.Owner == "Alice" })},
			{"team ignores case", incident.ActionFilter{Team: "sre"}, ordered(func(a incident.CorrectiveAction) bool { return a.Team != "payments" })},
			{"priority", incident.ActionFilter{Priority: "HIGH"}, ordered(func(a incident.CorrectiveAction) bool { return a.Priority == incident.PriorityHigh })},
			{"overdue", incident.ActionFilter{Overdue: true, Today: today}, ordered(func(a incident.CorrectiveAction) bool { return a.Overdue(today) })},
			{"due before", incident.ActionFilter{DueBefore: &before},
				ordered(func(a incident.CorrectiveAction) bool { return a.DueDate != nil && a.DueDate.Before(before) })},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if len(tc.want) == 0 {
					t.Fatal("test case selects nothing")
				}
				for _, limit := range []int{1, 3, 100} {
					f := tc.f
					f.Limit = limit
					var got []int64
					for {
						items, total, err := s.Actions(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						if total != len(tc.want) {
							t.Errorf("limit %d: total %d, want %d", limit, total, len(tc.want))
						}
						more := len(items) > limit
						if more {
							items = items[:limit]
						}
						for _, a := range items {
							if a.IncidentKey != incident.FormatKey(a.IncidentID) {
								t.Errorf("IncidentKey %q", a.IncidentKey)
							}
							got = append(got, a.ID)
						}
						if !more {
							break
						}
						c := store.ActionCursor(items[len(items)-1])
						f.Cursor = &c
					}
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("limit %d: ids (-want +got):\n%s", limit, diff)
					}
				}
			})
		}

		t.Run("update", func(t *testing.T) {
			a := all[0]
			done := time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)
			a.Status, a.CompletedAt, a.DueDate, a.Title = incident.ActionDone, &done, nil, "not written"
			got, err := s.UpdateAction(ctx, a, 1, []string{"status", "completed_at", "due_date"})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != incident.ActionDone || !got.CompletedAt.Equal(done) || got.DueDate != nil || got.Title != all[0].Title || got.Version != 2 || got.IncidentKey == "" {
				t.Errorf("updated = %+v", got)
			}
			_, err = s.UpdateAction(ctx, a, 1, []string{"status"})
			var ce *incident.ConflictError
			if !errors.As(err, &ce) || ce.Current.(incident.CorrectiveAction).Version != 2 {
				t.Errorf("stale: %v", err)
			}
			if _, err := s.UpdateAction(ctx, a, 2, []string{"incident_id"}); err == nil {
				t.Error("incident_id is not updatable")
			}
			if err := s.DeleteAction(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteAction(ctx, a.ID); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("second delete: %v", err)
			}
			if _, err := s.UpdateAction(ctx, a, 2, []string{"status"}); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("update deleted: %v", err)
			}
			if err := s.CreateAction(ctx, &incident.CorrectiveAction{IncidentID: 999, Title: "x", Type: "corrective", Priority: "low", Status: "open"}); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("action of unknown incident: %v", err)
			}
		})
	})
}
