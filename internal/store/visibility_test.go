package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestStore_Visibility: every list and count applies the viewer in its
// query — pages, totals and counts alike — matching restricted_to
// case-insensitively in any script, and follows restricted_to as it is
// updated.
func TestStore_Visibility(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		restricted := func(title string, to ...string) incident.Incident {
			i := newIncident(title)
			i.Visibility, i.RestrictedTo = incident.VisibilityRestricted, to
			i.Normalize()
			return createIncident(t, s, i)
		}
		open := createIncident(t, s, newIncident("open"))
		sec := restricted("security", "Security", "Équipe-Sûreté", "alice@example.com")
		dba := restricted("dba", "dba")
		// Named like a group but internal: restricted_to alone hides nothing.
		named := newIncident("named")
		named.RestrictedTo = []string{"nobody"}
		named = createIncident(t, s, named)
		incs := []incident.Incident{open, sec, dba, named}
		for _, inc := range incs {
			for _, st := range []incident.ActionStatus{incident.ActionOpen, incident.ActionDone} {
				a := incident.CorrectiveAction{IncidentID: inc.ID, Title: "fix " + inc.Title, Status: st}
				a.Normalize()
				if err := s.CreateAction(ctx, &a); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: open.ID, PastIncidentID: sec.ID}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: dba.ID, PastIncidentID: open.ID}); err != nil {
			t.Fatal(err)
		}
		ids := func(xs ...incident.Incident) []int64 {
			out := []int64{}
			for _, x := range xs {
				out = append(out, x.ID)
			}
			slices.Sort(out)
			return out
		}
		all := ids(incs...)

		check := func(t *testing.T, v incident.Viewer, want []int64) {
			t.Helper()
			var got []int64
			f := incident.IncidentFilter{Limit: 1, Sort: incident.SortOrder{Field: "key"}, Viewer: v}
			for {
				page, total, err := s.Incidents(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Errorf("incidents total = %d, want %d", total, len(want))
				}
				if len(page) == 0 {
					break
				}
				got = append(got, page[0].ID)
				if len(page) == 1 {
					break
				}
				c := store.IncidentCursor(page[0], "key")
				f.After = &c
			}
			if !slices.Equal(got, want) {
				t.Errorf("incidents = %v, want %v", got, want)
			}
			if _, total, err := s.Incidents(ctx, incident.IncidentFilter{Service: "API", Tag: "db", Viewer: v}); err != nil || total != len(want) {
				t.Errorf("incidents by label: total %d (%v), want %d", total, err, len(want))
			}

			acts, total, err := s.Actions(ctx, incident.ActionFilter{Limit: 100, Viewer: v})
			if err != nil || total != 2*len(want) || len(acts) != 2*len(want) {
				t.Errorf("actions = %d, total %d (%v), want %d", len(acts), total, err, 2*len(want))
			}
			for _, a := range acts {
				if !slices.Contains(want, a.IncidentID) {
					t.Errorf("actions list one of incident %d", a.IncidentID)
				}
			}
			if _, total, _ := s.Actions(ctx, incident.ActionFilter{IncidentID: sec.ID, Viewer: v}); (total == 2) != slices.Contains(want, sec.ID) {
				t.Errorf("actions of the restricted incident by id: total %d", total)
			}
			counts, err := s.ActionStatusCounts(ctx, all, v)
			if err != nil {
				t.Fatal(err)
			}
			var counted []int64
			for id, byStatus := range counts {
				counted = append(counted, id)
				if byStatus[incident.ActionOpen] != 1 || byStatus[incident.ActionDone] != 1 {
					t.Errorf("counts of %d = %v", id, byStatus)
				}
			}
			slices.Sort(counted)
			if !slices.Equal(counted, want) {
				t.Errorf("action counts of %v, want %v", counted, want)
			}

			vis, err := s.VisibleIncidentIDs(ctx, append(slices.Clone(all), 999999), v)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(vis)
			if !slices.Equal(vis, want) {
				t.Errorf("visible ids = %v, want %v", vis, want)
			}

			wantRecs := 0
			for _, pair := range [][2]int64{{open.ID, sec.ID}, {dba.ID, open.ID}} {
				if slices.Contains(want, pair[0]) && slices.Contains(want, pair[1]) {
					wantRecs++
				}
			}
			if recs, total, err := s.Recurrences(ctx, incident.RecurrenceFilter{Viewer: v}); err != nil || total != wantRecs || len(recs) != wantRecs {
				t.Errorf("recurrences = %d, total %d (%v), want %d", len(recs), total, err, wantRecs)
			}
		}

		for _, tc := range []struct {
			name string
			v    incident.Viewer
			want []int64
		}{
			{"zero viewer", incident.Viewer{}, ids(open, named)},
			{"outsider", incident.Viewer{Principals: []string{"bob@example.com", "ops", "nobody"}}, ids(open, named)},
			{"blank principals", incident.Viewer{Principals: []string{"", "  "}}, ids(open, named)},
			{"user, other case", incident.Viewer{Principals: []string{"Alice@Example.COM"}}, ids(open, sec, named)},
			{"group, spaces and case", incident.Viewer{Principals: []string{" SECURITY "}}, ids(open, sec, named)},
			{"group, non-ASCII case", incident.Viewer{Principals: []string{"ÉQUIPE-SÛRETÉ"}}, ids(open, sec, named)},
			{"two groups", incident.Viewer{Principals: []string{"dba", "security"}}, all},
			{"everything", incident.EveryIncident, all},
		} {
			t.Run(tc.name, func(t *testing.T) { check(t, tc.v, tc.want) })
		}

		// restricted_to is followed as it changes.
		cur, err := s.Incident(ctx, dba.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.RestrictedTo = []string{"Ops"}
		if _, err := s.UpdateIncident(ctx, cur, cur.Version, []string{"restricted_to"}); err != nil {
			t.Fatal(err)
		}
		t.Run("after restricting to another group", func(t *testing.T) {
			check(t, incident.Viewer{Principals: []string{"dba"}}, ids(open, named))
			check(t, incident.Viewer{Principals: []string{"ops"}}, ids(open, dba, named))
		})
		cur, err = s.Incident(ctx, sec.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Visibility = incident.VisibilityInternal
		if _, err := s.UpdateIncident(ctx, cur, cur.Version, []string{"visibility"}); err != nil {
			t.Fatal(err)
		}
		t.Run("after opening one", func(t *testing.T) { check(t, incident.Viewer{}, ids(open, sec, named)) })
		if err := s.DeleteIncident(ctx, dba.ID); err != nil {
			t.Fatalf("delete a restricted incident: %v", err)
		}
		t.Run("after deleting one", func(t *testing.T) {
			check(t, incident.Viewer{Principals: []string{"ops"}}, ids(open, sec, named))
		})
	})
}
