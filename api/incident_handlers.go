package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// incidentRequest is the body of POST /incidents.
type incidentRequest struct {
	Title          string              `json:"title"`
	Summary        string              `json:"summary"`
	Severity       incident.Severity   `json:"severity"`
	Status         incident.Status     `json:"status"`
	Services       []string            `json:"services"`
	Teams          []string            `json:"teams"`
	Tags           []string            `json:"tags"`
	Commander      string              `json:"commander"`
	Visibility     incident.Visibility `json:"visibility"`
	RestrictedTo   []string            `json:"restricted_to"`
	CustomerImpact string              `json:"customer_impact"`
	StartedAt      *timeValue          `json:"started_at"`
	DetectedAt     *timeValue          `json:"detected_at"`
	AcknowledgedAt *timeValue          `json:"acknowledged_at"`
	MitigatedAt    *timeValue          `json:"mitigated_at"`
	ResolvedAt     *timeValue          `json:"resolved_at"`
	incidentPublicRequest

	// Version is read-only on create.
	Version ignored `json:"version"`
	incidentReadOnly
}

// incidentReadOnly are the fields of an incident the server owns.
type incidentReadOnly struct {
	ID        ignored `json:"id"`
	Key       ignored `json:"key"`
	Durations ignored `json:"durations"`
	RCA       ignored `json:"rca"`
	CreatedAt ignored `json:"created_at"`
	UpdatedAt ignored `json:"updated_at"`
}

func (r incidentRequest) toIncident() incident.Incident {
	return incident.Incident{
		Title: r.Title, Summary: r.Summary, Severity: r.Severity, Status: r.Status,
		Services: r.Services, Teams: r.Teams, Tags: r.Tags, Commander: r.Commander,
		Visibility: r.Visibility, RestrictedTo: r.RestrictedTo, CustomerImpact: r.CustomerImpact,
		StartedAt: r.StartedAt.ptr(), DetectedAt: r.DetectedAt.ptr(),
		AcknowledgedAt: r.AcknowledgedAt.ptr(), MitigatedAt: r.MitigatedAt.ptr(),
		ResolvedAt: r.ResolvedAt.ptr(),
		Public:     r.Public, PublicTitle: r.PublicTitle, PublicSummary: r.PublicSummary,
		PublicImpact: r.PublicImpact, ImpactStartedAt: r.ImpactStartedAt.ptr(), ImpactEndedAt: r.ImpactEndedAt.ptr(),
	}
}

// incidentPatchRequest is the body of PATCH /incidents/:id.
type incidentPatchRequest struct {
	Version        *int                              `json:"version"`
	Title          incident.Opt[string]              `json:"title"`
	Summary        incident.Opt[string]              `json:"summary"`
	Severity       incident.Opt[incident.Severity]   `json:"severity"`
	Status         incident.Opt[incident.Status]     `json:"status"`
	Services       incident.Opt[[]string]            `json:"services"`
	Teams          incident.Opt[[]string]            `json:"teams"`
	Tags           incident.Opt[[]string]            `json:"tags"`
	Commander      incident.Opt[string]              `json:"commander"`
	Visibility     incident.Opt[incident.Visibility] `json:"visibility"`
	RestrictedTo   incident.Opt[[]string]            `json:"restricted_to"`
	CustomerImpact incident.Opt[string]              `json:"customer_impact"`
	StartedAt      incident.Opt[*timeValue]          `json:"started_at"`
	DetectedAt     incident.Opt[*timeValue]          `json:"detected_at"`
	AcknowledgedAt incident.Opt[*timeValue]          `json:"acknowledged_at"`
	MitigatedAt    incident.Opt[*timeValue]          `json:"mitigated_at"`
	ResolvedAt     incident.Opt[*timeValue]          `json:"resolved_at"`
	incidentPublicPatch

	incidentReadOnly
}

func (r incidentPatchRequest) toPatch(version *int) incident.IncidentPatch {
	return incident.IncidentPatch{
		Version: version, Title: r.Title, Summary: r.Summary, Severity: r.Severity,
		Status: r.Status, Services: r.Services, Teams: r.Teams, Tags: r.Tags,
		Commander: r.Commander, Visibility: r.Visibility, RestrictedTo: r.RestrictedTo,
		CustomerImpact: r.CustomerImpact,
		StartedAt:      optTime(r.StartedAt), DetectedAt: optTime(r.DetectedAt),
		AcknowledgedAt: optTime(r.AcknowledgedAt), MitigatedAt: optTime(r.MitigatedAt),
		ResolvedAt: optTime(r.ResolvedAt),
		Public:     r.Public, PublicTitle: r.PublicTitle, PublicSummary: r.PublicSummary,
		PublicImpact: r.PublicImpact, ImpactStartedAt: optTime(r.ImpactStartedAt), ImpactEndedAt: optTime(r.ImpactEndedAt),
	}
}

func incidentLocation(i incident.Incident) string {
	return APIPrefix + "/incidents/" + url.PathEscape(i.Key)
}

// createIncident handles POST /incidents.
func (s *server) createIncident(c *gin.Context) {
	var req incidentRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	inc, err := s.svc.CreateIncident(c.Request.Context(), req.toIncident())
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, inc.Version)
	created(c, incidentLocation(inc), toIncidentJSON(inc))
}

// listIncidents handles GET /incidents.
func (s *server) listIncidents(c *gin.Context) {
	q := newQuery(c)
	f := incident.IncidentFilter{
		Statuses:      enums(q, "status", incident.Statuses, strings.ToLower),
		Severities:    enums(q, "severity", incident.Severities, strings.ToUpper),
		Service:       q.str("service"),
		Tag:           q.str("tag"),
		Team:          q.str("team"),
		StartedAfter:  q.time("started_after"),
		StartedBefore: q.time("started_before"),
		Sort:          q.sort(incident.IncidentSortFields, incident.SortOrder{Field: "created_at", Desc: true}),
		Limit:         q.limit(),
		After:         q.cursor(),
	}
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.Incidents(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, toIncidentJSON))
}

// getIncident handles GET /incidents/:id (numeric id or key).
func (s *server) getIncident(c *gin.Context) {
	ctx := c.Request.Context()
	inc, err := s.svc.Incident(ctx, c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Where the RCA stands, so a client need not ask for it (and be told
	// 404) to learn whether there is one.
	out := incidentWithRCAJSON{incidentJSON: toIncidentJSON(inc)}
	r, err := s.svc.RCA(ctx, strconv.FormatInt(inc.ID, 10))
	switch {
	case err == nil:
		out.RCA = &rcaSummaryJSON{Status: r.Status, Template: r.Template, Version: r.Version, UpdatedAt: r.UpdatedAt, PublishedAt: r.PublishedAt}
	case !errors.Is(err, incident.ErrNotFound):
		s.renderError(c, err)
		return
	}
	etag(c, inc.Version)
	c.JSON(http.StatusOK, out)
}

// incidentWithRCAJSON is one incident as GET /incidents/:id answers it: the
// incident and a summary of its RCA (null when none was started).
type incidentWithRCAJSON struct {
	incidentJSON
	RCA *rcaSummaryJSON `json:"rca"`
}

type rcaSummaryJSON struct {
	Status      incident.RCAStatus `json:"status"`
	Template    string             `json:"template"`
	Version     int                `json:"version"`
	UpdatedAt   time.Time          `json:"updated_at"`
	PublishedAt *time.Time         `json:"published_at"`
}

// updateIncident handles PATCH /incidents/:id.
func (s *server) updateIncident(c *gin.Context) {
	var req incidentPatchRequest
	version, err := decodeVersioned(c, &req)
	if err != nil {
		s.renderError(c, err)
		return
	}
	inc, err := s.svc.UpdateIncident(c.Request.Context(), c.Param("id"), req.toPatch(version))
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, inc.Version)
	c.JSON(http.StatusOK, toIncidentJSON(inc))
}

// deleteIncident handles DELETE /incidents/:id.
func (s *server) deleteIncident(c *gin.Context) {
	if err := s.svc.DeleteIncident(c.Request.Context(), c.Param("id")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
