package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// seedIncidents creates n incidents whose times tie in groups of three, with
// every third one lacking a start time.
func seedIncidents(t *testing.T, s *store.Store, n int) []incident.Incident {
	t.Helper()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]incident.Incident, 0, n)
	for i := 0; i < n; i++ {
		inc := newIncident(fmt.Sprintf("incident %d", i))
		inc.CreatedAt = base.Add(time.Duration(i/3) * time.Hour) // ties in threes
		inc.Severity = incident.Severities[i%len(incident.Severities)]
		inc.Status = incident.Statuses[i%len(incident.Statuses)]
		if i%3 != 0 {
			inc.StartedAt = ptr(base.Add(time.Duration(n-i/2) * 30 * time.Minute))
		}
		switch i % 4 {
		case 0:
			inc.Services = []string{"api"}
		case 1:
			inc.Services = []string{"API-Gateway", "billing"}
		case 2:
			inc.Services = []string{"Billing", `we"ird%_\`}
		default:
			inc.Services = []string{}
		}
		inc.Teams = []string{fmt.Sprintf("team-%d", i%2)}
		out = append(out, createIncident(t, s, inc))
	}
	return out
}

// sortValue is what the store sorts incidents by under field.
func sortValue(inc incident.Incident, field string) string {
	switch field {
	case "key":
		return fmt.Sprintf("%020d", inc.ID)
	default:
		return store.IncidentCursor(inc, field).Value
	}
}

// listAll pages through a list, limit rows at a time, and returns the ids.
func listAll(t *testing.T, s *store.Store, f incident.IncidentFilter, limit int) ([]int64, int) {
	t.Helper()
	var ids []int64
	f.Limit = limit
	total := -1
	for page := 0; page < 100; page++ {
		items, n, err := s.Incidents(context.Background(), f)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if total >= 0 && n != total {
			t.Fatalf("total changed between pages: %d then %d", total, n)
		}
		total = n
		more := len(items) > limit
		if more {
			items = items[:limit]
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		if !more {
			return ids, total
		}
		c := store.IncidentCursor(items[len(items)-1], f.Sort.Field)
		f.After = &c
	}
	t.Fatal("too many pages")
	return nil, 0
}

func TestStore_Incidents_SortAndPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		all := seedIncidents(t, s, 20)
		for _, field := range append([]string{""}, incident.IncidentSortFields...) {
			for _, desc := range []bool{false, true} {
				name := fmt.Sprintf("%s desc=%v", field, desc)
				if field == "" {
					name = "default"
					if desc {
						continue
					}
				}
				t.Run(name, func(t *testing.T) {
					want := append([]incident.Incident(nil), all...)
					sf, sd := field, desc
					if sf == "" {
						sf, sd = "created_at", true
					}
					sort.Slice(want, func(i, j int) bool {
						a, b := sortValue(want[i], sf), sortValue(want[j], sf)
						if a != b {
							return (a < b) != sd
						}
						return (want[i].ID < want[j].ID) != sd
					})
					wantIDs := make([]int64, len(want))
					for i, w := range want {
						wantIDs[i] = w.ID
					}
					for _, limit := range []int{1, 4, 7, 50} {
						got, total := listAll(t, s, incident.IncidentFilter{Sort: incident.SortOrder{Field: field, Desc: desc}}, limit)
						if total != len(all) {
							t.Errorf("limit %d: total = %d, want %d", limit, total, len(all))
						}
						if diff := cmp.Diff(wantIDs, got); diff != "" {
							t.Errorf("limit %d: ids (-want +got):\n%s", limit, diff)
						}
					}
				})
			}
		}
		t.Run("unknown sort", func(t *testing.T) {
			_, _, err := s.Incidents(context.Background(), incident.IncidentFilter{Sort: incident.SortOrder{Field: "title"}})
			if err == nil {
				t.Fatal("want an error")
			}
		})
	})
}

func TestStore_Incidents_Filters(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		all := seedIncidents(t, s, 20)
		match := func(pred func(incident.Incident) bool) []int64 {
			var ids []int64
			for _, i := range all {
				if pred(i) {
					ids = append(ids, i.ID)
				}
			}
			return ids
		}
		hasLabel := func(ls []string, v string) bool {
			for _, l := range ls {
				if strings.EqualFold(l, v) {
					return true
				}
			}
			return false
		}
		start := func(i incident.Incident) time.Time {
			if i.StartedAt != nil {
				return *i.StartedAt
			}
			return i.CreatedAt
		}
		cut := time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name string
			f    incident.IncidentFilter
			want []int64
		}{
			{"no filter", incident.IncidentFilter{}, match(func(incident.Incident) bool { return true })},
			{"statuses", incident.IncidentFilter{Statuses: []incident.Status{incident.StatusOpen, incident.StatusResolved}},
				match(func(i incident.Incident) bool { return i.Status != incident.StatusMitigated })},
			{"severities", incident.IncidentFilter{Severities: []incident.Severity{"sev1", incident.SEV2}},
				match(func(i incident.Incident) bool { return i.Severity == incident.SEV1 || i.Severity == incident.SEV2 })},
			{"service is not a substring match", incident.IncidentFilter{Service: "api"},
				match(func(i incident.Incident) bool { return hasLabel(i.Services, "api") })},
			{"service ignores case", incident.IncidentFilter{Service: "api-gateway"},
				match(func(i incident.Incident) bool { return hasLabel(i.Services, "API-Gateway") })},
			{"service with JSON and LIKE metacharacters", incident.IncidentFilter{Service: `WE"IRD%_\`},
				match(func(i incident.Incident) bool { return hasLabel(i.Services, `we"ird%_\`) })},
			{"service with a wildcard matches nothing", incident.IncidentFilter{Service: "%"}, nil},
			{"team", incident.IncidentFilter{Team: "TEAM-1"},
				match(func(i incident.Incident) bool { return hasLabel(i.Teams, "team-1") })},
			{"tag", incident.IncidentFilter{Tag: "db"}, match(func(incident.Incident) bool { return true })},
			{"tag missing", incident.IncidentFilter{Tag: "d"}, nil},
			{"started after", incident.IncidentFilter{StartedAfter: &cut},
				match(func(i incident.Incident) bool { return !start(i).Before(cut) })},
			{"started before", incident.IncidentFilter{StartedBefore: &cut},
				match(func(i incident.Incident) bool { return start(i).Before(cut) })},
			{"combined", incident.IncidentFilter{Service: "billing", Team: "team-0", Statuses: []incident.Status{incident.StatusOpen}},
				match(func(i incident.Incident) bool {
					return hasLabel(i.Services, "billing") && hasLabel(i.Teams, "team-0") && i.Status == incident.StatusOpen
				})},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.f
				f.Sort = incident.SortOrder{Field: "key"}
				got, total := listAll(t, s, f, 3)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
				if total != len(tc.want) {
					t.Errorf("total = %d, want %d", total, len(tc.want))
				}
			})
		}
		if got := len(match(func(i incident.Incident) bool { return hasLabel(i.Services, "api") })); got == 0 {
			t.Fatal("seed has no api incidents")
		}
	})
}

func TestStore_Incidents_LabelsFollowUpdates(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := newIncident("labels")
		inc.Services = []string{"Überweisung", "api"}
		if err := s.CreateIncident(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		count := func(f incident.IncidentFilter) int {
			_, total, err := s.Incidents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		if n := count(incident.IncidentFilter{Service: "ÜBERWEISUNG"}); n != 1 {
			t.Fatalf("non-ASCII case-insensitive match: %d", n)
		}
		inc.Services = []string{"billing"}
		inc.Tags = []string{"Payments"}
		if _, err := s.UpdateIncident(ctx, inc, inc.Version, []string{"services", "tags"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			f    incident.IncidentFilter
			want int
		}{
			{"old service gone", incident.IncidentFilter{Service: "api"}, 0},
			{"new service", incident.IncidentFilter{Service: "Billing"}, 1},
			{"new tag", incident.IncidentFilter{Tag: "payments"}, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if n := count(tc.f); n != tc.want {
					t.Fatalf("got %d, want %d", n, tc.want)
				}
			})
		}
		// A stale update changes neither the row nor its labels.
		inc.Services = []string{"stale"}
		if _, err := s.UpdateIncident(ctx, inc, inc.Version, []string{"services"}); err == nil {
			t.Fatal("stale update succeeded")
		}
		if n := count(incident.IncidentFilter{Service: "stale"}); n != 0 {
			t.Fatalf("stale update wrote labels: %d", n)
		}
	})
}
