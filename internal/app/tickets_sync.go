package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/internal/tickets"
)

// ticketSyncPage is how many actions one read of a sync round takes.
const ticketSyncPage = 100

// unreachableAfter is how many failures in a row to reach a tracker end
// its part of a sync round.
const unreachableAfter = 3

// incidentTicketBatch bounds the incident tickets one round files.
const incidentTicketBatch = 50

// TicketSyncReport is what one round of ticket sync did.
type TicketSyncReport struct {
	// Checked tickets were asked for (those of actions, and the incident
	// policy's while their incident is open or recently resolved); Closed
	// actions were closed by theirs; Failed of them could not be read (the
	// error is kept with the action or the incident's ticket, and listed
	// in Failures). Skipped were not asked: their tracker could not be
	// reached or rate-limited us this round; they keep their last state.
	Checked  int                 `json:"checked"`
	Closed   int                 `json:"closed"`
	Failed   int                 `json:"failed"`
	Skipped  int                 `json:"skipped"`
	Failures []TicketSyncFailure `json:"failures"`
	// IncidentTickets were filed by the incident policy; IncidentFailed
	// could not be (the error is kept with the incident's ticket row).
	IncidentTickets int `json:"incident_tickets"`
	IncidentFailed  int `json:"incident_failed"`
}

// TicketSyncFailure is one ticket a round could not read or file.
type TicketSyncFailure struct {
	// ActionID is 0 for an incident policy ticket.
	ActionID    int64  `json:"action_id"`
	IncidentKey string `json:"incident_key"`
	System      string `json:"system"`
	Key         string `json:"key"`
	Error       string `json:"error"`
}

// maxReportedFailures bounds the failures one report lists (all are logged
// and kept with their actions).
const maxReportedFailures = 50

func (r *TicketSyncReport) fail(f TicketSyncFailure) {
	if len(r.Failures) < maxReportedFailures {
		r.Failures = append(r.Failures, f)
	}
}

// SyncActionTicket reads the ticket of one action now: a closed ticket
// closes the action; a failure is stored on the action and returned.
func (a *App) SyncActionTicket(ctx context.Context, id int64) (incident.CorrectiveAction, error) {
	act, err := a.Action(ctx, id)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	if act.TicketKey == "" {
		return incident.CorrectiveAction{}, incident.Invalid("ticket", "the action has no linked ticket")
	}
	client, err := a.ticketClient(act.TicketSystem)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	if _, err := a.syncAction(ctx, client, act); err != nil {
		return incident.CorrectiveAction{}, err
	}
	return a.Action(ctx, id)
}

// SyncTickets reads the ticket of every open action linked to a configured
// tracker, closes the actions whose tickets closed, stores each failure on
// its action (and logs it), and files the incident policy's tickets. One
// tracker failing does not stop the others; the error returned is only
// for the database.
func (a *App) SyncTickets(ctx context.Context) (TicketSyncReport, error) {
	rep := TicketSyncReport{Failures: []TicketSyncFailure{}}
	systems := a.ticketOpts.Registry.Names()
	if incident.ActorFrom(ctx).Name == incident.Anonymous {
		ctx = incident.WithActor(ctx, incident.Actor{Name: ticketActor}) // the scheduled job
	}
	// A tracker that cannot be reached (timeouts, refused connections, as
	// opposed to an answer) is given up for the rest of the round after
	// unreachableAfter failures in a row, so one that is down does not
	// hold the round for a timeout per action; one that rate-limits us
	// (429 after its wait) or is unavailable (503) at once. The actions not
	// asked keep their last state and are counted as skipped.
	unreachable := map[string]int{}
	for after := int64(0); ; {
		page, err := a.store.ActionsToSync(ctx, systems, after, ticketSyncPage)
		if err != nil {
			return rep, err
		}
		for _, act := range page {
			after = act.ID
			client, _ := a.ticketOpts.Registry.Get(act.TicketSystem)
			if unreachable[client.System()] >= unreachableAfter {
				rep.Skipped++
				continue
			}
			rep.Checked++
			closed, err := a.syncAction(ctx, client, act)
			var (
				te *TicketError
				se *tickets.StatusError
			)
			switch {
			case err == nil:
				unreachable[client.System()] = 0
				if closed {
					rep.Closed++
				}
			case !errors.As(err, &te):
				return rep, err
			default:
				rep.Failed++
				rep.fail(TicketSyncFailure{ActionID: act.ID, IncidentKey: act.IncidentKey, System: client.System(), Key: act.TicketKey, Error: te.Error()})
				switch {
				case errors.As(err, &se) && (se.Status == http.StatusTooManyRequests || se.Status == http.StatusServiceUnavailable):
					unreachable[client.System()] = unreachableAfter
				case errors.As(err, &se):
					unreachable[client.System()] = 0
				default:
					unreachable[client.System()]++
				}
				if unreachable[client.System()] == unreachableAfter {
					a.log.Warn("Ticket system unreachable or limiting us; not asking it again this round", "system", client.System(), "error", te.Error())
				}
			}
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
		}
		if len(page) < ticketSyncPage {
			break
		}
	}
	if err := a.syncIncidentTickets(ctx, systems, &rep); err != nil {
		return rep, err
	}
	if err := a.fileIncidentTickets(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// incidentTicketFollow is how long after its incident is resolved a policy
// ticket's status is still read back.
const incidentTicketFollow = 14 * 24 * time.Hour

// syncIncidentTickets reads back the status of the incident policy's
// tickets (it changes nothing else: the incident's state is its own).
func (a *App) syncIncidentTickets(ctx context.Context, systems []string, rep *TicketSyncReport) error {
	for after := int64(0); ; {
		page, err := a.store.IncidentTicketsToSync(ctx, systems, a.Now().Add(-incidentTicketFollow), after, ticketSyncPage)
		if err != nil {
			return err
		}
		for _, it := range page {
			after = it.IncidentID
			client, _ := a.ticketOpts.Registry.Get(it.System)
			rep.Checked++
			status, errText := "", ""
			if r, err := client.Status(ctx, it.Key); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				rep.Failed++
				errText = err.Error()
				rep.fail(TicketSyncFailure{IncidentKey: incident.FormatKey(it.IncidentID), System: it.System, Key: it.Key, Error: errText})
				a.log.Warn("Incident ticket sync failed", "incident", incident.FormatKey(it.IncidentID), "system", it.System, "ticket", it.Key, "error", errText)
			} else {
				status = r.Status
			}
			if err := a.store.SetIncidentTicketSync(ctx, it.IncidentID, it.Key, status, errText, a.Now()); err != nil {
				return err
			}
		}
		if len(page) < ticketSyncPage {
			return nil
		}
	}
}

// TicketSyncTick is one scheduled round of ticket sync, for RunJob.
func (a *App) TicketSyncTick(ctx context.Context) error {
	rep, err := a.SyncTickets(ctx)
	if rep.Checked+rep.IncidentTickets+rep.IncidentFailed > 0 {
		a.log.Info("Ticket sync", "checked", rep.Checked, "closed", rep.Closed, "failed", rep.Failed,
			"incident_tickets", rep.IncidentTickets, "incident_failed", rep.IncidentFailed)
	}
	return err
}

// syncAction reads act's ticket and stores what it says; it reports
// whether the action was closed. A tracker failure is stored on the
// action and returned as a *TicketError.
func (a *App) syncAction(ctx context.Context, client tickets.Client, act incident.CorrectiveAction) (bool, error) {
	remote, err := client.Status(ctx, act.TicketKey)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		a.log.Warn("Ticket sync failed", "action_id", act.ID, "system", client.System(), "ticket", act.TicketKey, "error", err.Error())
		serr := a.store.SetActionTicketSync(ctx, act.ID, act.TicketKey, incident.TicketSync{Error: err.Error(), ErrorAt: a.Now()})
		return false, errors.Join(&TicketError{System: client.System(), Err: err}, serr)
	}
	now := a.Now()
	if !remoteClosedNow(act, remote) || act.Status.Closed() {
		return false, a.store.SetActionTicketSync(ctx, act.ID, act.TicketKey, incident.TicketSync{Status: remote.Status, SyncedAt: now})
	}
	closed := false
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := tx.Action(ctx, act.ID)
		if err != nil {
			return notFoundAs(err, "action", strconv.FormatInt(act.ID, 10))
		}
		if _, err := tx.LockIncident(ctx, cur.IncidentID); err != nil {
			return err
		}
		if cur, err = tx.Action(ctx, act.ID); err != nil {
			return notFoundAs(err, "action", strconv.FormatInt(act.ID, 10))
		}
		if cur.TicketKey != act.TicketKey || cur.TicketSystem != act.TicketSystem {
			return nil // re-linked meanwhile: this answer is about another ticket
		}
		if !remoteClosedNow(cur, remote) {
			return tx.SetActionTicketSync(ctx, cur.ID, cur.TicketKey, incident.TicketSync{Status: remote.Status, SyncedAt: now})
		}
		next := cur
		next.TicketStatus, next.TicketSyncedAt = remote.Status, &now
		next.TicketSyncError, next.TicketSyncErrorAt = "", nil
		cols := []string{"ticket_status", "ticket_synced_at", "ticket_sync_error", "ticket_sync_error_at"}
		if a.closeFromRemote(&next, remote) {
			cols = append(cols, "status", "completed_at")
			closed = true
		}
		out, err := tx.UpdateAction(ctx, next, cur.Version, cols)
		if err != nil {
			return err
		}
		if !closed {
			return nil
		}
		return a.record(ctx, tx, "action.ticket_closed", incident.ObjectAction, out.ID, out.IncidentID, incident.OpUpsert,
			fmt.Sprintf("%s %s %s: %s", out.TicketSystem, out.TicketKey, remote.Status, out.Status))
	})
	return closed, err
}

// fileIncidentTickets files a ticket for each incident still not resolved
// IncidentAfter after it started, once per incident however many replicas
// run this: each is claimed in the database first.
func (a *App) fileIncidentTickets(ctx context.Context, rep *TicketSyncReport) error {
	after, system := a.ticketOpts.IncidentAfter, a.ticketOpts.IncidentSystem
	if after <= 0 || system == "" {
		return nil
	}
	client, ok := a.ticketOpts.Registry.Get(system)
	if !ok || !client.CanCreate() {
		return fmt.Errorf("tickets: HINDSIGHT_TICKET_INCIDENT_SYSTEM %q is not configured to create tickets", system)
	}
	now := a.Now()
	ids, err := a.store.IncidentsNeedingTicket(ctx, now.Add(-after), now.Add(-ticketClaimTTL), incidentTicketBatch)
	if err != nil {
		return err
	}
	for _, id := range ids {
		ok, err := a.store.ClaimIncidentTicket(ctx, id, client.System(), a.Now(), a.Now().Add(-ticketClaimTTL))
		if err != nil {
			if errors.Is(err, incident.ErrNotFound) {
				continue // deleted since it was listed
			}
			return err
		}
		if !ok {
			continue // another replica has it
		}
		inc, err := a.store.Incident(ctx, id)
		if err != nil {
			if errors.Is(err, incident.ErrNotFound) {
				continue
			}
			return err
		}
		ref, cerr := client.Create(ctx, a.incidentTicket(inc))
		if cerr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rep.IncidentFailed++
			rep.fail(TicketSyncFailure{IncidentKey: inc.Key, System: client.System(), Error: cerr.Error()})
			a.log.Warn("Incident ticket failed", "incident", inc.Key, "system", client.System(), "error", cerr.Error())
			if err := a.store.FinishIncidentTicket(ctx, id, "", "", "", cerr.Error(), a.Now()); err != nil {
				return err
			}
			continue
		}
		rep.IncidentTickets++
		if !httpURL(ref.URL) {
			ref.URL = "" // the panel links it: only http(s) from a tracker
		}
		err = a.store.InTx(ctx, func(tx *store.Store) error {
			if err := tx.FinishIncidentTicket(ctx, id, ref.Key, ref.URL, ref.Status, "", a.Now()); err != nil {
				return err
			}
			return a.record(ctx, tx, "incident.ticket_create", incident.ObjectIncident, id, id, incident.OpUpsert,
				client.System()+" "+ref.Key)
		})
		if err != nil {
			return fmt.Errorf("the %s ticket %s for %s was created but not recorded: %w", client.System(), ref.Key, inc.Key, err)
		}
	}
	return nil
}

// incidentTicket is the ticket the incident policy files. A restricted
// incident's ticket names only its key and link: its title and summary
// stay with the people allowed to see it.
func (a *App) incidentTicket(inc incident.Incident) tickets.Ticket {
	after := strings.TrimSuffix(strings.TrimSuffix(a.ticketOpts.IncidentAfter.String(), "0s"), "0m")
	title := fmt.Sprintf("%s not resolved after %s", inc.Key, after)
	var b strings.Builder
	if inc.Visibility == incident.VisibilityRestricted {
		title += " (restricted incident)"
		fmt.Fprintf(&b, "Incident %s is restricted; see it in Hindsight.\n", inc.Key)
	} else {
		title += ": " + inc.Title
		fmt.Fprintf(&b, "%s — %s, %s.\n", inc.Title, inc.Severity, inc.Status)
		if inc.Summary != "" {
			b.WriteString("\n" + inc.Summary + "\n")
		}
	}
	if inc.StartedAt != nil {
		fmt.Fprintf(&b, "\nStarted %s.", inc.StartedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if u := a.incidentURL(inc.Key); u != "" {
		b.WriteString("\nHindsight: " + u)
	}
	b.WriteString("\nFiled by Hindsight's incident ticket policy.")
	return tickets.Ticket{Title: title, Description: b.String(), Labels: []string{"hindsight", "incident", strings.ToLower(inc.Key)}}
}

// httpURL reports whether u is an http(s) URL.
func httpURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}
