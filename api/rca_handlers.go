package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// rcaRequest is the body of PUT /incidents/:id/rca: the whole document.
type rcaRequest struct {
	Template string             `json:"template"`
	Status   incident.RCAStatus `json:"status"`
	Sections []sectionJSON      `json:"sections"`
	// Version is the version the client edited; absent or 0 creates the RCA.
	Version *int `json:"version"`

	ID         ignored `json:"id"`
	IncidentID ignored `json:"incident_id"`
	CreatedAt  ignored `json:"created_at"`
	UpdatedAt  ignored `json:"updated_at"`
	UpdatedBy  ignored `json:"updated_by"`
}

func (r rcaRequest) toRCA(version int) incident.RCA {
	secs := make([]incident.Section, len(r.Sections))
	for i, s := range r.Sections {
		secs[i] = s.domain()
	}
	return incident.RCA{Template: r.Template, Status: r.Status, Sections: secs, Version: version}
}

// getRCA handles GET /incidents/:id/rca.
func (s *server) getRCA(c *gin.Context) {
	r, err := s.svc.RCA(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, r.Version)
	c.JSON(http.StatusOK, toRCAJSON(r))
}

// saveRCA handles PUT /incidents/:id/rca: 201 when it created the RCA,
// 200 when it saved a new version; a stale version is a 409 with "current".
func (s *server) saveRCA(c *gin.Context) {
	var req rcaRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	if req.Sections == nil {
		// A save without sections would empty the document by accident.
		s.renderError(c, incident.Invalid("sections", "is required: send the whole document ([] to empty it)"))
		return
	}
	v, err := expectedVersion(c, req.Version)
	if err != nil {
		s.renderError(c, err)
		return
	}
	version := 0
	if v != nil {
		version = *v
	}
	r, err := s.svc.SaveRCA(c.Request.Context(), c.Param("id"), req.toRCA(version))
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, r.Version)
	if version == 0 {
		created(c, APIPrefix+"/incidents/"+url.PathEscape(c.Param("id"))+"/rca", toRCAJSON(r))
		return
	}
	c.JSON(http.StatusOK, toRCAJSON(r))
}
