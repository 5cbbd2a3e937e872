package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// RootCauses lists the root causes of an incident.
func (a *App) RootCauses(ctx context.Context, ref string) ([]incident.RootCause, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	return a.store.RootCauses(ctx, inc.ID)
}

// RootCause returns one root cause of an incident the caller may see.
func (a *App) RootCause(ctx context.Context, id int64) (incident.RootCause, error) {
	rc, err := a.store.RootCause(ctx, id)
	if err != nil {
		return incident.RootCause{}, notFoundAs(err, "root_cause", strconv.FormatInt(id, 10))
	}
	if err := visibleChild(ctx, a.store, "root_cause", id, rc.IncidentID); err != nil {
		return incident.RootCause{}, err
	}
	return rc, nil
}

// CreateRootCause adds a root cause; its evidence must be events of the same incident.
func (a *App) CreateRootCause(ctx context.Context, ref string, in incident.RootCause) (incident.RootCause, error) {
	rc := incident.RootCause{Category: in.Category, Description: in.Description, EvidenceEventIDs: in.EvidenceEventIDs}
	rc.Normalize()
	if err := rc.Validate(); err != nil {
		return incident.RootCause{}, err
	}
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.resolve(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := checkEvidence(ctx, tx, inc, rc.EvidenceEventIDs); err != nil {
			return err
		}
		now := a.Now()
		rc.IncidentID, rc.CreatedAt, rc.UpdatedAt = inc.ID, now, now
		if err := tx.CreateRootCause(ctx, &rc); err != nil {
			return err
		}
		return a.record(ctx, tx, "root_cause.create", incident.ObjectRootCause, rc.ID, inc.ID, incident.OpUpsert, string(rc.Category))
	})
	if err != nil {
		return incident.RootCause{}, err
	}
	return rc, nil
}

// checkEvidence fails unless every id is a timeline event of inc.
func checkEvidence(ctx context.Context, tx *store.Store, inc incident.Incident, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.ExistingEventIDs(ctx, inc.ID, ids)
	if err != nil {
		return err
	}
	ok := make(map[int64]bool, len(found))
	for _, id := range found {
		ok[id] = true
	}
	v := &incident.ValidationError{}
	for i, id := range ids {
		if !ok[id] {
			v.Add("evidence_event_ids["+strconv.Itoa(i)+"]", "event "+strconv.FormatInt(id, 10)+" is not in the timeline of "+inc.Key)
		}
	}
	return v.Err()
}

// UpdateRootCause changes a root cause's category, description or evidence.
func (a *App) UpdateRootCause(ctx context.Context, id int64, p incident.RootCausePatch) (incident.RootCause, error) {
	if err := p.Check(); err != nil {
		return incident.RootCause{}, err
	}
	return withRetry(p.Version, func() (incident.RootCause, error) {
		var out incident.RootCause
		err := a.store.InTx(ctx, func(tx *store.Store) error {
			cur, inc, err := lockedChild(ctx, tx, "root_cause", id, tx.RootCause,
				func(rc incident.RootCause) int64 { return rc.IncidentID })
			if err != nil {
				return err
			}
			if err := checkVersion("root_cause", p.Version, cur.Version, cur); err != nil {
				return err
			}
			next := cur
			cols := p.Apply(&next)
			if len(cols) == 0 {
				out = cur
				return nil
			}
			next.Normalize()
			if err := next.Validate(); err != nil {
				return err
			}
			if p.EvidenceEventIDs.Set {
				if err := checkEvidence(ctx, tx, inc, next.EvidenceEventIDs); err != nil {
					return err
				}
			}
			if out, err = tx.UpdateRootCause(ctx, next, cur.Version, cols); err != nil {
				return err
			}
			return a.record(ctx, tx, "root_cause.update", incident.ObjectRootCause, out.ID, inc.ID, incident.OpUpsert, strings.Join(cols, ","))
		})
		return out, err
	})
}

// DeleteRootCause removes a root cause.
func (a *App) DeleteRootCause(ctx context.Context, id int64) error {
	return a.store.InTx(ctx, func(tx *store.Store) error {
		rc, err := tx.RootCause(ctx, id)
		if err != nil {
			return notFoundAs(err, "root_cause", strconv.FormatInt(id, 10))
		}
		if err := visibleChild(ctx, tx, "root_cause", id, rc.IncidentID); err != nil {
			return err
		}
		if err := tx.DeleteRootCause(ctx, id); err != nil {
			return err
		}
		return a.record(ctx, tx, "root_cause.delete", incident.ObjectRootCause, id, rc.IncidentID, incident.OpDelete, rc.Description)
	})
}
