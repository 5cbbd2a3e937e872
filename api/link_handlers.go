package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// linkService is what the links route needs from the app.
type linkService interface {
	Links(ctx context.Context, ref, system string) ([]incident.Link, error)
}

// linkJSON is something an incident was built from: a ticket or the
// post-mortem it was imported from.
type linkJSON struct {
	System       string     `json:"system"`
	Key          string     `json:"key"`
	URL          string     `json:"url"`
	Title        string     `json:"title"`
	CreatedAt    time.Time  `json:"created_at"`
	LastPulledAt *time.Time `json:"last_pulled_at"`
}

// listLinks handles GET /incidents/:id/links (?system=jira).
func (s *server) listLinks(c *gin.Context) {
	links, err := s.svc.Links(c.Request.Context(), c.Param("id"), newQuery(c).str("system"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]linkJSON, len(links))
	for i, l := range links {
		items[i] = linkJSON{System: l.System, Key: l.Key, URL: l.URL, Title: l.Title, CreatedAt: l.CreatedAt.UTC(), LastPulledAt: utcPtr(l.LastPulledAt)}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
