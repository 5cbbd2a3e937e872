package app

import (
	"context"
	"errors"
	"strconv"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// keepTemplateAttributes keeps the help text, required flag and block of
// every section that already existed: they come from the template, and a
// client that saves only keys, titles and bodies must not strip them.
func keepTemplateAttributes(next *incident.RCA, cur incident.RCA) {
	old := make(map[string]incident.Section, len(cur.Sections))
	for _, s := range cur.Sections {
		old[s.Key] = s
	}
	for i := range next.Sections {
		if o, ok := old[next.Sections[i].Key]; ok {
			next.Sections[i].Help, next.Sections[i].Required, next.Sections[i].Block = o.Help, o.Required, o.Block
		}
	}
}

// RCA returns the incident's RCA with its sections in order.
func (a *App) RCA(ctx context.Context, ref string) (incident.RCA, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return incident.RCA{}, err
	}
	r, err := a.store.RCA(ctx, inc.ID)
	if err != nil {
		return incident.RCA{}, notFoundAs(err, "rca", inc.Key)
	}
	return r, nil
}

// SaveRCA stores the whole RCA document. r.Version is the version the client
// edited (0 when it expects no RCA yet); if the stored one moved on, the save
// fails with a ConflictError carrying the current RCA so the client can merge.
// Every save also stores a revision, so nothing typed is ever lost.
func (a *App) SaveRCA(ctx context.Context, ref string, r incident.RCA) (incident.RCA, error) {
	if err := checkSectionSizes(r.Sections); err != nil {
		return incident.RCA{}, err
	}
	next := incident.RCA{Template: r.Template, Status: r.Status, Sections: r.Sections}
	next.Normalize()
	if err := next.Validate(); err != nil {
		return incident.RCA{}, err
	}
	actor := incident.ActorFrom(ctx).Name
	var out incident.RCA
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		next.IncidentID = inc.ID
		next.UpdatedBy = actor
		now := a.Now()
		cur, err := tx.RCA(ctx, inc.ID)
		switch {
		case errors.Is(err, incident.ErrNotFound):
			if r.Version != 0 {
				return incident.Invalid("version", "there is no RCA for "+inc.Key+" yet: send version 0 to create it")
			}
			if next.Status, err = incident.CheckEdit("", r.Status); err != nil {
				return err
			}
			if err := a.checkTemplateKey(ctx, tx, next.Template); err != nil {
				return err
			}
			next.CreatedAt, next.UpdatedAt = now, now
			if err := tx.CreateRCA(ctx, &next); err != nil {
				return err
			}
			out = next
		case err != nil:
			return err
		default:
			if r.Version != cur.Version {
				return &incident.ConflictError{Object: "rca", Current: cur}
			}
			// Status changes go through the review workflow (review.go);
			// a published RCA is edited only after it is amended.
			if next.Status, err = incident.CheckEdit(cur.Status, r.Status); err != nil {
				return withCurrent(err, cur)
			}
			next.ID, next.CreatedAt, next.UpdatedAt = cur.ID, cur.CreatedAt, now
			keepTemplateAttributes(&next, cur)
			if err := checkRequiredKept(next.Sections, cur); err != nil {
				return err
			}
			if next.Template == "" {
				next.Template = cur.Template
			} else if next.Template != cur.Template {
				if err := a.checkTemplateKey(ctx, tx, next.Template); err != nil {
					return err
				}
			}
			if err := dismissStaleApprovals(ctx, tx, cur, next.Sections, cur.Version+1); err != nil {
				return err
			}
			if out, err = tx.UpdateRCA(ctx, next, cur.Version); err != nil {
				return err
			}
		}
		if err := tx.AddRCARevision(ctx, incident.RCARevision{
			RCAID: out.ID, Version: out.Version, Status: out.Status, Sections: out.Sections,
			Author: actor, CreatedAt: now,
		}); err != nil {
			return err
		}
		return a.record(ctx, tx, "rca.save", incident.ObjectRCA, out.ID, inc.ID, incident.OpUpsert, "version "+strconv.Itoa(out.Version))
	})
	if err != nil {
		return incident.RCA{}, err
	}
	return out, nil
}
