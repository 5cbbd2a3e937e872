package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_AddRecurrence(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		past := createIncident(t, s, newIncident("BGP leak"))
		cur := createIncident(t, s, newIncident("BGP leak again"))
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		rec := incident.Recurrence{IncidentID: cur.ID, PastIncidentID: past.ID, Relative: 0.62, Score: 3.5,
			ActionsClosed: 4, CreatedAt: at,
			Reasons: []incident.MatchReason{{Kind: "terms", Values: []string{"bgp", "<route>"}, Text: "Both mention bgp"}}}

		// Replicas race to flag the same pair: exactly one insert wins.
		var wg sync.WaitGroup
		inserted := make([]bool, 4)
		errs := make([]error, 4)
		for i := range inserted {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, inserted[i], errs[i] = s.AddRecurrence(ctx, rec)
			}()
		}
		wg.Wait()
		wins := 0
		for i := range inserted {
			if errs[i] != nil {
				t.Fatalf("add %d: %v", i, errs[i])
			}
			if inserted[i] {
				wins++
			}
		}
		if wins != 1 {
			t.Fatalf("%d inserts won, want 1", wins)
		}

		got, n, err := s.Recurrences(ctx, incident.RecurrenceFilter{Viewer: incident.EveryIncident})
		if err != nil || n != 1 || len(got) != 1 {
			t.Fatalf("list = %d rows, total %d, err %v", len(got), n, err)
		}
		g := got[0]
		if diff := cmp.Diff(rec.Reasons, g.Reasons); diff != "" {
			t.Errorf("reasons (-want +got):\n%s", diff)
		}
		if g.Relative != 0.62 || g.Score != 3.5 || g.ActionsClosed != 4 || !g.CreatedAt.Equal(at) || g.DismissedAt != nil {
			t.Errorf("row = %+v", g)
		}
		if g.Incident.Key != cur.Key || g.Incident.Title != cur.Title || g.Past.Key != past.Key ||
			g.Past.Status != past.Status || g.Past.Visibility != incident.VisibilityInternal {
			t.Errorf("incidents = %+v / %+v", g.Incident, g.Past)
		}

		if _, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: cur.ID, PastIncidentID: 999999}); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("unknown past incident: err = %v, want not found", err)
		}
		// Deleting either incident removes the warning.
		if err := s.DeleteIncident(ctx, past.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Recurrence(ctx, g.ID); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("after delete: err = %v, want not found", err)
		}
	})
}

func TestStore_RecurrencesList(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		past := createIncident(t, s, newIncident("past"))
		secret := newIncident("secret past")
		secret.Visibility, secret.RestrictedTo = incident.VisibilityRestricted, []string{"sec-team"}
		restricted := createIncident(t, s, secret)
		base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var ids []int64 // in insertion order; the list is newest first
		var curs []incident.Incident
		for i := range 5 {
			cur := createIncident(t, s, newIncident("current"))
			curs = append(curs, cur)
			p := past.ID
			if i == 4 {
				p = restricted.ID
			}
			// Two share a creation time, so the cursor must break the tie by id.
			at := base.Add(time.Duration(min(i, 3)) * time.Minute)
			id, ok, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: cur.ID, PastIncidentID: p, Relative: 0.5, CreatedAt: at})
			if err != nil || !ok {
				t.Fatalf("add: %v %v", ok, err)
			}
			ids = append(ids, id)
		}
		newestFirst := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}

		var seen []int64
		f := incident.RecurrenceFilter{Limit: 2, Viewer: incident.EveryIncident}
		for range 5 {
			got, total, err := s.Recurrences(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != 5 {
				t.Errorf("total = %d, want 5", total)
			}
			if len(got) <= 2 {
				for _, r := range got {
					seen = append(seen, r.ID)
				}
				break
			}
			for _, r := range got[:2] {
				seen = append(seen, r.ID)
			}
			c := store.RecurrenceCursor(got[1])
			f.Cursor = &c
		}
		if diff := cmp.Diff(newestFirst, seen); diff != "" {
			t.Errorf("paged order (-want +got):\n%s", diff)
		}

		// Dismissing hides a warning unless dismissed ones are asked for;
		// dismissing again keeps the first dismissal.
		t1 := base.Add(time.Hour)
		d, err := s.DismissRecurrence(ctx, ids[1], "alice", t1)
		if err != nil || d.DismissedAt == nil || !d.DismissedAt.Equal(t1) || d.DismissedBy != "alice" {
			t.Fatalf("dismiss = %+v, %v", d, err)
		}
		if d, err = s.DismissRecurrence(ctx, ids[1], "bob", t1.Add(time.Hour)); err != nil || d.DismissedBy != "alice" || !d.DismissedAt.Equal(t1) {
			t.Errorf("dismiss again = %+v, %v", d, err)
		}
		if _, err := s.DismissRecurrence(ctx, 999999, "bob", t1); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("dismiss unknown: err = %v", err)
		}
		for _, tc := range []struct {
			name string
			f    incident.RecurrenceFilter
			want []int64
		}{
			{"open only", incident.RecurrenceFilter{}, []int64{ids[4], ids[3], ids[2], ids[0]}},
			{"with dismissed", incident.RecurrenceFilter{IncludeDismissed: true}, newestFirst},
			{"one incident", incident.RecurrenceFilter{IncidentID: curs[2].ID}, []int64{ids[2]}},
			{"dismissed of one incident", incident.RecurrenceFilter{IncidentID: curs[1].ID}, []int64{}},
			{"excluded", incident.RecurrenceFilter{Exclude: []int64{ids[4], ids[0]}}, []int64{ids[3], ids[2]}},
			// The warning about the restricted past incident is listed only
			// to viewers it is open to, in the page and the total alike.
			{"outsider", incident.RecurrenceFilter{Viewer: incident.Viewer{Principals: []string{"ops"}}}, []int64{ids[3], ids[2], ids[0]}},
			{"no principals", incident.RecurrenceFilter{Viewer: incident.Viewer{}}, []int64{ids[3], ids[2], ids[0]}},
			{"member, other case", incident.RecurrenceFilter{Viewer: incident.Viewer{Principals: []string{"ops", " SEC-Team "}}}, []int64{ids[4], ids[3], ids[2], ids[0]}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.f.Viewer.Principals == nil && !strings.HasPrefix(tc.name, "no principals") {
					tc.f.Viewer = incident.EveryIncident
				}
				got, total, err := s.Recurrences(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				gotIDs := []int64{}
				for _, r := range got {
					gotIDs = append(gotIDs, r.ID)
				}
				if diff := cmp.Diff(tc.want, gotIDs); diff != "" || total != len(tc.want) {
					t.Errorf("total %d; ids (-want +got):\n%s", total, diff)
				}
			})
		}

		r4, err := s.Recurrence(ctx, ids[4])
		if err != nil || r4.Past.Visibility != incident.VisibilityRestricted || !cmp.Equal(r4.Past.RestrictedTo, []string{"sec-team"}) {
			t.Errorf("restricted = %+v, %v", r4, err)
		}

		var ve *incident.ValidationError
		if _, _, err := s.Recurrences(ctx, incident.RecurrenceFilter{Cursor: &incident.Cursor{Value: "nope", ID: 1}}); !errors.As(err, &ve) {
			t.Errorf("bad cursor: err = %v", err)
		}
	})
}
