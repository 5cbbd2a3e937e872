package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// statusService is what the status page and its editing endpoints need;
// Service embeds it.
type statusService interface {
	StatusServices(ctx context.Context) ([]incident.StatusService, error)
	ReplaceStatusServices(ctx context.Context, list []incident.StatusService) ([]incident.StatusService, error)
	IncidentUpdates(ctx context.Context, ref string) ([]incident.IncidentUpdate, error)
	CreateIncidentUpdate(ctx context.Context, ref string, u incident.IncidentUpdate) (incident.IncidentUpdate, error)
	DeleteIncidentUpdate(ctx context.Context, ref string, id int64) error

	StatusPage(ctx context.Context) (app.StatusPage, error)
	PublicIncident(ctx context.Context, key string) (app.PublicIncidentPage, error)
	PublicHistory(ctx context.Context, page int) (app.StatusHistory, error)
	PublicFeed(ctx context.Context) (app.StatusFeed, error)
	// Now is the app's clock (the pages' "updated" time).
	Now() time.Time
}

// incidentPublicJSON are the status-page fields of an incident as the API
// shows them (part of incidentJSON).
type incidentPublicJSON struct {
	Public          bool                  `json:"public"`
	PublicTitle     string                `json:"public_title"`
	PublicSummary   string                `json:"public_summary"`
	PublicImpact    incident.PublicImpact `json:"public_impact"`
	ImpactStartedAt *time.Time            `json:"impact_started_at"`
	ImpactEndedAt   *time.Time            `json:"impact_ended_at"`
	// PublicPath is where the status page shows the incident while it is
	// public (an opaque name, not the key).
	PublicPath string `json:"public_path"`
}

func toIncidentPublicJSON(i incident.Incident) incidentPublicJSON {
	out := incidentPublicJSON{
		Public: i.Public, PublicTitle: i.PublicTitle, PublicSummary: i.PublicSummary,
		PublicImpact: i.PublicImpact, ImpactStartedAt: utcPtr(i.ImpactStartedAt), ImpactEndedAt: utcPtr(i.ImpactEndedAt),
	}
	if i.ID != 0 {
		out.PublicPath = incident.PublicPath(incident.PublicSlug(i.ID, i.CreatedAt))
	}
	return out
}

// incidentPublicRequest are the status-page fields of POST /incidents.
type incidentPublicRequest struct {
	Public          bool                  `json:"public"`
	PublicTitle     string                `json:"public_title"`
	PublicSummary   string                `json:"public_summary"`
	PublicImpact    incident.PublicImpact `json:"public_impact"`
	ImpactStartedAt *timeValue            `json:"impact_started_at"`
	ImpactEndedAt   *timeValue            `json:"impact_ended_at"`
	// PublicPath is read-only (derived).
	PublicPath ignored `json:"public_path"`
}

// incidentPublicPatch are the status-page fields of PATCH /incidents/:id.
type incidentPublicPatch struct {
	Public          incident.Opt[bool]                  `json:"public"`
	PublicTitle     incident.Opt[string]                `json:"public_title"`
	PublicSummary   incident.Opt[string]                `json:"public_summary"`
	PublicImpact    incident.Opt[incident.PublicImpact] `json:"public_impact"`
	ImpactStartedAt incident.Opt[*timeValue]            `json:"impact_started_at"`
	ImpactEndedAt   incident.Opt[*timeValue]            `json:"impact_ended_at"`
	// PublicPath is read-only (derived).
	PublicPath ignored `json:"public_path"`
}

// statusServiceJSON is a service of the status page.
type statusServiceJSON struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Description string `json:"description"`
}

// statusServicesJSON is the body of GET and PUT /status/services.
type statusServicesJSON struct {
	Services []statusServiceJSON `json:"services"`
}

func toStatusServicesJSON(list []incident.StatusService) statusServicesJSON {
	out := statusServicesJSON{Services: make([]statusServiceJSON, len(list))}
	for n, s := range list {
		out.Services[n] = statusServiceJSON{Name: s.Name, DisplayName: s.DisplayName, Description: s.Description}
	}
	return out
}

// listStatusServices handles GET /status/services.
func (s *server) listStatusServices(c *gin.Context) {
	list, err := s.svc.StatusServices(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toStatusServicesJSON(list))
}

// replaceStatusServices handles PUT /status/services: the whole list, in
// the order the page shows it.
func (s *server) replaceStatusServices(c *gin.Context) {
	var req statusServicesJSON
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	if req.Services == nil {
		s.renderError(c, incident.Invalid("services", "is required (an empty list removes every service)"))
		return
	}
	in := make([]incident.StatusService, len(req.Services))
	for n, r := range req.Services {
		in[n] = incident.StatusService{Name: r.Name, DisplayName: r.DisplayName, Description: r.Description}
	}
	list, err := s.svc.ReplaceStatusServices(c.Request.Context(), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toStatusServicesJSON(list))
}

// incidentUpdateJSON is a customer update as the API shows it.
type incidentUpdateJSON struct {
	ID       int64                 `json:"id"`
	Status   incident.UpdateStatus `json:"status"`
	Body     string                `json:"body"`
	ETA      *time.Time            `json:"eta"`
	PostedAt time.Time             `json:"posted_at"`
	Author   string                `json:"author"`
}

func toIncidentUpdateJSON(u incident.IncidentUpdate) incidentUpdateJSON {
	return incidentUpdateJSON{ID: u.ID, Status: u.Status, Body: u.Body, ETA: utcPtr(u.ETA),
		PostedAt: u.PostedAt.UTC(), Author: u.Author}
}

// incidentUpdateRequest is the body of POST /incidents/:id/updates.
type incidentUpdateRequest struct {
	Status   incident.UpdateStatus `json:"status"`
	Body     string                `json:"body"`
	ETA      *timeValue            `json:"eta"`
	PostedAt *timeValue            `json:"posted_at"`

	ID     ignored `json:"id"`
	Author ignored `json:"author"`
}

// listIncidentUpdates handles GET /incidents/:id/updates.
func (s *server) listIncidentUpdates(c *gin.Context) {
	list, err := s.svc.IncidentUpdates(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]incidentUpdateJSON, len(list))
	for n, u := range list {
		out[n] = toIncidentUpdateJSON(u)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// createIncidentUpdate handles POST /incidents/:id/updates.
func (s *server) createIncidentUpdate(c *gin.Context) {
	var req incidentUpdateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	u := incident.IncidentUpdate{Status: req.Status, Body: req.Body, ETA: req.ETA.ptr()}
	if p := req.PostedAt.ptr(); p != nil {
		u.PostedAt = *p
	}
	out, err := s.svc.CreateIncidentUpdate(c.Request.Context(), c.Param("id"), u)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toIncidentUpdateJSON(out))
}

// deleteIncidentUpdate handles DELETE /incidents/:id/updates/:update_id.
func (s *server) deleteIncidentUpdate(c *gin.Context) {
	id, err := idParam(c, "update_id", "incident_update")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.svc.DeleteIncidentUpdate(c.Request.Context(), c.Param("id"), id); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
