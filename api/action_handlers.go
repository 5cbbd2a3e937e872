package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// actionRequest is the body of POST /incidents/:id/actions.
type actionRequest struct {
	Title       string                `json:"title"`
	Description string                `json:"description"`
	Type        incident.ActionType   `json:"type"`
	Priority    incident.Priority     `json:"priority"`
	Owner       string                `json:"owner"`
	Team        string                `json:"team"`
	DueDate     *dateValue            `json:"due_date"`
	Status      incident.ActionStatus `json:"status"`
	Ticket      *ticketRequest        `json:"ticket"`

	actionReadOnly
	Version ignored `json:"version"`
}

// ticketRequest links a tracker ticket; its status and sync time are the
// tracker's, filled by ticket sync, and ignored here.
type ticketRequest struct {
	System   incident.Opt[string] `json:"system"`
	Key      incident.Opt[string] `json:"key"`
	URL      incident.Opt[string] `json:"url"`
	Status   ignored              `json:"status"`
	SyncedAt ignored              `json:"synced_at"`
	// SyncError and SyncErrorAt are ticket sync's.
	SyncError   ignored `json:"sync_error"`
	SyncErrorAt ignored `json:"sync_error_at"`
}

// actionReadOnly are the fields of an action the server owns or derives.
type actionReadOnly struct {
	ID          ignored `json:"id"`
	IncidentID  ignored `json:"incident_id"`
	IncidentKey ignored `json:"incident_key"`
	CompletedAt ignored `json:"completed_at"`
	Overdue     ignored `json:"overdue"`
	DueSource   ignored `json:"due_date_source"`
	CreatedAt   ignored `json:"created_at"`
	UpdatedAt   ignored `json:"updated_at"`
}

func (r actionRequest) toAction() incident.CorrectiveAction {
	a := incident.CorrectiveAction{
		Title: r.Title, Description: r.Description, Type: r.Type, Priority: r.Priority,
		Owner: r.Owner, Team: r.Team, DueDate: r.DueDate.ptr(), Status: r.Status,
	}
	if r.Ticket != nil {
		a.TicketSystem, a.TicketKey, a.TicketURL = r.Ticket.System.Value, r.Ticket.Key.Value, r.Ticket.URL.Value
	}
	return a
}

// actionPatchRequest is the body of PATCH /actions/:id. "ticket": null
// unlinks the ticket; an object changes only the members it names.
type actionPatchRequest struct {
	Version     *int                                `json:"version"`
	Title       incident.Opt[string]                `json:"title"`
	Description incident.Opt[string]                `json:"description"`
	Type        incident.Opt[incident.ActionType]   `json:"type"`
	Priority    incident.Opt[incident.Priority]     `json:"priority"`
	Owner       incident.Opt[string]                `json:"owner"`
	Team        incident.Opt[string]                `json:"team"`
	DueDate     incident.Opt[*dateValue]            `json:"due_date"`
	Status      incident.Opt[incident.ActionStatus] `json:"status"`
	Ticket      incident.Opt[*ticketRequest]        `json:"ticket"`

	actionReadOnly
}

func (r actionPatchRequest) toPatch(version *int) incident.ActionPatch {
	p := incident.ActionPatch{
		Version: version, Title: r.Title, Description: r.Description, Type: r.Type,
		Priority: r.Priority, Owner: r.Owner, Team: r.Team, Status: r.Status,
		DueDate: incident.Opt[*incident.Date]{Set: r.DueDate.Set, Value: r.DueDate.Value.ptr()},
	}
	if r.Ticket.Set {
		if t := r.Ticket.Value; t == nil {
			none := incident.Some("")
			p.TicketSystem, p.TicketKey, p.TicketURL = none, none, none
		} else {
			p.TicketSystem, p.TicketKey, p.TicketURL = t.System, t.Key, t.URL
		}
	}
	return p
}

func actionLocation(a incident.CorrectiveAction) string {
	return APIPrefix + "/actions/" + strconv.FormatInt(a.ID, 10)
}

// actionFilter reads the query of the action lists.
func (s *server) actionFilter(c *gin.Context) (incident.ActionFilter, error) {
	q := newQuery(c)
	f := incident.ActionFilter{
		Statuses:  enums(q, "status", incident.ActionStatuses, nil),
		Owner:     q.str("owner"),
		Team:      q.str("team"),
		Priority:  enum(q, "priority", incident.Priorities),
		Overdue:   q.boolean("overdue"),
		Today:     s.today(),
		DueBefore: q.date("due_before"),
		Limit:     q.limit(),
		Cursor:    q.cursor(),
	}
	return f, q.err()
}

// listActions handles GET /actions: actions across incidents.
func (s *server) listActions(c *gin.Context) {
	f, err := s.actionFilter(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.Actions(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, s.presentAction))
}

// listIncidentActions handles GET /incidents/:id/actions.
func (s *server) listIncidentActions(c *gin.Context) {
	f, err := s.actionFilter(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.IncidentActions(c.Request.Context(), c.Param("id"), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, s.presentAction))
}

// createAction handles POST /incidents/:id/actions.
func (s *server) createAction(c *gin.Context) {
	var req actionRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.svc.CreateAction(c.Request.Context(), c.Param("id"), req.toAction())
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, a.Version)
	created(c, actionLocation(a), s.presentAction(a))
}

// getAction handles GET /actions/:id.
func (s *server) getAction(c *gin.Context) {
	id, err := idParam(c, "id", "action")
	if err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.svc.Action(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, a.Version)
	c.JSON(http.StatusOK, s.presentAction(a))
}

// updateAction handles PATCH /actions/:id.
func (s *server) updateAction(c *gin.Context) {
	id, err := idParam(c, "id", "action")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req actionPatchRequest
	version, err := decodeVersioned(c, &req)
	if err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.svc.UpdateAction(c.Request.Context(), id, req.toPatch(version))
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, a.Version)
	c.JSON(http.StatusOK, s.presentAction(a))
}

// deleteAction handles DELETE /actions/:id.
func (s *server) deleteAction(c *gin.Context) {
	id, err := idParam(c, "id", "action")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.svc.DeleteAction(c.Request.Context(), id); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// presentAction renders an action with "overdue" judged against today.
func (s *server) presentAction(a incident.CorrectiveAction) actionJSON {
	return toActionJSON(a, s.today())
}
