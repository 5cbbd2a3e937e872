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

func TestStore_Templates(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		secs := []incident.Section{
			{Key: "summary", Title: "Summary", Body: "{{title}} — “quoted” <b>", Audience: incident.AudiencePublic, Help: "Say it.", Required: true},
			{Key: "timeline", Title: "Timeline", Audience: incident.AudienceInternal, Block: incident.BlockTimeline},
		}
		tm := incident.Template{Key: "ops", Name: "Ops", Description: "For ops.", Sections: secs, CreatedBy: "alice"}
		if err := s.CreateTemplate(ctx, &tm); err != nil {
			t.Fatal(err)
		}
		if tm.ID == 0 || tm.Version != 1 || tm.Source != incident.TemplateCustom || tm.UpdatedBy != "alice" || !tm.CreatedAt.Equal(incident.UTC(c.t)) {
			t.Errorf("created = %+v", tm)
		}
		got, err := s.Template(ctx, "ops")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tm, got); diff != "" {
			t.Errorf("read back (-created +read):\n%s", diff)
		}
		second := incident.Template{Key: "another", Name: "Another", Sections: secs[:1]}
		if err := s.CreateTemplate(ctx, &second); err != nil {
			t.Fatal(err)
		}

		c.t = c.t.Add(time.Hour)
		edit := got
		edit.Name, edit.Sections, edit.UpdatedBy = "Ops v2", secs[1:], "bob"
		updated, err := s.UpdateTemplate(ctx, edit, 1)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Version != 2 || updated.Name != "Ops v2" || updated.UpdatedBy != "bob" || updated.CreatedBy != "alice" ||
			!cmp.Equal(updated.Sections, secs[1:]) || !updated.UpdatedAt.Equal(incident.UTC(c.t)) || !updated.CreatedAt.Equal(tm.CreatedAt) {
			t.Errorf("updated = %+v", updated)
		}

		tests := []struct {
			name  string
			err   error
			check func(t *testing.T, err error)
		}{
			{"duplicate key", s.CreateTemplate(ctx, &incident.Template{Key: "ops", Name: "Dup", Sections: secs}), func(t *testing.T, err error) {
				var ce *incident.ConflictError
				if !errors.As(err, &ce) || ce.Object != "template" || ce.Current.(incident.Template).Version != 2 {
					t.Errorf("err = %v, want a conflict holding version 2", err)
				}
			}},
			{"stale version", func() error { _, err := s.UpdateTemplate(ctx, edit, 1); return err }(), func(t *testing.T, err error) {
				var ce *incident.ConflictError
				if !errors.As(err, &ce) || ce.Current.(incident.Template).Name != "Ops v2" {
					t.Errorf("err = %v, want a conflict holding the current template", err)
				}
			}},
			{"update unknown", func() error {
				_, err := s.UpdateTemplate(ctx, incident.Template{Key: "nope", Name: "N"}, 1)
				return err
			}(), func(t *testing.T, err error) {
				var nf *incident.NotFoundError
				if !errors.As(err, &nf) || nf.Object != "template" || nf.Ref != "nope" {
					t.Errorf("err = %v, want template nope not found", err)
				}
			}},
			{"get unknown", func() error { _, err := s.Template(ctx, "nope"); return err }(), func(t *testing.T, err error) {
				if !errors.Is(err, incident.ErrNotFound) {
					t.Errorf("err = %v, want not found", err)
				}
			}},
			{"delete", s.DeleteTemplate(ctx, "another"), func(t *testing.T, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Template(ctx, "another"); !errors.Is(err, incident.ErrNotFound) {
					t.Errorf("after delete: %v", err)
				}
			}},
			{"delete unknown", s.DeleteTemplate(ctx, "another"), func(t *testing.T, err error) {
				if !errors.Is(err, incident.ErrNotFound) {
					t.Errorf("err = %v, want not found", err)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.err) })
		}

		all, err := s.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Key != "ops" || all[0].Version != 2 {
			t.Errorf("templates = %+v", all)
		}
	})
}

func TestStore_TemplatesInTx(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Store) error {
			if err := tx.CreateTemplate(ctx, &incident.Template{Key: "rolled-back", Name: "R", Sections: []incident.Section{}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if _, err := s.Template(ctx, "rolled-back"); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("template survived a rolled-back transaction: %v", err)
		}
	})
}
