package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// Alerts lists delivered alerts (the inbox with State "inbox"), newest
// first. Alerts routed to an incident the caller may not see are part of
// that incident and left out (the page and the total alike).
func (a *App) Alerts(ctx context.Context, f incident.AlertFilter) (incident.Page[incident.Alert], error) {
	f.Viewer = viewerFrom(ctx)
	switch f.State {
	case "", "all":
		f.State = ""
	case incident.AlertInbox, incident.AlertRouted, incident.AlertDismissed:
	default:
		return incident.Page[incident.Alert]{}, incident.Invalid("state", "must be inbox, routed, dismissed or all")
	}
	f.Limit = limit(f.Limit)
	items, total, err := a.store.Alerts(ctx, f)
	if err != nil {
		return incident.Page[incident.Alert]{}, err
	}
	return page(items, total, f.Limit, store.AlertCursor), nil
}

// Alert returns one delivered alert, unless it was routed to an incident
// the caller may not see.
func (a *App) Alert(ctx context.Context, id int64) (incident.Alert, error) {
	al, err := a.store.Alert(ctx, id)
	if err != nil {
		return incident.Alert{}, err
	}
	if err := visibleAlert(ctx, a.store, al); err != nil {
		return incident.Alert{}, err
	}
	return al, nil
}

// visibleAlert fails with not found for an alert routed to an incident
// the caller may not see.
func visibleAlert(ctx context.Context, s *store.Store, al incident.Alert) error {
	if al.IncidentID == nil {
		return nil
	}
	return visibleChild(ctx, s, "alert", al.ID, *al.IncidentID)
}

// AttachResult tells what attaching alerts to an incident did.
type AttachResult struct {
	Incident incident.Incident
	// Attached counts the alerts moved (the given ones and the rest of
	// their alerts' inbox events); Added the timeline events that were new.
	Attached int
	Added    int
	Alerts   []incident.Alert
}

// AttachAlerts moves inbox alerts into ref's timeline, each with the other
// inbox events of its alert (its trigger, acknowledgements, resolve), in
// one transaction. An alert already in another incident is refused.
func (a *App) AttachAlerts(ctx context.Context, ids []int64, ref string) (AttachResult, error) {
	if len(ids) == 0 {
		return AttachResult{}, incident.Invalid("alert_ids", "must name at least one alert")
	}
	if len(ids) > 1000 {
		return AttachResult{}, incident.Invalid("alert_ids", "must name at most 1000 alerts")
	}
	var res AttachResult
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, err := a.lockIncident(ctx, tx, ref)
		if err != nil {
			return err
		}
		res, err = a.attach(ctx, tx, inc, ids, incident.RoutedManual)
		return err
	})
	return res, err
}

// attach routes the alerts ids and their inbox threads to inc inside tx.
func (a *App) attach(ctx context.Context, tx *store.Store, inc incident.Incident, ids []int64, by string) (AttachResult, error) {
	res := AttachResult{Incident: inc, Alerts: []incident.Alert{}}
	now := a.Now()
	seen := map[int64]bool{}
	var changes []incident.Change
	for i, id := range ids {
		al, err := tx.Alert(ctx, id)
		if err != nil {
			return AttachResult{}, notFoundAs(err, "alert", strconv.FormatInt(id, 10))
		}
		if err := visibleAlert(ctx, tx, al); err != nil {
			return AttachResult{}, err
		}
		if al.IncidentID != nil {
			if *al.IncidentID == inc.ID {
				continue
			}
			return AttachResult{}, incident.Invalid("alert_ids["+strconv.Itoa(i)+"]",
				"alert "+strconv.FormatInt(id, 10)+" is already in "+al.IncidentKey)
		}
		thread := []incident.Alert{al}
		if al.Event.ThreadID != "" {
			if thread, err = inboxOccurrence(ctx, tx, al); err != nil {
				return AttachResult{}, err
			}
		}
		for _, t := range thread {
			if seen[t.ID] {
				continue
			}
			seen[t.ID] = true
			ev := t.Event
			ev.CreatedAt, ev.UpdatedAt = now, now
			added, _, err := tx.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{ev})
			if err != nil {
				return AttachResult{}, err
			}
			var evID *int64
			if len(added) == 1 {
				evID = &added[0].ID
				res.Added++
				changes = append(changes, incident.Change{ObjectType: incident.ObjectTimelineEvent, ObjectID: added[0].ID,
					IncidentID: inc.ID, Op: incident.OpUpsert, CreatedAt: now})
			}
			if err := tx.RouteAlert(ctx, t.ID, inc.ID, evID, by, now); err != nil {
				return AttachResult{}, err
			}
			incID := inc.ID
			t.IncidentID, t.IncidentKey, t.EventID, t.RoutedBy, t.RoutedAt = &incID, inc.Key, evID, by, &now
			t.DismissedAt, t.DismissedBy = nil, ""
			res.Alerts = append(res.Alerts, t)
			res.Attached++
		}
	}
	if err := tx.AppendChanges(ctx, changes...); err != nil {
		return AttachResult{}, err
	}
	detail := strconv.Itoa(res.Attached) + " alert(s) attached, " + strconv.Itoa(res.Added) + " timeline event(s) added"
	if err := a.record(ctx, tx, "alert.attach", incident.ObjectAlert, 0, inc.ID, incident.OpUpsert, detail); err != nil {
		return AttachResult{}, err
	}
	return res, nil
}

// OpenIncidentFromAlert opens a new incident from an inbox alert and
// attaches the alert's inbox events to it, in one transaction. Fields set
// in in (title, severity, services, summary, commander, teams, tags) win;
// the rest come from the alert: its title, a severity from its own
// (critical → SEV2, error → SEV3, else SEV4: an alert knows its signal,
// not its customer impact), its service, and its first event as start
// and detection time.
func (a *App) OpenIncidentFromAlert(ctx context.Context, id int64, in incident.Incident) (AttachResult, error) {
	var res AttachResult
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		al, err := tx.Alert(ctx, id)
		if err != nil {
			return notFoundAs(err, "alert", strconv.FormatInt(id, 10))
		}
		if err := visibleAlert(ctx, tx, al); err != nil {
			return err
		}
		if al.IncidentID != nil {
			return incident.Invalid("alert", "alert "+strconv.FormatInt(id, 10)+" is already in "+al.IncidentKey)
		}
		thread := []incident.Alert{al}
		if al.Event.ThreadID != "" {
			if thread, err = inboxOccurrence(ctx, tx, al); err != nil {
				return err
			}
		}
		inc := incidentFromAlert(al, thread, in)
		inc.Normalize()
		if err := inc.Validate(); err != nil {
			return err
		}
		if err := checkRestriction(ctx, inc); err != nil {
			return err
		}
		now := a.Now()
		inc.CreatedAt, inc.UpdatedAt = now, now
		if err := tx.CreateIncident(ctx, &inc); err != nil {
			return err
		}
		if err := a.record(ctx, tx, "incident.create", incident.ObjectIncident, inc.ID, inc.ID, incident.OpUpsert,
			inc.Key+" from "+al.Event.Source+" alert "+strconv.FormatInt(al.ID, 10)); err != nil {
			return err
		}
		res, err = a.attach(ctx, tx, inc, []int64{al.ID}, incident.RoutedOpened)
		return err
	})
	return res, err
}

// incidentFromAlert builds the incident OpenIncidentFromAlert creates.
func incidentFromAlert(al incident.Alert, thread []incident.Alert, in incident.Incident) incident.Incident {
	inc := in
	inc.ID, inc.Key, inc.Version = 0, "", 0
	inc.Status = incident.StatusOpen
	md := al.Event.Metadata
	if strings.TrimSpace(inc.Title) == "" {
		title, _ := md[importers.MetaTitle].(string)
		if strings.TrimSpace(title) == "" {
			title, _, _ = strings.Cut(al.Event.Body, "\n")
		}
		if utf8.RuneCountInString(title) > incident.MaxTitle {
			title = string([]rune(title)[:incident.MaxTitle-1]) + "…"
		}
		inc.Title = title
	}
	if inc.Severity == "" {
		switch al.Severity {
		case importers.SeverityCritical:
			inc.Severity = incident.SEV2
		case importers.SeverityError:
			inc.Severity = incident.SEV3
		default:
			inc.Severity = incident.SEV4
		}
	}
	if len(inc.Services) == 0 {
		if svc, _ := md[importers.MetaService].(string); strings.TrimSpace(svc) != "" {
			inc.Services = []string{svc}
		}
	}
	if strings.TrimSpace(inc.Summary) == "" {
		inc.Summary = "Opened from an alert of " + al.Event.Source + ": " + inc.Title
	}
	first := al.Event.OccurredAt
	for _, t := range thread {
		if t.Event.OccurredAt.Before(first) {
			first = t.Event.OccurredAt
		}
	}
	if inc.StartedAt == nil {
		inc.StartedAt = &first
	}
	if inc.DetectedAt == nil {
		inc.DetectedAt = &first
	}
	return inc
}

// DismissAlerts puts inbox alerts aside, each with the other inbox events
// of its alert; later events of a dismissed alert are dismissed on arrival.
// It returns how many were dismissed.
func (a *App) DismissAlerts(ctx context.Context, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, incident.Invalid("alert_ids", "must name at least one alert")
	}
	if len(ids) > 1000 {
		return 0, incident.Invalid("alert_ids", "must name at most 1000 alerts")
	}
	n := 0
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		by, now := incident.ActorFrom(ctx).Name, a.Now()
		seen := map[int64]bool{}
		var changes []incident.Change
		var dismiss []int64
		for i, id := range ids {
			al, err := tx.Alert(ctx, id)
			if err != nil {
				return notFoundAs(err, "alert", strconv.FormatInt(id, 10))
			}
			if err := visibleAlert(ctx, tx, al); err != nil {
				return err
			}
			if al.IncidentID != nil {
				return incident.Invalid("alert_ids["+strconv.Itoa(i)+"]", "alert "+strconv.FormatInt(id, 10)+" is in "+al.IncidentKey+", not in the inbox")
			}
			thread := []incident.Alert{al}
			if al.Event.ThreadID != "" {
				if thread, err = inboxOccurrence(ctx, tx, al); err != nil {
					return err
				}
			}
			for _, t := range thread {
				if seen[t.ID] || t.DismissedAt != nil {
					continue
				}
				seen[t.ID] = true
				dismiss = append(dismiss, t.ID)
				changes = append(changes, incident.Change{ObjectType: incident.ObjectAlert, ObjectID: t.ID, Op: incident.OpUpsert, CreatedAt: now})
				n++
			}
		}
		if err := tx.DismissAlertIDs(ctx, dismiss, by, now); err != nil {
			return err
		}
		if err := tx.AppendChanges(ctx, changes...); err != nil {
			return err
		}
		return a.record(ctx, tx, "alert.dismiss", incident.ObjectAlert, 0, 0, incident.OpUpsert, strconv.Itoa(n)+" alert(s) dismissed")
	})
	return n, err
}

// inboxOccurrence lists the inbox events of al's occurrence: its alert's
// waiting events from the trigger at or before al up to the alert's next
// trigger, oldest first. A recurring alert's earlier firings that still
// wait in the inbox are other occurrences and stay.
func inboxOccurrence(ctx context.Context, tx *store.Store, al incident.Alert) ([]incident.Alert, error) {
	thread, err := tx.InboxThread(ctx, al.Event.Source, al.Event.ThreadID)
	if err != nil {
		return nil, err
	}
	at := slices.IndexFunc(thread, func(t incident.Alert) bool { return t.ID == al.ID })
	if at < 0 {
		return []incident.Alert{al}, nil
	}
	start := 0
	for i := at; i >= 0; i-- {
		if recurring(thread[i].Subtype) {
			start = i
			break
		}
	}
	end := len(thread)
	for i := at + 1; i < len(thread); i++ {
		if recurring(thread[i].Subtype) {
			end = i
			break
		}
	}
	return thread[start:end], nil
}
