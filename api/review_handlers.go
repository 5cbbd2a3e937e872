package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// reviewService is the review workflow of RCAs and the comments on their
// sections. Until sign-in exists every request acts as incident.Anonymous,
// and the approve and request-changes bodies may then name the "reviewer"
// they act for; a signed-in user cannot speak for someone else.
type reviewService interface {
	SubmitRCA(ctx context.Context, ref string, reviewers []string, version *int) (incident.RCA, error)
	ApproveRCA(ctx context.Context, ref, reviewer, note string, version *int) (incident.RCA, error)
	RequestRCAChanges(ctx context.Context, ref, reviewer, note string, version *int) (incident.RCA, error)
	PublishRCA(ctx context.Context, ref string, version *int) (incident.RCA, error)
	AmendRCA(ctx context.Context, ref, reason string, version *int) (incident.RCA, error)

	RCAComments(ctx context.Context, ref string) ([]incident.Comment, error)
	AddRCAComment(ctx context.Context, ref string, c incident.Comment) (incident.Comment, error)
	ResolveRCAComment(ctx context.Context, ref string, id int64) (incident.Comment, error)
}

// reviewerJSON is one reviewer of the RCA's current review round.
type reviewerJSON struct {
	Name        string               `json:"name"`
	State       incident.ReviewState `json:"state"`
	Note        string               `json:"note"`
	RequestedAt time.Time            `json:"requested_at"`
	DecidedAt   *time.Time           `json:"decided_at"`
}

// toReviewersJSON lists the reviewers of a round, [] when none were named.
func toReviewersJSON(round []incident.Review) []reviewerJSON {
	out := make([]reviewerJSON, len(round))
	for i, rv := range round {
		out[i] = reviewerJSON{Name: rv.Reviewer, State: rv.State, Note: rv.Note,
			RequestedAt: rv.RequestedAt.UTC(), DecidedAt: utcPtr(rv.DecidedAt)}
	}
	return out
}

// commentJSON is a comment on a section of an RCA.
type commentJSON struct {
	ID         int64      `json:"id"`
	SectionKey string     `json:"section_key"`
	Author     string     `json:"author"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	ResolvedBy string     `json:"resolved_by"`
}

func toCommentJSON(c incident.Comment) commentJSON {
	return commentJSON{ID: c.ID, SectionKey: c.SectionKey, Author: c.Author, Body: c.Body,
		CreatedAt: c.CreatedAt.UTC(), ResolvedAt: utcPtr(c.ResolvedAt), ResolvedBy: c.ResolvedBy}
}

// submitRequest is the body of POST …/rca/submit.
type submitRequest struct {
	Reviewers []string `json:"reviewers"`
	Version   *int     `json:"version"`
}

// decisionRequest is the body of POST …/rca/approve and …/rca/request-changes.
type decisionRequest struct {
	Note string `json:"note"`
	// Reviewer names who decides; honoured only for anonymous requests.
	Reviewer string `json:"reviewer"`
	Version  *int   `json:"version"`
}

// publishRequest is the body of POST …/rca/publish.
type publishRequest struct {
	Version *int `json:"version"`
}

// amendRequest is the body of POST …/rca/amend.
type amendRequest struct {
	Reason  string `json:"reason"`
	Version *int   `json:"version"`
}

// commentRequest is the body of POST …/rca/comments.
type commentRequest struct {
	SectionKey string `json:"section_key"`
	Body       string `json:"body"`

	ID         ignored `json:"id"`
	Author     ignored `json:"author"`
	CreatedAt  ignored `json:"created_at"`
	ResolvedAt ignored `json:"resolved_at"`
	ResolvedBy ignored `json:"resolved_by"`
}

// rcaStatusChange decodes the body into req, takes the version from it (or
// If-Match), runs change and answers with the RCA as it is now.
func rcaStatusChange[R any](s *server, c *gin.Context, version func(*R) *int, change func(req *R, v *int) (incident.RCA, error)) {
	var req R
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	v, err := expectedVersion(c, version(&req))
	if err != nil {
		s.renderError(c, err)
		return
	}
	r, err := change(&req, v)
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, r.Version)
	c.JSON(http.StatusOK, toRCAJSON(r))
}

// submitRCA handles POST /incidents/:id/rca/submit: draft → in_review.
func (s *server) submitRCA(c *gin.Context) {
	rcaStatusChange(s, c, func(r *submitRequest) *int { return r.Version }, func(r *submitRequest, v *int) (incident.RCA, error) {
		return s.svc.SubmitRCA(c.Request.Context(), c.Param("id"), r.Reviewers, v)
	})
}

// approveRCA handles POST /incidents/:id/rca/approve.
func (s *server) approveRCA(c *gin.Context) {
	rcaStatusChange(s, c, func(r *decisionRequest) *int { return r.Version }, func(r *decisionRequest, v *int) (incident.RCA, error) {
		return s.svc.ApproveRCA(c.Request.Context(), c.Param("id"), r.Reviewer, r.Note, v)
	})
}

// requestRCAChanges handles POST /incidents/:id/rca/request-changes: in_review → draft.
func (s *server) requestRCAChanges(c *gin.Context) {
	rcaStatusChange(s, c, func(r *decisionRequest) *int { return r.Version }, func(r *decisionRequest, v *int) (incident.RCA, error) {
		return s.svc.RequestRCAChanges(c.Request.Context(), c.Param("id"), r.Reviewer, r.Note, v)
	})
}

// publishRCA handles POST /incidents/:id/rca/publish: in_review → published.
func (s *server) publishRCA(c *gin.Context) {
	rcaStatusChange(s, c, func(r *publishRequest) *int { return r.Version }, func(_ *publishRequest, v *int) (incident.RCA, error) {
		return s.svc.PublishRCA(c.Request.Context(), c.Param("id"), v)
	})
}

// amendRCA handles POST /incidents/:id/rca/amend: published → draft.
func (s *server) amendRCA(c *gin.Context) {
	rcaStatusChange(s, c, func(r *amendRequest) *int { return r.Version }, func(r *amendRequest, v *int) (incident.RCA, error) {
		return s.svc.AmendRCA(c.Request.Context(), c.Param("id"), r.Reason, v)
	})
}

// listRCAComments handles GET /incidents/:id/rca/comments (not paged,
// oldest first).
func (s *server) listRCAComments(c *gin.Context) {
	cs, err := s.svc.RCAComments(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(incident.Page[incident.Comment]{Items: cs, Total: len(cs)}, toCommentJSON))
}

// addRCAComment handles POST /incidents/:id/rca/comments.
func (s *server) addRCAComment(c *gin.Context) {
	var req commentRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	cm, err := s.svc.AddRCAComment(c.Request.Context(), c.Param("id"), incident.Comment{SectionKey: req.SectionKey, Body: req.Body})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCommentJSON(cm))
}

// resolveRCAComment handles POST /incidents/:id/rca/comments/:comment_id/resolve
// (no body).
func (s *server) resolveRCAComment(c *gin.Context) {
	id, err := idParam(c, "comment_id", "rca_comment")
	if err != nil {
		s.renderError(c, err)
		return
	}
	cm, err := s.svc.ResolveRCAComment(c.Request.Context(), c.Param("id"), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toCommentJSON(cm))
}
