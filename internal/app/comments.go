package app

import (
	"context"
	"strconv"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// RCAComments returns the comments on the incident's RCA, oldest first.
func (a *App) RCAComments(ctx context.Context, ref string) ([]incident.Comment, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	r, err := a.store.RCA(ctx, inc.ID)
	if err != nil {
		return nil, notFoundAs(err, "rca", inc.Key)
	}
	return a.store.RCAComments(ctx, r.ID)
}

// AddRCAComment adds the acting user's comment on one section of the
// incident's RCA; the section must exist. Comments do not change the
// document or its version.
func (a *App) AddRCAComment(ctx context.Context, ref string, c incident.Comment) (incident.Comment, error) {
	out := incident.Comment{SectionKey: c.SectionKey, Body: c.Body, Author: incident.ActorFrom(ctx).Name}
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, cur, err := a.lockRCA(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := out.Validate(cur); err != nil {
			return err
		}
		out.RCAID, out.CreatedAt = cur.ID, a.Now()
		if err := tx.AddRCAComment(ctx, &out); err != nil {
			return err
		}
		return a.record(ctx, tx, "rca.comment", incident.ObjectRCA, cur.ID, inc.ID, incident.OpUpsert,
			"comment "+strconv.FormatInt(out.ID, 10)+" on section "+out.SectionKey)
	})
	if err != nil {
		return incident.Comment{}, err
	}
	return out, nil
}

// ResolveRCAComment marks a comment on the incident's RCA resolved by the
// acting user; resolving it again changes nothing.
func (a *App) ResolveRCAComment(ctx context.Context, ref string, id int64) (incident.Comment, error) {
	actor := incident.ActorFrom(ctx).Name
	var out incident.Comment
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, cur, err := a.lockRCA(ctx, tx, ref)
		if err != nil {
			return err
		}
		if out, err = tx.ResolveRCAComment(ctx, cur.ID, id, actor, a.Now()); err != nil {
			return err
		}
		return a.record(ctx, tx, "rca.comment.resolve", incident.ObjectRCA, cur.ID, inc.ID, incident.OpUpsert,
			"comment "+strconv.FormatInt(id, 10)+" resolved")
	})
	if err != nil {
		return incident.Comment{}, err
	}
	return out, nil
}
