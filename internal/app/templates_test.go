package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/templates"
)

// forEachDBTemplates is forEachDB with the given file templates, handing
// the test the store as well so it can check the outbox and audit log.
func forEachDBTemplates(t *testing.T, reg *templates.Registry, fn func(t *testing.T, a *app.App, s *store.Store)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			a, s := testApp(t, dialect, app.Options{Templates: reg})
			fn(t, a, s)
		})
	}
}

func templateKeys(t *testing.T, a *app.App) string {
	t.Helper()
	all, err := a.Templates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, tm := range all {
		keys = append(keys, tm.Key+":"+string(tm.Source))
	}
	return strings.Join(keys, " ")
}

func TestApp_Templates(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sre.yaml"), []byte("key: sre\nname: Our SRE\nsections:\n  - title: Summary\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := templates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	forEachDBTemplates(t, reg, func(t *testing.T, a *app.App, s *store.Store) {
		ctx := incident.WithActor(context.Background(), incident.Actor{Name: "admin"})
		if got, want := templateKeys(t, a), "essentials:builtin sre:dir five-whys:builtin contributing-factors:builtin"; got != want {
			t.Errorf("templates = %s, want %s", got, want)
		}
		custom := incident.Template{Key: "essentials", Name: "Our essentials", Sections: []incident.Section{
			{Title: "What happened", Audience: incident.AudiencePublic, Body: "{{title}} for {{impact_duration}}"},
		}}
		created, err := a.CreateTemplate(ctx, custom)
		if err != nil {
			t.Fatal(err)
		}
		if created.Source != incident.TemplateCustom || created.Version != 1 || created.CreatedBy != "admin" || created.Sections[0].Key != "what-happened" {
			t.Errorf("created = %+v", created)
		}
		if _, err := a.CreateTemplate(ctx, incident.Template{Key: "zz-security", Name: "Security", Sections: custom.Sections}); err != nil {
			t.Fatal(err)
		}
		if got, want := templateKeys(t, a), "essentials:custom sre:dir five-whys:builtin contributing-factors:builtin zz-security:custom"; got != want {
			t.Errorf("templates = %s, want %s", got, want)
		}

		tests := []struct {
			name  string
			run   func() error
			check func(t *testing.T, err error)
		}{
			{"duplicate custom key", func() error { _, err := a.CreateTemplate(ctx, custom); return err }, func(t *testing.T, err error) {
				var ce *incident.ConflictError
				if !errors.As(err, &ce) || ce.Current.(incident.Template).Name != "Our essentials" {
					t.Errorf("err = %v, want a conflict with the current template", err)
				}
			}},
			{"invalid template", func() error {
				_, err := a.CreateTemplate(ctx, incident.Template{Key: "Bad Key", Sections: []incident.Section{{Title: "A", Body: "{{nope}}"}}})
				return err
			}, func(t *testing.T, err error) {
				var verr *incident.ValidationError
				if !errors.As(err, &verr) || verr.Fields["key"] == "" || verr.Fields["name"] == "" || !strings.Contains(verr.Fields["sections[0].body"], "{{nope}}") {
					t.Errorf("err = %v, want key, name and sections[0].body", err)
				}
			}},
			{"update with stale version", func() error {
				_, err := a.UpdateTemplate(ctx, "essentials", custom, ptr(7))
				return err
			}, func(t *testing.T, err error) {
				var ce *incident.ConflictError
				if !errors.As(err, &ce) || ce.Current.(incident.Template).Version != 1 {
					t.Errorf("err = %v, want a conflict holding version 1", err)
				}
			}},
			{"update", func() error {
				c := custom
				c.Name = "Renamed"
				u, err := a.UpdateTemplate(ctx, "essentials", c, ptr(1))
				if err == nil && (u.Version != 2 || u.Name != "Renamed" || u.UpdatedBy != "admin") {
					t.Errorf("updated = %+v", u)
				}
				return err
			}, func(t *testing.T, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
			{"update without version", func() error { _, err := a.UpdateTemplate(ctx, "essentials", custom, nil); return err }, func(t *testing.T, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
			{"update a dir template", func() error { _, err := a.UpdateTemplate(ctx, "sre", custom, nil); return err }, func(t *testing.T, err error) {
				var ro *incident.TemplateReadOnlyError
				if !errors.As(err, &ro) || ro.Source != incident.TemplateDir || !errors.Is(err, incident.ErrTemplateReadOnly) {
					t.Errorf("err = %v, want read-only", err)
				}
			}},
			{"delete a built-in", func() error { return a.DeleteTemplate(ctx, "five-whys") }, func(t *testing.T, err error) {
				if !errors.Is(err, incident.ErrTemplateReadOnly) || !strings.Contains(err.Error(), "built in") {
					t.Errorf("err = %v, want read-only", err)
				}
			}},
			{"delete unknown", func() error { return a.DeleteTemplate(ctx, "nope") }, func(t *testing.T, err error) {
				var nf *incident.NotFoundError
				if !errors.As(err, &nf) || nf.Object != "template" {
					t.Errorf("err = %v, want template not found", err)
				}
			}},
			{"delete the override brings the built-in back", func() error { return a.DeleteTemplate(ctx, "essentials") }, func(t *testing.T, err error) {
				if err != nil {
					t.Fatal(err)
				}
				tm, err := a.Template(ctx, "essentials")
				if err != nil || tm.Source != incident.TemplateBuiltin {
					t.Errorf("essentials = %+v, %v", tm, err)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.run()) })
		}

		entries, err := s.AuditEntries(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.ObjectType == incident.ObjectTemplate {
				actions = append(actions, e.Action)
			}
		}
		if got := strings.Join(actions, " "); strings.Count(got, "template.create") != 2 || strings.Count(got, "template.update") != 2 ||
			strings.Count(got, "template.delete") != 1 {
			t.Errorf("audit = %s", got)
		}
	})
}

func TestApp_CreateRCAFromTemplate(t *testing.T) {
	forEachDBTemplates(t, nil, func(t *testing.T, a *app.App, s *store.Store) {
		ctx := incident.WithActor(context.Background(), incident.Actor{Name: "erin"})
		inc, err := a.CreateIncident(ctx, incident.Incident{
			Title: "Checkout errors", Severity: incident.SEV2, Services: []string{"checkout"},
			StartedAt: ptr(t0), DetectedAt: ptr(t0.Add(85 * time.Minute)), MitigatedAt: ptr(t0.Add(2 * time.Hour)),
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := a.CreateRCAFromTemplate(ctx, inc.Key, "essentials")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, sec := range r.Sections {
			keys = append(keys, sec.Key+"/"+string(sec.Block))
			if !sec.Required || sec.Help == "" {
				t.Errorf("section %s lost required/help: %+v", sec.Key, sec)
			}
		}
		if got := strings.Join(keys, " "); got != "event-description/ timeline/timeline root-causes/root_causes corrective-actions/corrective_actions" {
			t.Errorf("sections = %s", got)
		}
		if r.Template != "essentials" || r.Status != incident.RCADraft || r.Version != 1 || r.UpdatedBy != "erin" {
			t.Errorf("rca = %+v", r)
		}
		ev, tl := r.Sections[0].Body, r.Sections[1].Body
		if !strings.Contains(ev, "**Checkout errors**") || !strings.Contains(ev, "2h") || !strings.Contains(tl, t0.Format(time.RFC3339)) ||
			!strings.Contains(tl, "Time to detect: 1h 25m") || strings.Contains(ev+tl, "{{") {
			t.Errorf("variables not filled:\n%s\n%s", ev, tl)
		}
		got, err := a.RCA(ctx, inc.Key)
		if err != nil || len(got.Sections) != 4 || got.Sections[1].Body != tl {
			t.Errorf("stored = %+v, %v", got, err)
		}
		revs, err := s.RCARevisions(ctx, r.ID)
		if err != nil || len(revs) != 1 || revs[0].Author != "erin" || len(revs[0].Sections) != 4 {
			t.Errorf("revisions = %+v, %v", revs, err)
		}
		changes, err := s.Changes(ctx, 0, 100)
		if err != nil || changes[len(changes)-1].ObjectType != incident.ObjectRCA || changes[len(changes)-1].ObjectID != r.ID {
			t.Errorf("changes = %+v, %v", changes, err)
		}

		other := mustIncident(t, a)
		tests := []struct {
			name  string
			ref   string
			key   string
			check func(t *testing.T, err error)
		}{
			{"second create conflicts", inc.Key, "sre", func(t *testing.T, err error) {
				var ce *incident.ConflictError
				if !errors.As(err, &ce) || ce.Current.(incident.RCA).Template != "essentials" {
					t.Errorf("err = %v, want a conflict with the current RCA", err)
				}
			}},
			{"unknown template", other.Key, "nope", func(t *testing.T, err error) {
				var nf *incident.NotFoundError
				if !errors.As(err, &nf) || nf.Object != "template" || nf.Ref != "nope" {
					t.Errorf("err = %v, want template nope not found", err)
				}
			}},
			{"unknown incident", "INC-999", "essentials", func(t *testing.T, err error) {
				var nf *incident.NotFoundError
				if !errors.As(err, &nf) || nf.Object != "incident" {
					t.Errorf("err = %v, want incident not found", err)
				}
			}},
			{"no template", other.Key, " ", func(t *testing.T, err error) {
				var verr *incident.ValidationError
				if !errors.As(err, &verr) || verr.Fields["template"] == "" {
					t.Errorf("err = %v, want template is required", err)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := a.CreateRCAFromTemplate(ctx, tc.ref, tc.key)
				tc.check(t, err)
			})
		}
		if _, err := a.RCA(ctx, other.Key); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("a failed create left an RCA behind: %v", err)
		}

		// A custom template overrides the built-in for new RCAs.
		if _, err := a.CreateTemplate(ctx, incident.Template{Key: "essentials", Name: "Ours", Sections: []incident.Section{
			{Title: "Only", Body: "{{key}} by {{commander}}"},
		}}); err != nil {
			t.Fatal(err)
		}
		r, err = a.CreateRCAFromTemplate(ctx, other.Key, "essentials")
		if err != nil || len(r.Sections) != 1 || r.Sections[0].Body != other.Key+" by unknown" {
			t.Errorf("from custom = %+v, %v", r, err)
		}
	})
}
