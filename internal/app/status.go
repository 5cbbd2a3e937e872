package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// StatusServices returns the services the public status page lists, in order.
func (a *App) StatusServices(ctx context.Context) ([]incident.StatusService, error) {
	return a.store.StatusServices(ctx)
}

// ReplaceStatusServices makes list the status page's services, in its
// order (an admin's edit of the whole list), and records who changed it.
func (a *App) ReplaceStatusServices(ctx context.Context, list []incident.StatusService) ([]incident.StatusService, error) {
	next := incident.NormalizeStatusServices(list)
	if err := incident.ValidateStatusServices(next); err != nil {
		return nil, err
	}
	var out []incident.StatusService
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.ReplaceStatusServices(ctx, next); err != nil {
			return err
		}
		names := make([]string, len(out))
		for n, s := range out {
			names[n] = s.Name
		}
		actor := incident.ActorFrom(ctx)
		return tx.AppendAudit(ctx, incident.AuditEntry{
			Actor: actor.Name, Action: "status_services.update", ObjectType: incident.ObjectStatusService,
			Detail: detailOf(strings.Join(names, ",")), RemoteAddr: actor.RemoteAddr, RequestID: actor.RequestID,
			CreatedAt: a.Now(),
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// detailOf bounds an audit detail.
func detailOf(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// maxClockSkew is how far in the future a client's posting time may be,
// for clocks that run a little ahead.
const maxClockSkew = 5 * time.Minute

// maxETA is how far after its posting an update's ETA may be.
const maxETA = 366 * 24 * time.Hour

// checkImpactTimes refuses an impact window in the future: it would show a
// current outage nobody is working on (a typo of the year is enough).
// The domain checks the rest (incident.Incident.Validate); this needs the
// clock.
func (a *App) checkImpactTimes(inc incident.Incident) error {
	limit := a.Now().Add(maxClockSkew)
	v := &incident.ValidationError{}
	for _, t := range []incident.Lifecycle{{Field: "impact_started_at", At: inc.ImpactStartedAt}, {Field: "impact_ended_at", At: inc.ImpactEndedAt}} {
		if t.At != nil && t.At.After(limit) {
			v.Add(t.Field, "must not be in the future")
		}
	}
	return v.Err()
}

// IncidentUpdates returns the customer updates of an incident the caller
// may see, newest first.
func (a *App) IncidentUpdates(ctx context.Context, ref string) ([]incident.IncidentUpdate, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	return a.store.IncidentUpdates(ctx, inc.ID)
}

// CreateIncidentUpdate posts a customer update to an incident. It reaches
// the status page only while the incident is public. Without a posting
// time it is posted now; the author is the caller.
func (a *App) CreateIncidentUpdate(ctx context.Context, ref string, u incident.IncidentUpdate) (incident.IncidentUpdate, error) {
	next := incident.IncidentUpdate{Status: u.Status, Body: u.Body, ETA: u.ETA, PostedAt: u.PostedAt}
	next.Normalize()
	if err := next.Validate(); err != nil {
		return incident.IncidentUpdate{}, err
	}
	now := a.Now()
	switch {
	case next.PostedAt.IsZero():
		next.PostedAt = now
	case next.PostedAt.After(now.Add(maxClockSkew)):
		// A future time would pin the update above every later one.
		return incident.IncidentUpdate{}, incident.Invalid("posted_at", "must not be in the future")
	}
	// Customers read the ETA as a promise: not before the update, not a year out.
	if next.ETA != nil && next.ETA.Before(next.PostedAt) {
		return incident.IncidentUpdate{}, incident.Invalid("eta", "must not be before the update is posted ("+next.PostedAt.Format(time.RFC3339)+")")
	}
	if next.ETA != nil && next.ETA.After(next.PostedAt.Add(maxETA)) {
		return incident.IncidentUpdate{}, incident.Invalid("eta", "must be within a year of the update")
	}
	next.Author = incident.ActorFrom(ctx).Name
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		next.IncidentID = inc.ID
		if err := tx.CreateIncidentUpdate(ctx, &next); err != nil {
			return err
		}
		// The timeline keeps what customers were told and when, for the RCA.
		ev := updateEvent(next)
		ev.CreatedAt, ev.UpdatedAt = now, now
		if _, _, err := tx.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{ev}); err != nil {
			return err
		}
		return a.record(ctx, tx, "incident_update.create", incident.ObjectIncidentUpdate, next.ID, inc.ID,
			incident.OpUpsert, inc.Key+" "+string(next.Status))
	})
	if err != nil {
		return incident.IncidentUpdate{}, err
	}
	return next, nil
}

// SourceStatusPage is the timeline source of the customer updates posted
// here (their external id is "update-<id>").
const SourceStatusPage = "status_page"

// updateEvent is the timeline event of a customer update.
func updateEvent(u incident.IncidentUpdate) incident.TimelineEvent {
	body := "Customer update (" + string(u.Status) + "): " + u.Body
	if u.ETA != nil {
		body += "\n\nETA " + u.ETA.UTC().Format(time.RFC3339)
	}
	ev := incident.TimelineEvent{
		OccurredAt: u.PostedAt, Source: SourceStatusPage, Kind: incident.KindStatus, Actor: u.Author,
		Body: body, ExternalID: "update-" + strconv.FormatInt(u.ID, 10),
	}
	ev.Normalize()
	return ev
}

// DeleteIncidentUpdate removes a customer update (posted by mistake) from
// the status page; the audit entry keeps what it said, and the timeline
// event of its posting stays (hide it there if it should not reach the RCA).
func (a *App) DeleteIncidentUpdate(ctx context.Context, ref string, id int64) error {
	return a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		u, err := tx.IncidentUpdate(ctx, inc.ID, id)
		if err != nil {
			return notFoundAs(err, "incident_update", strconv.FormatInt(id, 10))
		}
		if err := tx.DeleteIncidentUpdate(ctx, inc.ID, id); err != nil {
			return err
		}
		return a.record(ctx, tx, "incident_update.delete", incident.ObjectIncidentUpdate, id, inc.ID,
			incident.OpDelete, detailOf(inc.Key+" "+string(u.Status)+": "+u.Body))
	})
}
