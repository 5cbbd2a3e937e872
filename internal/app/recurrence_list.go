package app

import (
	"context"
	"strconv"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// Recurrence is a recurrence warning as managers and the incident page
// see it.
type Recurrence struct {
	ID int64
	// Incident is the new incident; Past the one it looks like.
	Incident RecurrenceIncident
	Past     RecurrenceIncident
	// Relative is how similar Past is, as a share of how similar Incident
	// is to itself (1 = identical); Score is the raw similarity.
	Relative float64
	Score    float64
	Reasons  []incident.MatchReason
	// ActionsClosed is how many corrective actions Past had closed.
	ActionsClosed int
	// Message says it in a sentence.
	Message     string
	CreatedAt   time.Time
	DismissedAt *time.Time
	DismissedBy string
}

// RecurrenceIncident is one side of a recurrence warning.
type RecurrenceIncident struct {
	ID     int64
	Key    string
	Title  string
	Status incident.Status
}

// RecurrenceFilter selects recurrence warnings: of one incident (a key or
// id; "" for all), dismissed ones too or not, a page of Limit after Cursor.
type RecurrenceFilter struct {
	Incident         string
	IncludeDismissed bool
	Limit            int
	Cursor           *incident.Cursor
}

// Recurrences lists the recurrence warnings, newest first: the managers'
// list. Warnings about an incident the caller may not see are left out,
// in the query, so pages and the total stay exact.
func (a *App) Recurrences(ctx context.Context, f RecurrenceFilter) (incident.Page[Recurrence], error) {
	sf := incident.RecurrenceFilter{IncludeDismissed: f.IncludeDismissed, Limit: limit(f.Limit), Cursor: f.Cursor}
	if f.Incident != "" {
		inc, err := a.resolve(ctx, a.store, f.Incident)
		if err != nil {
			return incident.Page[Recurrence]{}, err
		}
		sf.IncidentID = inc.ID
	}
	return a.recurrences(ctx, sf)
}

// IncidentRecurrences lists the warnings of one incident that are not
// dismissed: the past incidents it looks like.
func (a *App) IncidentRecurrences(ctx context.Context, ref string) ([]Recurrence, error) {
	p, err := a.Recurrences(ctx, RecurrenceFilter{Incident: ref, Limit: incident.MaxLimit})
	return p.Items, err
}

// recurrences lists with the caller's visibility applied.
func (a *App) recurrences(ctx context.Context, f incident.RecurrenceFilter) (incident.Page[Recurrence], error) {
	f.Viewer = viewerFrom(ctx)
	rows, total, err := a.store.Recurrences(ctx, f)
	if err != nil {
		return incident.Page[Recurrence]{}, err
	}
	p := page(rows, total, f.Limit, store.RecurrenceCursor)
	out := incident.Page[Recurrence]{Items: make([]Recurrence, len(p.Items)), NextCursor: p.NextCursor, Total: p.Total}
	for i, r := range p.Items {
		out.Items[i] = recurrenceOf(r)
	}
	return out, nil
}

// DismissRecurrence marks a warning dismissed (seen, nothing to do); it
// stays dismissed, so the pair is not flagged again. Dismissing it again
// changes nothing.
func (a *App) DismissRecurrence(ctx context.Context, id int64) (Recurrence, error) {
	var out incident.Recurrence
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := tx.Recurrence(ctx, id)
		if err != nil {
			return notFoundAs(err, "recurrence", strconv.FormatInt(id, 10))
		}
		v := viewerFrom(ctx)
		if !refVisible(cur.Incident, v) || !refVisible(cur.Past, v) {
			return incident.NotFound("recurrence", strconv.FormatInt(id, 10))
		}
		if cur.DismissedAt != nil {
			out = cur
			return nil
		}
		actor := incident.ActorFrom(ctx)
		if out, err = tx.DismissRecurrence(ctx, id, actor.Name, a.Now()); err != nil {
			return err
		}
		incID := cur.IncidentID
		return tx.AppendAudit(ctx, incident.AuditEntry{Actor: actor.Name, Action: "recurrence.dismiss",
			ObjectType: "recurrence", ObjectID: id, IncidentID: &incID,
			Detail:     "dismissed: " + cur.Incident.Key + " looks like " + cur.Past.Key,
			RemoteAddr: actor.RemoteAddr, RequestID: actor.RequestID, CreatedAt: a.Now()})
	})
	if err != nil {
		return Recurrence{}, err
	}
	return recurrenceOf(out), nil
}

// refVisible reports whether v may see the incident r describes.
func refVisible(r incident.IncidentRef, v incident.Viewer) bool {
	return v.Sees(r.Visibility, r.RestrictedTo)
}

func recurrenceOf(r incident.Recurrence) Recurrence {
	side := func(x incident.IncidentRef) RecurrenceIncident {
		return RecurrenceIncident{ID: x.ID, Key: x.Key, Title: x.Title, Status: x.Status}
	}
	reasons := r.Reasons
	if reasons == nil {
		reasons = []incident.MatchReason{}
	}
	return Recurrence{ID: r.ID, Incident: side(r.Incident), Past: side(r.Past), Relative: r.Relative, Score: r.Score,
		Reasons: reasons, ActionsClosed: r.ActionsClosed, Message: RecurrenceMessage(r.Past.Key),
		CreatedAt: r.CreatedAt, DismissedAt: r.DismissedAt, DismissedBy: r.DismissedBy}
}

// RecurrenceMessage is the warning's sentence.
func RecurrenceMessage(pastKey string) string {
	return "Looks like " + pastKey + ", whose corrective actions were all closed"
}
