package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// rootCauseRequest is the body of POST /incidents/:id/root-causes.
type rootCauseRequest struct {
	Description      string                     `json:"description"`
	Category         incident.RootCauseCategory `json:"category"`
	EvidenceEventIDs []int64                    `json:"evidence_event_ids"`

	rootCauseReadOnly
	Version ignored `json:"version"`
}

// rootCauseReadOnly are the fields of a root cause the server owns.
type rootCauseReadOnly struct {
	ID         ignored `json:"id"`
	IncidentID ignored `json:"incident_id"`
	CreatedAt  ignored `json:"created_at"`
	UpdatedAt  ignored `json:"updated_at"`
}

// rootCausePatchRequest is the body of PATCH /root-causes/:id.
type rootCausePatchRequest struct {
	Version          *int                                     `json:"version"`
	Description      incident.Opt[string]                     `json:"description"`
	Category         incident.Opt[incident.RootCauseCategory] `json:"category"`
	EvidenceEventIDs incident.Opt[[]int64]                    `json:"evidence_event_ids"`

	rootCauseReadOnly
}

func rootCauseLocation(rc incident.RootCause) string {
	return APIPrefix + "/root-causes/" + strconv.FormatInt(rc.ID, 10)
}

// listRootCauses handles GET /incidents/:id/root-causes (not paged: an
// incident has a handful).
func (s *server) listRootCauses(c *gin.Context) {
	rcs, err := s.svc.RootCauses(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := incident.Page[incident.RootCause]{Items: rcs, Total: len(rcs)}
	c.JSON(http.StatusOK, toPageJSON(p, toRootCauseJSON))
}

// createRootCause handles POST /incidents/:id/root-causes.
func (s *server) createRootCause(c *gin.Context) {
	var req rootCauseRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	rc, err := s.svc.CreateRootCause(c.Request.Context(), c.Param("id"), incident.RootCause{
		Description: req.Description, Category: req.Category, EvidenceEventIDs: req.EvidenceEventIDs,
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, rc.Version)
	created(c, rootCauseLocation(rc), toRootCauseJSON(rc))
}

// getRootCause handles GET /root-causes/:id.
func (s *server) getRootCause(c *gin.Context) {
	id, err := idParam(c, "id", "root_cause")
	if err != nil {
		s.renderError(c, err)
		return
	}
	rc, err := s.svc.RootCause(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, rc.Version)
	c.JSON(http.StatusOK, toRootCauseJSON(rc))
}

// updateRootCause handles PATCH /root-causes/:id.
func (s *server) updateRootCause(c *gin.Context) {
	id, err := idParam(c, "id", "root_cause")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req rootCausePatchRequest
	version, err := decodeVersioned(c, &req)
	if err != nil {
		s.renderError(c, err)
		return
	}
	rc, err := s.svc.UpdateRootCause(c.Request.Context(), id, incident.RootCausePatch{
		Version: version, Description: req.Description, Category: req.Category,
		EvidenceEventIDs: req.EvidenceEventIDs,
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, rc.Version)
	c.JSON(http.StatusOK, toRootCauseJSON(rc))
}

// deleteRootCause handles DELETE /root-causes/:id.
func (s *server) deleteRootCause(c *gin.Context) {
	id, err := idParam(c, "id", "root_cause")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.svc.DeleteRootCause(c.Request.Context(), id); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
