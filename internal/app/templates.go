package app

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/templates"
)

// Templates returns every template an RCA can start from: the file
// templates in their order (a custom template with the same key takes the
// place of a file one), then the other custom templates by key.
func (a *App) Templates(ctx context.Context) ([]incident.Template, error) {
	custom, err := a.store.Templates(ctx)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]incident.Template, len(custom))
	for _, t := range custom {
		byKey[t.Key] = t
	}
	out := a.tmpls.Templates()
	for i, t := range out {
		if c, ok := byKey[t.Key]; ok {
			out[i] = c
			delete(byKey, t.Key)
		}
	}
	for _, t := range custom {
		if _, ok := byKey[t.Key]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// Template returns the template an RCA created with key would use: the
// custom one, else the directory or built-in one.
func (a *App) Template(ctx context.Context, key string) (incident.Template, error) {
	return a.template(ctx, a.store, key)
}

func (a *App) template(ctx context.Context, s *store.Store, key string) (incident.Template, error) {
	key = strings.TrimSpace(key)
	t, err := s.Template(ctx, key)
	if !errors.Is(err, incident.ErrNotFound) {
		return t, err
	}
	if t, ok := a.tmpls.Template(key); ok {
		return t, nil
	}
	return incident.Template{}, incident.NotFound("template", key)
}

// CreateTemplate stores a custom template. A custom template whose key is
// taken by another custom one gives a *incident.ConflictError; one with the
// key of a built-in or directory template overrides that template.
func (a *App) CreateTemplate(ctx context.Context, t incident.Template) (incident.Template, error) {
	next := incident.Template{Key: t.Key, Name: t.Name, Description: t.Description, Sections: t.Sections}
	templates.Normalize(&next)
	if err := templates.Validate(next); err != nil {
		return incident.Template{}, err
	}
	next.CreatedBy = incident.ActorFrom(ctx).Name
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateTemplate(ctx, &next); err != nil {
			return err
		}
		return a.record(ctx, tx, "template.create", incident.ObjectTemplate, next.ID, 0, incident.OpUpsert, next.Key)
	})
	if err != nil {
		return incident.Template{}, err
	}
	return next, nil
}

// UpdateTemplate replaces the name, description and sections of the custom
// template key. With a version, a template changed since gives a
// *incident.ConflictError carrying the current one; without, the update
// applies to whatever is current. Built-in and directory templates are
// read-only (*incident.TemplateReadOnlyError).
func (a *App) UpdateTemplate(ctx context.Context, key string, t incident.Template, version *int) (incident.Template, error) {
	next := incident.Template{Key: strings.TrimSpace(key), Name: t.Name, Description: t.Description, Sections: t.Sections}
	templates.Normalize(&next)
	if err := templates.Validate(next); err != nil {
		return incident.Template{}, err
	}
	next.UpdatedBy = incident.ActorFrom(ctx).Name
	return withRetry(version, func() (incident.Template, error) {
		var out incident.Template
		err := a.store.InTx(ctx, func(tx *store.Store) error {
			cur, err := a.customTemplate(ctx, tx, next.Key)
			if err != nil {
				return err
			}
			if err := checkVersion("template", version, cur.Version, cur); err != nil {
				return err
			}
			if out, err = tx.UpdateTemplate(ctx, next, cur.Version); err != nil {
				return err
			}
			return a.record(ctx, tx, "template.update", incident.ObjectTemplate, out.ID, 0, incident.OpUpsert,
				next.Key+" version "+strconv.Itoa(out.Version))
		})
		return out, err
	})
}

// DeleteTemplate deletes the custom template key; a built-in or directory
// template with the same key, if any, is what RCAs get again.
func (a *App) DeleteTemplate(ctx context.Context, key string) error {
	key = strings.TrimSpace(key)
	return a.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := a.customTemplate(ctx, tx, key)
		if err != nil {
			return err
		}
		if err := tx.DeleteTemplate(ctx, key); err != nil {
			return err
		}
		return a.record(ctx, tx, "template.delete", incident.ObjectTemplate, cur.ID, 0, incident.OpDelete, key)
	})
}

// customTemplate reads the custom template key; for a key that names only
// a file template it says that one is read-only.
func (a *App) customTemplate(ctx context.Context, tx *store.Store, key string) (incident.Template, error) {
	cur, err := tx.Template(ctx, key)
	if errors.Is(err, incident.ErrNotFound) {
		if t, ok := a.tmpls.Template(key); ok {
			return incident.Template{}, &incident.TemplateReadOnlyError{Key: key, Source: t.Source}
		}
	}
	return cur, err
}

// CreateRCAFromTemplate creates the incident's RCA from the template key:
// its sections in the template's order with help, audience, required flag
// and block copied and the starting text filled with the incident's facts.
// An unknown template is a "template" NotFoundError; an incident that
// already has an RCA gives a *incident.ConflictError with that RCA.
func (a *App) CreateRCAFromTemplate(ctx context.Context, ref, key string) (incident.RCA, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return incident.RCA{}, incident.Invalid("template", "is required")
	}
	actor := incident.ActorFrom(ctx).Name
	var out incident.RCA
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		t, err := a.template(ctx, tx, key)
		if err != nil {
			return err
		}
		secs, err := templates.Render(t, inc)
		if err != nil {
			return err
		}
		now := a.Now()
		r := incident.RCA{IncidentID: inc.ID, Template: t.Key, Status: incident.RCADraft, Sections: secs,
			UpdatedBy: actor, CreatedAt: now, UpdatedAt: now}
		r.Normalize()
		if err := r.Validate(); err != nil {
			return err
		}
		if err := tx.CreateRCA(ctx, &r); err != nil {
			return err
		}
		if err := tx.AddRCARevision(ctx, incident.RCARevision{
			RCAID: r.ID, Version: r.Version, Status: r.Status, Sections: r.Sections,
			Author: actor, CreatedAt: now, Reason: templateReasonPrefix + t.Key,
		}); err != nil {
			return err
		}
		out = r
		return a.record(ctx, tx, "rca.create", incident.ObjectRCA, r.ID, inc.ID, incident.OpUpsert,
			"from template "+t.Key+" ("+string(t.Source)+")")
	})
	if err != nil {
		return incident.RCA{}, err
	}
	return out, nil
}

// templateReasonPrefix starts the reason of the first revision of an RCA
// made from a template; that revision holds the template's starting text.
const templateReasonPrefix = "created from template "
