package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/internal/tickets"
)

// TicketOptions configures ticket sync.
type TicketOptions struct {
	// Registry holds the configured trackers; nil or empty: ticket sync is off.
	Registry *tickets.Registry
	// IncidentAfter files a ticket in IncidentSystem for every incident
	// still not resolved this long after it started (0: never).
	IncidentAfter  time.Duration
	IncidentSystem string
	// PublicURL is where people reach Hindsight, for the link back in a
	// ticket's description (HINDSIGHT_PUBLIC_URL). Empty: the incident key only.
	PublicURL string
}

// ticketClaimTTL is how long a ticket being filed blocks a second filing;
// after it, a claim left by a crash is taken over.
const ticketClaimTTL = 5 * time.Minute

// ticketActor names ticket sync in the audit log.
const ticketActor = "ticket-sync"

// TicketSystem is a configured tracker as the UI offers it.
type TicketSystem struct {
	Name      string `json:"name"`
	CanCreate bool   `json:"can_create"`
}

// TicketError is a tracker's refusal or failure (the API answers 502).
type TicketError struct {
	System string
	Err    error
}

func (e *TicketError) Error() string { return e.Err.Error() }
func (e *TicketError) Unwrap() error { return e.Err }

// TicketConflictError says an action is linked to a ticket already, or
// one is being filed for it (the API answers 409).
type TicketConflictError struct {
	Message string
	Current incident.CorrectiveAction
}

func (e *TicketConflictError) Error() string { return e.Message }

// TicketSystems lists the configured trackers.
func (a *App) TicketSystems() []TicketSystem {
	out := []TicketSystem{}
	for _, n := range a.ticketOpts.Registry.Names() {
		c, _ := a.ticketOpts.Registry.Get(n)
		out = append(out, TicketSystem{Name: n, CanCreate: c.CanCreate()})
	}
	return out
}

// ticketClient returns the client of system or a validation error naming
// the configured ones.
func (a *App) ticketClient(system string) (tickets.Client, error) {
	system = strings.ToLower(strings.TrimSpace(system))
	if system == "" {
		return nil, incident.Invalid("system", "is required")
	}
	c, ok := a.ticketOpts.Registry.Get(system)
	if ok {
		return c, nil
	}
	names := a.ticketOpts.Registry.Names()
	if len(names) == 0 {
		return nil, incident.Invalid("system", "no ticket system is configured on this server")
	}
	if tickets.Known(system) {
		return nil, incident.Invalid("system", system+" is not configured on this server; configured: "+strings.Join(names, ", "))
	}
	return nil, incident.Invalid("system", "must be one of "+strings.Join(names, ", "))
}

// CreateActionTicket files a ticket for a corrective action in system and
// links it. An action linked already is refused (TicketConflictError), as
// is a second filing while one is under way. A tracker's refusal is stored
// on the action as its sync error and returned as a *TicketError. The
// ticket copies the action's title and description to the tracker, whose
// readers may not be the incident's: for a restricted incident the caller
// must say so (confirmRestricted), else a validation error asks.
func (a *App) CreateActionTicket(ctx context.Context, id int64, system string, confirmRestricted bool) (incident.CorrectiveAction, error) {
	act, err := a.Action(ctx, id)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	client, err := a.ticketClient(system)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	if !client.CanCreate() {
		return incident.CorrectiveAction{}, incident.Invalid("system", client.System()+" has nowhere to create tickets: set its HINDSIGHT_TICKET_"+strings.ToUpper(client.System())+"_* target; linking an existing ticket by key works")
	}
	if act.TicketKey != "" || act.TicketURL != "" {
		return incident.CorrectiveAction{}, linkedConflict(act)
	}
	inc, err := a.store.Incident(ctx, act.IncidentID)
	if err != nil {
		return incident.CorrectiveAction{}, notFoundAs(err, "action", strconv.FormatInt(id, 10))
	}
	if inc.Visibility == incident.VisibilityRestricted && !confirmRestricted {
		return incident.CorrectiveAction{}, incident.Invalid("confirm_restricted",
			inc.Key+" is restricted: the ticket copies this action's title and description to "+client.System()+
				", where other people may read them; confirm to file it")
	}
	now := a.Now()
	ok, err := a.store.ClaimActionTicket(ctx, id, client.System(), now, now.Add(-ticketClaimTTL))
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	if !ok {
		cur, err := a.store.Action(ctx, id)
		if err != nil {
			return incident.CorrectiveAction{}, notFoundAs(err, "action", strconv.FormatInt(id, 10))
		}
		if cur.TicketKey != "" || cur.TicketURL != "" {
			return incident.CorrectiveAction{}, linkedConflict(cur)
		}
		return incident.CorrectiveAction{}, &TicketConflictError{Message: "a ticket is being created for this action; try again in a minute", Current: cur}
	}
	ref, err := client.Create(ctx, a.actionTicket(act, inc))
	if err != nil {
		msg := err.Error()
		a.log.Warn("Ticket creation failed", "action_id", id, "system", client.System(), "error", msg)
		// A cancelled request must not leave the claim behind either.
		if rerr := a.store.ReleaseActionTicket(context.WithoutCancel(ctx), id, act.TicketSystem, msg, a.Now()); rerr != nil {
			return incident.CorrectiveAction{}, errors.Join(&TicketError{System: client.System(), Err: err}, rerr)
		}
		return incident.CorrectiveAction{}, &TicketError{System: client.System(), Err: err}
	}
	if ref.Status == "" {
		// Jira and Bugzilla answer a create with the key only; the status
		// is one read away, and a failure there is for the next sync.
		if r, err := client.Status(ctx, ref.Key); err == nil {
			ref.Status = r.Status
		}
	}
	synced := a.Now()
	out, err := a.linkTicket(ctx, id, "action.ticket_create", func(cur *incident.CorrectiveAction) error {
		// Only over our own claim: a link someone made meanwhile stays.
		if cur.TicketKey != "" || cur.TicketURL != "" || cur.TicketStatus != store.TicketCreating {
			return linkedConflict(*cur)
		}
		cur.TicketSystem, cur.TicketKey, cur.TicketURL, cur.TicketStatus = client.System(), ref.Key, ref.URL, ref.Status
		cur.TicketSyncedAt = &synced
		return nil
	})
	if err != nil {
		// The ticket exists: say so, in the answer and on the action (when
		// it is still there), rather than lose it.
		msg := fmt.Sprintf("the %s ticket %s (%s) was created but could not be linked to the action; link it by its key", client.System(), ref.Key, ref.URL)
		if errors.Is(err, incident.ErrNotFound) {
			msg = fmt.Sprintf("the %s ticket %s (%s) was created, but the action is gone", client.System(), ref.Key, ref.URL)
		}
		a.log.Error("Ticket created but not linked", "action_id", id, "system", client.System(), "ticket", ref.Key, "error", err)
		rerr := a.store.ReleaseActionTicket(context.WithoutCancel(ctx), id, act.TicketSystem, msg, a.Now())
		return incident.CorrectiveAction{}, errors.Join(&TicketError{System: client.System(), Err: errors.New(msg)}, rerr)
	}
	return out, nil
}

// LinkActionTicket links an existing ticket to a corrective action and
// syncs it at once (a ticket closed already closes the action). The ticket
// must exist; an action linked to another ticket is refused.
func (a *App) LinkActionTicket(ctx context.Context, id int64, system, key string) (incident.CorrectiveAction, error) {
	act, err := a.Action(ctx, id)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	client, err := a.ticketClient(system)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	key = strings.TrimSpace(incident.CleanText(key))
	if key == "" {
		return incident.CorrectiveAction{}, incident.Invalid("key", "is required")
	}
	if (act.TicketKey != "" || act.TicketURL != "") && (act.TicketKey != key || act.TicketSystem != client.System()) {
		return incident.CorrectiveAction{}, linkedConflict(act)
	}
	remote, err := client.Status(ctx, key)
	if err != nil {
		var se *tickets.StatusError
		if errors.As(err, &se) && se.Status == 404 {
			return incident.CorrectiveAction{}, incident.Invalid("key", err.Error())
		}
		return incident.CorrectiveAction{}, &TicketError{System: client.System(), Err: err}
	}
	synced := a.Now()
	return a.linkTicket(ctx, id, "action.ticket_link", func(cur *incident.CorrectiveAction) error {
		// Checked again under the lock: a link or a filing that started
		// meanwhile is not replaced.
		if cur.TicketStatus == store.TicketCreating && cur.TicketKey == "" {
			return &TicketConflictError{Message: "a ticket is being created for this action; try again in a minute", Current: *cur}
		}
		if (cur.TicketKey != "" || cur.TicketURL != "") && (cur.TicketKey != key || cur.TicketSystem != client.System()) {
			return linkedConflict(*cur)
		}
		cur.TicketSystem, cur.TicketKey, cur.TicketURL, cur.TicketStatus = client.System(), key, remote.URL, remote.Status
		cur.TicketSyncedAt = &synced
		a.closeFromRemote(cur, remote)
		return nil
	})
}

// linkTicket writes the ticket columns set changes, under the incident's
// lock, with the change and audit rows; sync errors are cleared.
func (a *App) linkTicket(ctx context.Context, id int64, auditAction string, set func(*incident.CorrectiveAction) error) (incident.CorrectiveAction, error) {
	var out incident.CorrectiveAction
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		cur, _, err := lockedChild(ctx, tx, "action", id, tx.Action, func(a incident.CorrectiveAction) int64 { return a.IncidentID })
		if err != nil {
			return err
		}
		next := cur
		if err := set(&next); err != nil {
			return err
		}
		next.TicketSyncError, next.TicketSyncErrorAt = "", nil
		next.Normalize()
		if err := next.Validate(); err != nil {
			return err
		}
		cols := []string{"ticket_system", "ticket_key", "ticket_url", "ticket_status", "ticket_synced_at", "ticket_sync_error", "ticket_sync_error_at"}
		if next.Status != cur.Status {
			cols = append(cols, "status", "completed_at")
		}
		if out, err = tx.UpdateAction(ctx, next, cur.Version, cols); err != nil {
			return err
		}
		return a.record(ctx, tx, auditAction, incident.ObjectAction, out.ID, out.IncidentID, incident.OpUpsert,
			out.TicketSystem+" "+out.TicketKey)
	})
	return out, err
}

// closeFromRemote closes an open action whose ticket is closed: done, or
// won't do, at the ticket's closing time (now when the tracker keeps none),
// but never before the action was created nor after now: a ticket fixed
// before the RCA was written, or a tracker's clock, must not give negative
// days to close.
func (a *App) closeFromRemote(act *incident.CorrectiveAction, r tickets.Remote) bool {
	if !r.Closed || act.Status.Closed() {
		return false
	}
	act.Status = incident.ActionDone
	if r.WontDo {
		act.Status = incident.ActionWontDo
	}
	now := a.Now()
	at := now
	if r.ClosedAt != nil {
		at = incident.UTC(*r.ClosedAt)
	}
	if !act.CreatedAt.IsZero() && at.Before(act.CreatedAt) {
		at = incident.UTC(act.CreatedAt)
	}
	if at.After(now) {
		at = now
	}
	act.CompletedAt = &at
	return true
}

// remoteClosedNow reports whether a closed ticket is news to the action:
// the last sync saw another status (or none). A ticket seen closed before,
// on an action a person reopened since, leaves the action open: closing it
// again at every round would undo their edit.
func remoteClosedNow(act incident.CorrectiveAction, r tickets.Remote) bool {
	return r.Closed && (act.TicketSyncedAt == nil || act.TicketStatus != r.Status)
}

// linkedConflict refuses to replace the ticket (or the bare link a person
// pasted) an action has: nothing typed is dropped without asking.
func linkedConflict(act incident.CorrectiveAction) error {
	what := strings.TrimSpace(act.TicketSystem + " ticket " + act.TicketKey)
	if act.TicketKey == "" {
		what = act.TicketURL
	}
	return &TicketConflictError{Message: "the action is linked to " + what + " already; unlink it first", Current: act}
}

// actionTicket is the ticket filed for an action: its title and
// description and the way back to the incident, nothing of the RCA.
func (a *App) actionTicket(act incident.CorrectiveAction, inc incident.Incident) tickets.Ticket {
	var b strings.Builder
	if act.Description != "" {
		b.WriteString(act.Description)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Corrective action (%s, %s priority) from incident %s", act.Type, act.Priority, inc.Key)
	if act.DueDate != nil {
		fmt.Fprintf(&b, ", due %s", act.DueDate)
	}
	b.WriteString(".\n")
	if u := a.incidentURL(inc.Key); u != "" {
		b.WriteString("Hindsight: " + u + "\n")
	}
	b.WriteString("This ticket is synced by Hindsight: closing it closes the action there.")
	return tickets.Ticket{Title: act.Title, Description: b.String(), Labels: []string{"hindsight", strings.ToLower(inc.Key)}}
}

// incidentURL is the incident's page in the UI, "" without a public URL.
func (a *App) incidentURL(key string) string {
	base := strings.TrimRight(a.ticketOpts.PublicURL, "/")
	if base == "" {
		return ""
	}
	return base + "/incidents/" + key
}

// ticketRelinked clears the sync state of a ticket a person re-linked or
// unlinked by editing the action (the old ticket's status and error say
// nothing about the new one), and adds those columns to cols.
func ticketRelinked(cur incident.CorrectiveAction, next *incident.CorrectiveAction, cols []string) []string {
	if next.TicketSystem == cur.TicketSystem && next.TicketKey == cur.TicketKey {
		return cols
	}
	next.TicketStatus, next.TicketSyncedAt = "", nil
	next.TicketSyncError, next.TicketSyncErrorAt = "", nil
	return append(cols, "ticket_status", "ticket_synced_at", "ticket_sync_error", "ticket_sync_error_at")
}

// IncidentTicket returns the ticket the incident policy filed for an
// incident the caller may see (with its error while filing fails); not
// found when there is none.
func (a *App) IncidentTicket(ctx context.Context, ref string) (incident.IncidentTicket, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return incident.IncidentTicket{}, err
	}
	it, err := a.store.IncidentTicket(ctx, inc.ID)
	if err != nil {
		return incident.IncidentTicket{}, notFoundAs(err, "ticket", ref)
	}
	return it, nil
}
