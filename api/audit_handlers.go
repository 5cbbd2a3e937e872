package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// auditJSON is one audit log entry.
type auditJSON struct {
	ID         int64     `json:"id"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   int64     `json:"object_id"`
	IncidentID *int64    `json:"incident_id"`
	Detail     string    `json:"detail"`
	RemoteAddr string    `json:"remote_addr"`
	RequestID  string    `json:"request_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// listAudit handles GET /audit: newest first, filtered by actor, action
// (exact, or a prefix ending in "."), object_type, object_id and since;
// paged with cursor (the next_cursor of the page before).
func (s *server) listAudit(c *gin.Context) {
	q := newQuery(c)
	f := incident.AuditFilter{
		Actor: q.str("actor"), Action: q.str("action"), ObjectType: q.str("object_type"),
		Since: q.time("since"), Limit: q.limit(),
	}
	if v := q.str("object_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			q.verr.Add("object_id", "must be a positive integer")
		}
		f.ObjectID = n
	}
	if v := q.str("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			q.verr.Add("cursor", "is not a cursor this server gave out")
		}
		f.Before = n
	}
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	es, next, err := s.svc.AuditLog(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]auditJSON, len(es))
	for i, e := range es {
		items[i] = auditJSON{ID: e.ID, Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
			IncidentID: e.IncidentID, Detail: e.Detail, RemoteAddr: e.RemoteAddr, RequestID: e.RequestID, CreatedAt: e.CreatedAt.UTC()}
	}
	cursor := ""
	if next > 0 {
		cursor = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": cursor})
}
