package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// ticketService is ticket sync: filing and linking tracker tickets for
// corrective actions and reading their status back.
type ticketService interface {
	TicketSystems() []app.TicketSystem
	CreateActionTicket(ctx context.Context, id int64, system string, confirmRestricted bool) (incident.CorrectiveAction, error)
	LinkActionTicket(ctx context.Context, id int64, system, key string) (incident.CorrectiveAction, error)
	SyncActionTicket(ctx context.Context, id int64) (incident.CorrectiveAction, error)
	SyncTickets(ctx context.Context) (app.TicketSyncReport, error)
	IncidentTicket(ctx context.Context, ref string) (incident.IncidentTicket, error)
}

// actionTicketRequest is the body of POST /actions/:id/ticket: a system
// alone files a new ticket there; with a key it links that ticket.
type actionTicketRequest struct {
	System string `json:"system"`
	Key    string `json:"key"`
	// ConfirmRestricted files a ticket for an action of a restricted
	// incident: its title and description go to the tracker.
	ConfirmRestricted bool `json:"confirm_restricted"`
}

// listTicketSystems handles GET /tickets/systems: the configured trackers.
func (s *server) listTicketSystems(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": s.svc.TicketSystems()})
}

// createActionTicket handles POST /actions/:id/ticket.
func (s *server) createActionTicket(c *gin.Context) {
	id, err := idParam(c, "id", "action")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req actionTicketRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	if strings.TrimSpace(req.Key) != "" {
		a, err := s.svc.LinkActionTicket(ctx, id, req.System, req.Key)
		if err != nil {
			s.renderError(c, s.ticketError(err))
			return
		}
		etag(c, a.Version)
		c.JSON(http.StatusOK, s.presentAction(a))
		return
	}
	a, err := s.svc.CreateActionTicket(ctx, id, req.System, req.ConfirmRestricted)
	if err != nil {
		s.renderError(c, s.ticketError(err))
		return
	}
	etag(c, a.Version)
	created(c, actionLocation(a), s.presentAction(a))
}

// syncActionTicket handles POST /actions/:id/ticket/sync.
func (s *server) syncActionTicket(c *gin.Context) {
	id, err := idParam(c, "id", "action")
	if err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.svc.SyncActionTicket(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, s.ticketError(err))
		return
	}
	etag(c, a.Version)
	c.JSON(http.StatusOK, s.presentAction(a))
}

// syncTickets handles POST /tickets/sync: one round of ticket sync now.
func (s *server) syncTickets(c *gin.Context) {
	rep, err := s.svc.SyncTickets(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// incidentTicketJSON is the ticket the incident policy filed.
type incidentTicketJSON struct {
	System string `json:"system"`
	Key    string `json:"key"`
	URL    string `json:"url"`
	Status string `json:"status"`
	// Error is why the last attempt to file it failed ("" once filed).
	Error     string    `json:"error"`
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// getIncidentTicket handles GET /incidents/:id/ticket: {"ticket": null}
// when the policy filed none (most incidents: the page asks every time, so
// that is an answer, not an error); an incident not found is a 404.
func (s *server) getIncidentTicket(c *gin.Context) {
	it, err := s.svc.IncidentTicket(c.Request.Context(), c.Param("id"))
	var nf *incident.NotFoundError
	if errors.As(err, &nf) && nf.Object == "ticket" {
		c.JSON(http.StatusOK, gin.H{"ticket": nil})
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ticket": incidentTicketJSON{
		System: it.System, Key: it.Key, URL: it.URL, Status: it.Status, Error: it.Error, Attempts: it.Attempts,
		CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC(),
	}})
}

// ticketError gives ticket sync's errors their status: a tracker's
// failure is a 502 naming it (its message carries no credentials), a
// ticket linked already a 409 with the action as it is.
func (s *server) ticketError(err error) error {
	var (
		te *app.TicketError
		ce *app.TicketConflictError
	)
	switch {
	case errors.As(err, &ce):
		return &httpError{Status: http.StatusConflict, Code: "ticket_conflict", Message: ce.Message,
			Extra: map[string]any{"current": s.presentAction(ce.Current)}}
	case errors.As(err, &te):
		return &httpError{Status: http.StatusBadGateway, Code: "ticket_system_error", Message: te.Error(), Cause: err}
	}
	return err
}
