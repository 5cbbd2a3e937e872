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

func TestStore_RCA(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("rca"))
		secs := []incident.Section{
			{Key: "summary", Title: "Summary", Body: "It broke.", Audience: incident.AudiencePublic},
			{Key: "timeline", Title: "Timeline", Body: "", Audience: incident.AudienceInternal},
		}
		r := incident.RCA{IncidentID: inc.ID, Template: "default", Status: incident.RCADraft, Sections: secs, UpdatedBy: "alice"}
		if err := s.CreateRCA(ctx, &r); err != nil {
			t.Fatal(err)
		}
		got, err := s.RCA(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("read back (-created +read):\n%s", diff)
		}

		edit := got
		edit.Status = incident.RCAInReview
		edit.Sections = []incident.Section{secs[1], {Key: "summary", Title: "Summary", Body: "It broke badly.", Audience: incident.AudienceCustomerSuccess}, {Key: "new", Title: "New", Audience: incident.AudienceInternal}}
		edit.UpdatedBy = "bob"
		updated, err := s.UpdateRCA(ctx, edit, got.Version)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Version != 2 || updated.Status != incident.RCAInReview || updated.UpdatedBy != "bob" || !cmp.Equal(updated.Sections, edit.Sections) {
			t.Errorf("updated = %+v", updated)
		}

		for _, tc := range []struct {
			name  string
			err   error
			check func(t *testing.T, err error)
		}{
			{"stale version", func() error { _, err := s.UpdateRCA(ctx, edit, 1); return err }(), func(t *testing.T, err error) {
				var ce *incident.ConflictError
				if !errors.As(err, &ce) || ce.Object != "rca" || ce.Current.(incident.RCA).Version != 2 || len(ce.Current.(incident.RCA).Sections) != 3 {
					t.Errorf("err = %v, want a conflict holding version 2", err)
				}
			}},
			{"by incident id", func() error {
				e := edit
				e.ID, e.Sections = 0, nil
				_, err := s.UpdateRCA(ctx, e, 2)
				return err
			}(), func(t *testing.T, err error) {
				got, _ := s.RCA(ctx, inc.ID)
				if err != nil || got.Version != 3 || len(got.Sections) != 0 {
					t.Errorf("err = %v, rca %+v", err, got)
				}
			}},
			{"second rca for the incident", s.CreateRCA(ctx, &incident.RCA{IncidentID: inc.ID, Status: incident.RCADraft}), func(t *testing.T, err error) {
				if !errors.Is(err, incident.ErrConflict) {
					t.Errorf("err = %v, want a conflict", err)
				}
			}},
			{"rca of an unknown incident", s.CreateRCA(ctx, &incident.RCA{IncidentID: 999, Status: incident.RCADraft}), func(t *testing.T, err error) {
				if !errors.Is(err, incident.ErrNotFound) {
					t.Errorf("err = %v, want not found", err)
				}
			}},
			{"missing rca", func() error { _, err := s.RCA(ctx, 999); return err }(), func(t *testing.T, err error) {
				var nf *incident.NotFoundError
				if !errors.As(err, &nf) || nf.Object != "rca" {
					t.Errorf("err = %v, want rca not found", err)
				}
			}},
			{"update missing rca", func() error { _, err := s.UpdateRCA(ctx, incident.RCA{IncidentID: 999}, 1); return err }(), func(t *testing.T, err error) {
				if !errors.Is(err, incident.ErrNotFound) {
					t.Errorf("err = %v, want not found", err)
				}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.err) })
		}

		t.Run("revisions", func(t *testing.T) {
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			revs := []incident.RCARevision{
				{RCAID: r.ID, Version: 1, Status: incident.RCADraft, Sections: secs, Author: "alice", CreatedAt: at},
				{RCAID: r.ID, Version: 2, Status: incident.RCAInReview, Sections: edit.Sections, Author: "bob", CreatedAt: at.Add(time.Hour)},
			}
			for _, rev := range revs {
				if err := s.AddRCARevision(ctx, rev); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.AddRCARevision(ctx, revs[0]); err == nil {
				t.Error("a second revision 1 was accepted")
			}
			got, err := s.RCARevisions(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := []incident.RCARevision{revs[1], revs[0]}
			if diff := cmp.Diff(want, got, cmpIgnoreID); diff != "" {
				t.Errorf("revisions (-want +got):\n%s", diff)
			}
			if none, err := s.RCARevisions(ctx, 999); err != nil || none == nil || len(none) != 0 {
				t.Errorf("revisions of nothing = %#v, %v", none, err)
			}
		})
	})
}

var cmpIgnoreID = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ID" }, cmp.Ignore())
