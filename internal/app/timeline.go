package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// MaxAppend bounds the events one append may carry; imports batch above it.
const MaxAppend = 50000

// Timeline lists an incident's events in time order, one page at a time.
func (a *App) Timeline(ctx context.Context, ref string, f incident.TimelineFilter) (incident.Page[incident.TimelineEvent], error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return incident.Page[incident.TimelineEvent]{}, err
	}
	f.IncidentID = inc.ID
	f.Limit = limit(f.Limit)
	items, total, err := a.store.TimelineEvents(ctx, f)
	if err != nil {
		return incident.Page[incident.TimelineEvent]{}, err
	}
	return page(items, total, f.Limit, store.EventCursor), nil
}

// AppendTimeline adds events to an incident's timeline in one transaction.
// Events whose source and external id are already there are skipped and
// counted; one invalid event rejects the whole append.
func (a *App) AppendTimeline(ctx context.Context, ref string, evs []incident.TimelineEvent) (incident.AppendResult, error) {
	if len(evs) == 0 {
		return incident.AppendResult{}, incident.Invalid("events", "must hold at least one event")
	}
	if len(evs) > MaxAppend {
		return incident.AppendResult{}, incident.Invalid("events", "must hold at most "+strconv.Itoa(MaxAppend)+" events per request")
	}
	clean := make([]incident.TimelineEvent, len(evs))
	verr := &incident.ValidationError{}
	for i, in := range evs {
		e := incident.TimelineEvent{
			OccurredAt: in.OccurredAt, OccurredAtText: in.OccurredAtText, Source: in.Source,
			Kind: in.Kind, Actor: in.Actor, Body: in.Body, Link: in.Link, ExternalID: in.ExternalID,
			ThreadID: in.ThreadID, ParentID: in.ParentID, Metadata: in.Metadata,
			KeyEvent: in.KeyEvent, Hidden: in.Hidden, ImportBatchID: in.ImportBatchID,
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			prefix := ""
			if len(evs) > 1 {
				prefix = "events[" + strconv.Itoa(i) + "]."
			}
			verr.Merge(prefix, err.(*incident.ValidationError))
		}
		clean[i] = e
	}
	if err := verr.Err(); err != nil {
		return incident.AppendResult{}, err
	}
	var res incident.AppendResult
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		// The lock makes overlapping imports into one incident take turns.
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		now := a.Now()
		for i := range clean {
			clean[i].CreatedAt, clean[i].UpdatedAt = now, now
		}
		res.Added, res.Duplicates, err = tx.InsertTimelineEvents(ctx, inc.ID, clean)
		if err != nil || len(res.Added) == 0 {
			return err
		}
		detail := strconv.Itoa(len(res.Added)) + " added, " + strconv.Itoa(res.Duplicates) + " duplicates"
		return a.record(ctx, tx, "timeline.append", incident.ObjectTimelineEvent, 0, inc.ID, incident.OpUpsert, detail)
	})
	if err != nil {
		return incident.AppendResult{}, err
	}
	if res.Added == nil {
		res.Added = []incident.TimelineEvent{}
	}
	return res, nil
}

// eventOf loads event id and checks that it belongs to inc.
func eventOf(ctx context.Context, tx *store.Store, inc incident.Incident, id int64) (incident.TimelineEvent, error) {
	ev, err := tx.TimelineEvent(ctx, id)
	if err != nil {
		return incident.TimelineEvent{}, notFoundAs(err, "timeline_event", strconv.FormatInt(id, 10))
	}
	if ev.IncidentID != inc.ID {
		return incident.TimelineEvent{}, incident.NotFound("timeline_event", strconv.FormatInt(id, 10))
	}
	return ev, nil
}

// UpdateTimelineEvent stars, hides or corrects an event. A corrected time
// keeps the first recorded time in OriginalOccurredAt; imported text cannot
// be rewritten (it is evidence), only notes typed here can.
func (a *App) UpdateTimelineEvent(ctx context.Context, ref string, eventID int64, p incident.TimelineEventPatch) (incident.TimelineEvent, error) {
	if err := p.Check(); err != nil {
		return incident.TimelineEvent{}, err
	}
	return withRetry(p.Version, func() (incident.TimelineEvent, error) {
		var out incident.TimelineEvent
		err := a.store.InTx(ctx, func(tx *store.Store) error {
			inc, err := a.lockIncident(ctx, tx, ref)
			if err != nil {
				return err
			}
			cur, err := eventOf(ctx, tx, inc, eventID)
			if err != nil {
				return err
			}
			if err := checkVersion("timeline_event", p.Version, cur.Version, cur); err != nil {
				return err
			}
			next, cols, err := a.applyEventPatch(ctx, cur, p)
			if err != nil || len(cols) == 0 {
				out = cur
				return err
			}
			out, err = tx.UpdateTimelineEvent(ctx, next, cur.Version, cols)
			if err != nil {
				return err
			}
			return a.record(ctx, tx, "timeline.update", incident.ObjectTimelineEvent, out.ID, inc.ID, incident.OpUpsert, strings.Join(cols, ","))
		})
		return out, err
	})
}

func (a *App) applyEventPatch(ctx context.Context, cur incident.TimelineEvent, p incident.TimelineEventPatch) (incident.TimelineEvent, []string, error) {
	next := cur
	var cols []string
	corrected := false
	if p.KeyEvent.Set && p.KeyEvent.Value != cur.KeyEvent {
		next.KeyEvent = p.KeyEvent.Value
		cols = append(cols, "key_event")
	}
	if p.Hidden.Set && p.Hidden.Value != cur.Hidden {
		next.Hidden = p.Hidden.Value
		cols = append(cols, "hidden")
	}
	if p.OccurredAt.Set && !incident.UTC(p.OccurredAt.Value).Equal(cur.OccurredAt) {
		if p.OccurredAt.Value.IsZero() {
			return next, nil, incident.Invalid("occurred_at", "must be a time (RFC 3339)")
		}
		next.OccurredAt = incident.UTC(p.OccurredAt.Value)
		cols = append(cols, "occurred_at")
		if cur.OriginalOccurredAt == nil {
			orig := cur.OccurredAt
			next.OriginalOccurredAt = &orig
			cols = append(cols, "original_occurred_at")
		}
		corrected = true
	}
	edits := (p.Body.Set && p.Body.Value != cur.Body) || (p.Actor.Set && p.Actor.Value != cur.Actor)
	if edits && cur.Source != incident.SourceManual {
		return next, nil, incident.Invalid("body", "events imported from "+cur.Source+" keep their original text and actor; add a note instead")
	}
	if p.Body.Set && p.Body.Value != cur.Body {
		next.Body = p.Body.Value
		cols = append(cols, "body")
		corrected = true
	}
	if p.Actor.Set && p.Actor.Value != cur.Actor {
		next.Actor = p.Actor.Value
		cols = append(cols, "actor")
		corrected = true
	}
	if p.Kind.Set && p.Kind.Value != cur.Kind {
		next.Kind = p.Kind.Value
		cols = append(cols, "kind")
		corrected = true
	}
	if corrected {
		now := a.Now()
		next.CorrectedBy = incident.ActorFrom(ctx).Name
		next.CorrectedAt = &now
		// The reason belongs to this correction: one made without a reason
		// does not keep the reason of an earlier one.
		next.CorrectionReason = ""
		if p.Reason.Set {
			next.CorrectionReason = strings.TrimSpace(incident.CleanText(p.Reason.Value))
		}
		cols = append(cols, "corrected_by", "corrected_at", "correction_reason")
	}
	next.Normalize()
	if err := next.Validate(); err != nil {
		return next, nil, err
	}
	return next, cols, nil
}

// DeleteTimelineEvent removes one event (root causes stop citing it).
func (a *App) DeleteTimelineEvent(ctx context.Context, ref string, eventID int64) error {
	return a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.resolve(ctx, tx, ref)
		if err != nil {
			return err
		}
		ev, err := eventOf(ctx, tx, inc, eventID)
		if err != nil {
			return err
		}
		if err := tx.DeleteTimelineEvent(ctx, ev.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, "timeline.delete", incident.ObjectTimelineEvent, ev.ID, inc.ID, incident.OpDelete, ev.Source+" "+ev.ExternalID)
	})
}
