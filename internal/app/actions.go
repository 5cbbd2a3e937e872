package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// Actions lists corrective actions across incidents: those of incidents
// the caller may see (the page and the total alike).
func (a *App) Actions(ctx context.Context, f incident.ActionFilter) (incident.Page[incident.CorrectiveAction], error) {
	f.Viewer = viewerFrom(ctx)
	f.Today = a.Today()
	f.Limit = limit(f.Limit)
	items, total, err := a.store.Actions(ctx, f)
	if err != nil {
		return incident.Page[incident.CorrectiveAction]{}, err
	}
	return page(items, total, f.Limit, store.ActionCursor), nil
}

// IncidentActions lists the corrective actions of one incident.
func (a *App) IncidentActions(ctx context.Context, ref string, f incident.ActionFilter) (incident.Page[incident.CorrectiveAction], error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return incident.Page[incident.CorrectiveAction]{}, err
	}
	f.IncidentID = inc.ID
	return a.Actions(ctx, f)
}

// Action returns one corrective action of an incident the caller may see.
func (a *App) Action(ctx context.Context, id int64) (incident.CorrectiveAction, error) {
	act, err := a.store.Action(ctx, id)
	if err != nil {
		return incident.CorrectiveAction{}, notFoundAs(err, "action", strconv.FormatInt(id, 10))
	}
	if err := visibleChild(ctx, a.store, "action", id, act.IncidentID); err != nil {
		return incident.CorrectiveAction{}, err
	}
	return act, nil
}

// CreateAction adds a corrective action to an incident.
func (a *App) CreateAction(ctx context.Context, ref string, in incident.CorrectiveAction) (incident.CorrectiveAction, error) {
	act := incident.CorrectiveAction{
		Title: in.Title, Description: in.Description, Type: in.Type, Priority: in.Priority,
		Owner: in.Owner, Team: in.Team, DueDate: in.DueDate, Status: in.Status,
		TicketSystem: in.TicketSystem, TicketKey: in.TicketKey, TicketURL: in.TicketURL,
	}
	act.Normalize()
	if err := act.Validate(); err != nil {
		return incident.CorrectiveAction{}, err
	}
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.resolve(ctx, tx, ref)
		if err != nil {
			return err
		}
		now := a.Now()
		act.IncidentID, act.IncidentKey, act.CreatedAt, act.UpdatedAt = inc.ID, inc.Key, now, now
		if act.Status.Closed() {
			act.CompletedAt = &now
		}
		if err := a.applyActionPolicy(ctx, tx, inc, &act); err != nil {
			return err
		}
		if err := tx.CreateAction(ctx, &act); err != nil {
			return err
		}
		return a.record(ctx, tx, "action.create", incident.ObjectAction, act.ID, inc.ID, incident.OpUpsert, act.Title)
	})
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	return act, nil
}

// UpdateAction changes a corrective action. Closing it stamps CompletedAt;
// reopening it clears that.
func (a *App) UpdateAction(ctx context.Context, id int64, p incident.ActionPatch) (incident.CorrectiveAction, error) {
	if err := p.Check(); err != nil {
		return incident.CorrectiveAction{}, err
	}
	return withRetry(p.Version, func() (incident.CorrectiveAction, error) {
		var out incident.CorrectiveAction
		err := a.store.InTx(ctx, func(tx *store.Store) error {
			cur, _, err := lockedChild(ctx, tx, "action", id, tx.Action,
				func(a incident.CorrectiveAction) int64 { return a.IncidentID })
			if err != nil {
				return err
			}
			if err := checkVersion("action", p.Version, cur.Version, cur); err != nil {
				return err
			}
			next := cur
			cols := dueDateEdited(&next, p.Apply(&next))
			cols = ticketRelinked(cur, &next, cols)
			if len(cols) == 0 {
				out = cur
				return nil
			}
			switch {
			case next.Status.Closed() && !cur.Status.Closed():
				now := a.Now()
				next.CompletedAt = &now
				cols = append(cols, "completed_at")
			case !next.Status.Closed() && cur.Status.Closed():
				next.CompletedAt = nil
				cols = append(cols, "completed_at")
			}
			next.Normalize()
			if err := next.Validate(); err != nil {
				return err
			}
			if out, err = tx.UpdateAction(ctx, next, cur.Version, cols); err != nil {
				return err
			}
			return a.record(ctx, tx, "action.update", incident.ObjectAction, out.ID, out.IncidentID, incident.OpUpsert, strings.Join(cols, ","))
		})
		return out, err
	})
}

// DeleteAction removes a corrective action.
func (a *App) DeleteAction(ctx context.Context, id int64) error {
	return a.store.InTx(ctx, func(tx *store.Store) error {
		act, err := tx.Action(ctx, id)
		if err != nil {
			return notFoundAs(err, "action", strconv.FormatInt(id, 10))
		}
		if err := visibleChild(ctx, tx, "action", id, act.IncidentID); err != nil {
			return err
		}
		if err := tx.DeleteAction(ctx, id); err != nil {
			return err
		}
		return a.record(ctx, tx, "action.delete", incident.ObjectAction, id, act.IncidentID, incident.OpDelete, act.Title)
	})
}
