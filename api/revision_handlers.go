package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// revisionService reads, compares and restores the revisions of RCAs.
type revisionService interface {
	RCARevisions(ctx context.Context, ref string, n int, after *incident.Cursor) (incident.Page[incident.RevisionSummary], error)
	RCARevision(ctx context.Context, ref string, version int) (incident.RCARevision, error)
	DiffRCARevisions(ctx context.Context, ref string, from, to int) (incident.RevisionDiff, error)
	RestoreRCARevision(ctx context.Context, ref string, revision int, version *int) (incident.RCA, error)
}

// changesJSON lists the keys of the sections a revision added, removed and
// changed compared with the revision before it.
type changesJSON struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// revisionSummaryJSON is a revision as the list shows it.
type revisionSummaryJSON struct {
	Version   int                `json:"version"`
	Status    incident.RCAStatus `json:"status"`
	Author    string             `json:"author"`
	CreatedAt time.Time          `json:"created_at"`
	Reason    string             `json:"reason"`
	Changes   changesJSON        `json:"changes"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toRevisionSummaryJSON(r incident.RevisionSummary) revisionSummaryJSON {
	return revisionSummaryJSON{Version: r.Version, Status: r.Status, Author: r.Author, CreatedAt: r.CreatedAt.UTC(),
		Reason: r.Reason, Changes: changesJSON{Added: nonNil(r.Changes.Added), Removed: nonNil(r.Changes.Removed),
			Changed: nonNil(r.Changes.Changed)}}
}

// revisionJSON is one revision with its sections.
type revisionJSON struct {
	Version   int                `json:"version"`
	Status    incident.RCAStatus `json:"status"`
	Author    string             `json:"author"`
	CreatedAt time.Time          `json:"created_at"`
	Reason    string             `json:"reason"`
	Sections  []sectionJSON      `json:"sections"`
}

func toRevisionJSON(r incident.RCARevision) revisionJSON {
	secs := make([]sectionJSON, len(r.Sections))
	for i, s := range r.Sections {
		secs[i] = toSectionJSON(s)
	}
	return revisionJSON{Version: r.Version, Status: r.Status, Author: r.Author, CreatedAt: r.CreatedAt.UTC(),
		Reason: r.Reason, Sections: secs}
}

// sectionDiffJSON is how one section differs between two revisions.
type sectionDiffJSON struct {
	Key    string                 `json:"key"`
	Title  string                 `json:"title"`
	Change incident.SectionChange `json:"change"`
	Fields []string               `json:"fields"`
	Diff   string                 `json:"diff"`
}

// diffJSON compares two revisions section by section.
type diffJSON struct {
	From     int               `json:"from"`
	To       int               `json:"to"`
	Sections []sectionDiffJSON `json:"sections"`
}

func toDiffJSON(d incident.RevisionDiff) diffJSON {
	out := diffJSON{From: d.From, To: d.To, Sections: make([]sectionDiffJSON, len(d.Sections))}
	for i, s := range d.Sections {
		out.Sections[i] = sectionDiffJSON{Key: s.Key, Title: s.Title, Change: s.Change, Fields: nonNil(s.Fields), Diff: s.Diff}
	}
	return out
}

// restoreRequest is the body of POST …/rca/revisions/:version/restore:
// Version is the RCA's current version (the one the client saw), not the
// revision restored, which is in the path.
type restoreRequest struct {
	Version *int `json:"version"`
}

// revisionParam reads a revision number from the path; anything but a
// positive number is a revision that cannot exist.
func revisionParam(c *gin.Context) (int, error) {
	id, err := idParam(c, "version", "rca_revision")
	if err != nil {
		return 0, err
	}
	if id > int64(^uint32(0)>>1) {
		return 0, incident.NotFound("rca_revision", c.Param("version"))
	}
	return int(id), nil
}

// versionQuery reads a required revision number from the query.
func (q *query) version(name string) int {
	v := q.str(name)
	n, err := strconv.Atoi(v)
	switch {
	case v == "":
		q.verr.Add(name, "is required: a revision number")
	case err != nil || n < 1:
		q.verr.Add(name, "must be a revision number (1 or more)")
	}
	return n
}

// listRCARevisions handles GET /incidents/:id/rca/revisions: newest first,
// paged with limit and cursor.
func (s *server) listRCARevisions(c *gin.Context) {
	q := newQuery(c)
	n, after := q.limit(), q.cursor()
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.RCARevisions(c.Request.Context(), c.Param("id"), n, after)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, toRevisionSummaryJSON))
}

// getRCARevision handles GET /incidents/:id/rca/revisions/:version.
func (s *server) getRCARevision(c *gin.Context) {
	v, err := revisionParam(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	rev, err := s.svc.RCARevision(c.Request.Context(), c.Param("id"), v)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toRevisionJSON(rev))
}

// diffRCARevisions handles GET /incidents/:id/rca/diff?from=V1&to=V2.
func (s *server) diffRCARevisions(c *gin.Context) {
	q := newQuery(c)
	from, to := q.version("from"), q.version("to")
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	d, err := s.svc.DiffRCARevisions(c.Request.Context(), c.Param("id"), from, to)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toDiffJSON(d))
}

// restoreRCARevision handles POST /incidents/:id/rca/revisions/:version/restore:
// the revision's sections become a new version of the RCA.
func (s *server) restoreRCARevision(c *gin.Context) {
	rev, err := revisionParam(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	rcaStatusChange(s, c, func(r *restoreRequest) *int { return r.Version }, func(_ *restoreRequest, v *int) (incident.RCA, error) {
		return s.svc.RestoreRCARevision(c.Request.Context(), c.Param("id"), rev, v)
	})
}
