package app

import (
	"context"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// CreateIncident validates in and stores it as a new incident with the next key.
func (a *App) CreateIncident(ctx context.Context, in incident.Incident) (incident.Incident, error) {
	inc := incident.Incident{
		Title: in.Title, Summary: in.Summary, Severity: in.Severity, Status: in.Status,
		Services: in.Services, Teams: in.Teams, Tags: in.Tags, Commander: in.Commander,
		Visibility: in.Visibility, RestrictedTo: in.RestrictedTo, CustomerImpact: in.CustomerImpact,
		StartedAt: in.StartedAt, DetectedAt: in.DetectedAt, AcknowledgedAt: in.AcknowledgedAt,
		MitigatedAt: in.MitigatedAt, ResolvedAt: in.ResolvedAt,
		Public: in.Public, PublicTitle: in.PublicTitle, PublicSummary: in.PublicSummary,
		PublicImpact: in.PublicImpact, ImpactStartedAt: in.ImpactStartedAt, ImpactEndedAt: in.ImpactEndedAt,
	}
	inc.Normalize()
	if err := inc.Validate(); err != nil {
		return incident.Incident{}, err
	}
	if err := a.checkImpactTimes(inc); err != nil {
		return incident.Incident{}, err
	}
	if err := checkRestriction(ctx, inc); err != nil {
		return incident.Incident{}, err
	}
	now := a.Now()
	inc.CreatedAt, inc.UpdatedAt = now, now
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateIncident(ctx, &inc); err != nil {
			return err
		}
		detail := inc.Key
		if inc.Visibility == incident.VisibilityRestricted {
			detail += " (" + visibilityDetail(inc) + ")"
		}
		return a.record(ctx, tx, "incident.create", incident.ObjectIncident, inc.ID, inc.ID, incident.OpUpsert, detail)
	})
	if err != nil {
		return incident.Incident{}, err
	}
	return inc, nil
}

// Incident returns the incident with the numeric id or key ref, if the
// caller may see it.
func (a *App) Incident(ctx context.Context, ref string) (incident.Incident, error) {
	return a.resolve(ctx, a.store, ref)
}

// Incidents lists incidents matching f, one page at a time: those the
// caller may see (the page and the total alike).
func (a *App) Incidents(ctx context.Context, f incident.IncidentFilter) (incident.Page[incident.Incident], error) {
	f.Viewer = viewerFrom(ctx)
	f.Limit = limit(f.Limit)
	if f.Sort.Field == "" {
		f.Sort = incident.SortOrder{Field: "created_at", Desc: true}
	}
	items, total, err := a.store.Incidents(ctx, f)
	if err != nil {
		return incident.Page[incident.Incident]{}, err
	}
	field := f.Sort.Field
	return page(items, total, f.Limit, func(i incident.Incident) incident.Cursor {
		return store.IncidentCursor(i, field)
	}), nil
}

// UpdateIncident applies a partial update. With p.Version set, a stale
// version fails with a ConflictError carrying the current incident.
func (a *App) UpdateIncident(ctx context.Context, ref string, p incident.IncidentPatch) (incident.Incident, error) {
	if err := p.Check(); err != nil {
		return incident.Incident{}, err
	}
	return withRetry(p.Version, func() (incident.Incident, error) {
		var out incident.Incident
		err := a.store.InTx(ctx, func(tx *store.Store) error {
			cur, err := a.lockIncident(ctx, tx, ref)
			if err != nil {
				return err
			}
			if err := checkVersion("incident", p.Version, cur.Version, cur); err != nil {
				return err
			}
			next := cur
			cols := p.Apply(&next)
			cols = a.fillLifecycle(cur, &next, p, cols)
			if len(cols) == 0 {
				out = cur
				return nil
			}
			next.Normalize()
			if err := next.Validate(); err != nil {
				return err
			}
			if err := a.checkImpactTimes(next); err != nil {
				return err
			}
			visChanged := visibilityChanged(cur, next)
			if visChanged {
				if err := checkRestriction(ctx, next); err != nil {
					return err
				}
			}
			out, err = tx.UpdateIncident(ctx, next, cur.Version, cols)
			if err != nil {
				return err
			}
			if err := a.record(ctx, tx, "incident.update", incident.ObjectIncident, out.ID, out.ID, incident.OpUpsert, strings.Join(cols, ",")); err != nil {
				return err
			}
			if !visChanged {
				return nil
			}
			return a.auditVisibility(ctx, tx, cur, out)
		})
		return out, err
	})
}

// fillLifecycle stamps the mitigated/resolved time when the status moves
// there and nobody gave the time, so durations are known without extra work.
func (a *App) fillLifecycle(cur incident.Incident, next *incident.Incident, p incident.IncidentPatch, cols []string) []string {
	if !p.Status.Set || next.Status == cur.Status {
		return cols
	}
	now := a.Now()
	if next.Status == incident.StatusMitigated && next.MitigatedAt == nil && !p.MitigatedAt.Set {
		next.MitigatedAt = &now
		cols = append(cols, "mitigated_at")
	}
	if next.Status == incident.StatusResolved && next.ResolvedAt == nil && !p.ResolvedAt.Set {
		next.ResolvedAt = &now
		cols = append(cols, "resolved_at")
	}
	return cols
}

// DeleteIncident removes an incident and everything recorded under it.
func (a *App) DeleteIncident(ctx context.Context, ref string) error {
	return a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.resolve(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := tx.DeleteIncident(ctx, inc.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, "incident.delete", incident.ObjectIncident, inc.ID, inc.ID, incident.OpDelete, inc.Key+" "+inc.Title)
	})
}
