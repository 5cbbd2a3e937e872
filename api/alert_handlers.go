package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// alertService is what the alert inbox routes need from the app.
type alertService interface {
	Alerts(ctx context.Context, f incident.AlertFilter) (incident.Page[incident.Alert], error)
	Alert(ctx context.Context, id int64) (incident.Alert, error)
	AttachAlerts(ctx context.Context, ids []int64, ref string) (app.AttachResult, error)
	OpenIncidentFromAlert(ctx context.Context, id int64, in incident.Incident) (app.AttachResult, error)
	DismissAlerts(ctx context.Context, ids []int64) (int, error)
}

// alertJSON is a delivered alert: in an incident's timeline or in the inbox.
type alertJSON struct {
	ID             int64          `json:"id"`
	HookID         *int64         `json:"hook_id"`
	State          string         `json:"state"`
	Source         string         `json:"source"`
	ExternalID     string         `json:"external_id"`
	AlertID        string         `json:"alert_id"`
	OccurredAt     time.Time      `json:"occurred_at"`
	OccurredAtText string         `json:"occurred_at_text"`
	Subtype        string         `json:"subtype"`
	Severity       string         `json:"severity"`
	Service        string         `json:"service"`
	Actor          string         `json:"actor"`
	Body           string         `json:"body"`
	Link           string         `json:"link"`
	Metadata       map[string]any `json:"metadata"`
	ReceivedAt     time.Time      `json:"received_at"`
	IncidentID     *int64         `json:"incident_id"`
	Incident       string         `json:"incident"`
	EventID        *int64         `json:"event_id"`
	RoutedBy       string         `json:"routed_by"`
	RoutedAt       *time.Time     `json:"routed_at"`
	DismissedAt    *time.Time     `json:"dismissed_at"`
	DismissedBy    string         `json:"dismissed_by"`
}

func toAlertJSON(a incident.Alert) alertJSON {
	md := a.Event.Metadata
	if md == nil {
		md = map[string]any{}
	}
	// The service as the sender wrote it; the stored one is folded for matching.
	svc := a.Service
	if s, ok := md["service"].(string); ok && strings.EqualFold(strings.TrimSpace(s), svc) {
		svc = strings.TrimSpace(s)
	}
	return alertJSON{
		ID: a.ID, HookID: a.HookID, State: a.State(), Source: a.Event.Source, ExternalID: a.Event.ExternalID,
		AlertID: a.Event.ThreadID, OccurredAt: a.Event.OccurredAt.UTC(), OccurredAtText: a.Event.OccurredAtText,
		Subtype: a.Subtype, Severity: a.Severity, Service: svc, Actor: a.Event.Actor, Body: a.Event.Body,
		Link: a.Event.Link, Metadata: md, ReceivedAt: a.ReceivedAt.UTC(), IncidentID: a.IncidentID,
		Incident: a.IncidentKey, EventID: a.EventID, RoutedBy: a.RoutedBy, RoutedAt: utcPtr(a.RoutedAt),
		DismissedAt: utcPtr(a.DismissedAt), DismissedBy: a.DismissedBy,
	}
}

// listAlerts handles GET /alerts (?state=inbox|routed|dismissed|all, default inbox).
func (s *server) listAlerts(c *gin.Context) {
	q := newQuery(c)
	f := incident.AlertFilter{State: q.str("state"), Source: q.str("source"), Service: q.str("service"),
		Limit: q.limit(), Cursor: q.cursor()}
	if f.State == "" {
		f.State = incident.AlertInbox
	}
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.Alerts(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, toAlertJSON))
}

// getAlert handles GET /alerts/:id.
func (s *server) getAlert(c *gin.Context) {
	id, err := idParam(c, "id", "alert")
	if err != nil {
		s.renderError(c, err)
		return
	}
	a, err := s.svc.Alert(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAlertJSON(a))
}

type attachRequest struct {
	AlertIDs []int64 `json:"alert_ids"`
	Incident string  `json:"incident"`
}

func toAttachJSON(r app.AttachResult) gin.H {
	alerts := make([]alertJSON, len(r.Alerts))
	for i, a := range r.Alerts {
		alerts[i] = toAlertJSON(a)
	}
	return gin.H{"incident": toIncidentJSON(r.Incident), "attached": r.Attached, "added": r.Added, "alerts": alerts}
}

// attachAlerts handles POST /alerts/attach.
func (s *server) attachAlerts(c *gin.Context) {
	var req attachRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	if req.Incident == "" {
		s.renderError(c, incident.Invalid("incident", "is required (a key such as INC-7 or an id)"))
		return
	}
	res, err := s.svc.AttachAlerts(c.Request.Context(), req.AlertIDs, req.Incident)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAttachJSON(res))
}

type openFromAlertRequest struct {
	Title     string            `json:"title"`
	Summary   string            `json:"summary"`
	Severity  incident.Severity `json:"severity"`
	Services  []string          `json:"services"`
	Teams     []string          `json:"teams"`
	Tags      []string          `json:"tags"`
	Commander string            `json:"commander"`
}

// openIncidentFromAlert handles POST /alerts/:id/incident: a new incident
// from an inbox alert (the body may be empty or override fields).
func (s *server) openIncidentFromAlert(c *gin.Context) {
	id, err := idParam(c, "id", "alert")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req openFromAlertRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil && !isEmptyBody(err) {
			s.renderError(c, err)
			return
		}
	}
	res, err := s.svc.OpenIncidentFromAlert(c.Request.Context(), id, incident.Incident{
		Title: req.Title, Summary: req.Summary, Severity: req.Severity, Services: req.Services,
		Teams: req.Teams, Tags: req.Tags, Commander: req.Commander})
	if err != nil {
		s.renderError(c, err)
		return
	}
	created(c, APIPrefix+"/incidents/"+res.Incident.Key, toAttachJSON(res))
}

type dismissRequest struct {
	AlertIDs []int64 `json:"alert_ids"`
}

// dismissAlerts handles POST /alerts/dismiss.
func (s *server) dismissAlerts(c *gin.Context) {
	var req dismissRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	n, err := s.svc.DismissAlerts(c.Request.Context(), req.AlertIDs)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"dismissed": n})
}

// isEmptyBody reports whether err is readBody's refusal of an empty body.
func isEmptyBody(err error) bool {
	he, ok := err.(*httpError)
	return ok && he.Code == "malformed_json" && he.Message == "request body is empty"
}
