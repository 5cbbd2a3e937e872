package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// ActionPolicy returns the action policy: the days from an action's
// creation to its default due date, by incident severity and priority.
func (a *App) ActionPolicy(ctx context.Context) (incident.ActionPolicy, error) {
	return a.store.ActionPolicy(ctx)
}

// SetActionPolicy replaces the action policy with p (every cell required,
// 1..3650 days) and records who changed which cells in the audit log. It
// changes no existing action's due date: the policy applies to actions
// created from now on.
func (a *App) SetActionPolicy(ctx context.Context, p incident.ActionPolicy) (incident.ActionPolicy, error) {
	if err := p.Validate(); err != nil {
		return incident.ActionPolicy{}, err
	}
	var out incident.ActionPolicy
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := tx.ActionPolicy(ctx)
		if err != nil {
			return err
		}
		changed := policyChanges(cur, p)
		if len(changed) == 0 {
			out = cur
			return nil
		}
		actor := incident.ActorFrom(ctx).Name
		if err := tx.SetActionPolicy(ctx, p, actor); err != nil {
			return err
		}
		if err := a.auditUser(ctx, tx, incident.AuditActionPolicyUpdate, incident.ObjectSettings, 0,
			"action policy: "+strings.Join(changed, ", ")); err != nil {
			return err
		}
		out, err = tx.ActionPolicy(ctx)
		return err
	})
	return out, err
}

// policyChanges lists the cells that differ between from and to, as
// "SEV1/high 30→21", in grid order.
func policyChanges(from, to incident.ActionPolicy) []string {
	var out []string
	for _, sev := range incident.Severities {
		for _, pri := range incident.Priorities {
			was, now := from.Days[sev][pri], to.Days[sev][pri]
			if was != now {
				out = append(out, fmt.Sprintf("%s/%s %d→%d", sev, pri, was, now))
			}
		}
	}
	return out
}

// applyActionPolicy gives act, about to be created on inc, the policy's due
// date when it has none, counted from today in the app's time zone, and
// marks it as the policy's. An action with a due date keeps it.
func (a *App) applyActionPolicy(ctx context.Context, tx *store.Store, inc incident.Incident, act *incident.CorrectiveAction) error {
	if act.DueDate != nil {
		act.DueDateSource = ""
		return nil
	}
	p, err := tx.ActionPolicy(ctx)
	if err != nil {
		return err
	}
	if due, ok := p.DueDate(a.Today(), inc.Severity, act.Priority); ok {
		act.DueDate, act.DueDateSource = &due, incident.DueDateFromPolicy
	}
	return nil
}

// dueDateEdited marks a due date a person changed (or cleared) as theirs,
// not the policy's, adding the column to those an update writes.
func dueDateEdited(next *incident.CorrectiveAction, cols []string) []string {
	if !slices.Contains(cols, "due_date") || next.DueDateSource == "" {
		return cols
	}
	next.DueDateSource = ""
	return append(cols, "due_date_source")
}
