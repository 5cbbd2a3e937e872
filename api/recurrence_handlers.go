package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// recurrenceService lists and dismisses recurrence warnings.
type recurrenceService interface {
	Recurrences(ctx context.Context, f app.RecurrenceFilter) (incident.Page[app.Recurrence], error)
	IncidentRecurrences(ctx context.Context, ref string) ([]app.Recurrence, error)
	DismissRecurrence(ctx context.Context, id int64) (app.Recurrence, error)
}

// recurrenceJSON is a recurrence warning: the new incident looks like a
// past one whose corrective actions were all closed.
type recurrenceJSON struct {
	ID            int64                  `json:"id"`
	Incident      recurrenceIncidentJSON `json:"incident"`
	Past          recurrenceIncidentJSON `json:"past_incident"`
	Relative      float64                `json:"relative"`
	Score         float64                `json:"score"`
	Reasons       []incident.MatchReason `json:"reasons"`
	ActionsClosed int                    `json:"actions_closed"`
	Message       string                 `json:"message"`
	CreatedAt     time.Time              `json:"created_at"`
	DismissedAt   *time.Time             `json:"dismissed_at"`
	DismissedBy   string                 `json:"dismissed_by"`
}

// recurrenceIncidentJSON is one side of a warning.
type recurrenceIncidentJSON struct {
	ID     int64           `json:"id"`
	Key    string          `json:"key"`
	Title  string          `json:"title"`
	Status incident.Status `json:"status"`
}

// recurrencesJSON is the answer of GET /incidents/:id/recurrences.
type recurrencesJSON struct {
	Items []recurrenceJSON `json:"items"`
}

func presentRecurrence(r app.Recurrence) recurrenceJSON {
	side := func(x app.RecurrenceIncident) recurrenceIncidentJSON {
		return recurrenceIncidentJSON{ID: x.ID, Key: x.Key, Title: x.Title, Status: x.Status}
	}
	reasons := r.Reasons
	if reasons == nil {
		reasons = []incident.MatchReason{}
	}
	for i := range reasons {
		if reasons[i].Values == nil {
			reasons[i].Values = []string{}
		}
	}
	return recurrenceJSON{ID: r.ID, Incident: side(r.Incident), Past: side(r.Past), Relative: r.Relative,
		Score: r.Score, Reasons: reasons, ActionsClosed: r.ActionsClosed, Message: r.Message,
		CreatedAt: r.CreatedAt, DismissedAt: r.DismissedAt, DismissedBy: r.DismissedBy}
}

// listRecurrences handles GET /recurrences: the managers' list, newest
// first; incident narrows it to one incident, dismissed=true adds the
// dismissed warnings.
func (s *server) listRecurrences(c *gin.Context) {
	q := newQuery(c)
	f := app.RecurrenceFilter{
		Incident:         q.str("incident"),
		IncludeDismissed: q.boolean("dismissed"),
		Limit:            q.limit(),
		Cursor:           q.cursor(),
	}
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.Recurrences(c.Request.Context(), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, presentRecurrence))
}

// listIncidentRecurrences handles GET /incidents/:id/recurrences: the past
// incidents this one looks like, whose actions were all closed.
func (s *server) listIncidentRecurrences(c *gin.Context) {
	items, err := s.svc.IncidentRecurrences(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := recurrencesJSON{Items: make([]recurrenceJSON, len(items))}
	for i, r := range items {
		out.Items[i] = presentRecurrence(r)
	}
	c.JSON(http.StatusOK, out)
}

// dismissRecurrence handles POST /recurrences/:id/dismiss; dismissing
// again answers the same.
func (s *server) dismissRecurrence(c *gin.Context) {
	id, err := idParam(c, "id", "recurrence")
	if err != nil {
		s.renderError(c, err)
		return
	}
	r, err := s.svc.DismissRecurrence(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, presentRecurrence(r))
}
