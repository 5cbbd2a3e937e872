package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_RootCauses(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("rc"))
		at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
		evs, _, err := s.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{event("s", "1", at), event("s", "2", at), event("s", "3", at)})
		if err != nil {
			t.Fatal(err)
		}
		e1, e2, e3 := evs[0].ID, evs[1].ID, evs[2].ID
		rc := incident.RootCause{IncidentID: inc.ID, Category: incident.CategoryConfigChange, Description: "bad flag", EvidenceEventIDs: []int64{e3, e1}}
		if err := s.CreateRootCause(ctx, &rc); err != nil {
			t.Fatal(err)
		}
		plain := incident.RootCause{IncidentID: inc.ID, Category: incident.CategoryUnknown, Description: "no evidence"}
		if err := s.CreateRootCause(ctx, &plain); err != nil {
			t.Fatal(err)
		}
		all, err := s.RootCauses(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]incident.RootCause{rc, plain}, all); diff != "" {
			t.Errorf("RootCauses (-want +got):\n%s", diff)
		}

		edit := rc
		edit.Description, edit.EvidenceEventIDs, edit.Category = "worse flag", []int64{e2, e3}, incident.CategoryDeploy
		got, err := s.UpdateRootCause(ctx, edit, 1, []string{"description", "evidence_event_ids"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != "worse flag" || got.Category != incident.CategoryConfigChange || !cmp.Equal(got.EvidenceEventIDs, []int64{e2, e3}) || got.Version != 2 {
			t.Errorf("updated = %+v", got)
		}
		got, err = s.UpdateRootCause(ctx, edit, 2, []string{"category"})
		if err != nil || got.Category != incident.CategoryDeploy || !cmp.Equal(got.EvidenceEventIDs, []int64{e2, e3}) {
			t.Errorf("category only: %+v, %v", got, err)
		}

		for _, tc := range []struct {
			name string
			err  error
			want error
		}{
			{"stale", func() error { _, err := s.UpdateRootCause(ctx, edit, 1, []string{"category"}); return err }(), incident.ErrConflict},
			{"unknown evidence", func() error {
				e := edit
				e.EvidenceEventIDs = []int64{999}
				_, err := s.UpdateRootCause(ctx, e, 3, []string{"evidence_event_ids"})
				return err
			}(), nil},
			{"unknown incident", s.CreateRootCause(ctx, &incident.RootCause{IncidentID: 999, Category: incident.CategoryUnknown, Description: "x"}), incident.ErrNotFound},
			{"missing", func() error { _, err := s.RootCause(ctx, 999); return err }(), incident.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.want == nil {
					var ve *incident.ValidationError
					if !errors.As(tc.err, &ve) {
						t.Errorf("err = %v, want a validation error", tc.err)
					}
					return
				}
				if !errors.Is(tc.err, tc.want) {
					t.Errorf("err = %v, want %v", tc.err, tc.want)
				}
			})
		}
		if cur, _ := s.RootCause(ctx, rc.ID); cur.Version != 3 || !cmp.Equal(cur.EvidenceEventIDs, []int64{e2, e3}) {
			t.Errorf("a failed update changed the root cause: %+v", cur)
		}

		t.Run("deleting an event drops it from evidence", func(t *testing.T) {
			if err := s.DeleteTimelineEvent(ctx, e2); err != nil {
				t.Fatal(err)
			}
			cur, err := s.RootCause(ctx, rc.ID)
			if err != nil || !cmp.Equal(cur.EvidenceEventIDs, []int64{e3}) {
				t.Errorf("evidence = %v, %v", cur.EvidenceEventIDs, err)
			}
		})
		t.Run("delete", func(t *testing.T) {
			if err := s.DeleteRootCause(ctx, rc.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteRootCause(ctx, rc.ID); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("second delete: %v", err)
			}
			left, err := s.RootCauses(ctx, inc.ID)
			if err != nil || len(left) != 1 || left[0].ID != plain.ID {
				t.Errorf("left %+v, %v", left, err)
			}
		})
	})
}
