package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// settingsService is what the settings routes need.
type settingsService interface {
	ActionPolicy(ctx context.Context) (incident.ActionPolicy, error)
	SetActionPolicy(ctx context.Context, p incident.ActionPolicy) (incident.ActionPolicy, error)
}

// actionPolicyJSON is the action policy: days until due by severity, then
// priority, the built-in defaults beside it, and who changed it last.
type actionPolicyJSON struct {
	Days       map[incident.Severity]map[incident.Priority]int `json:"days"`
	Defaults   map[incident.Severity]map[incident.Priority]int `json:"defaults"`
	Severities []incident.Severity                             `json:"severities"`
	Priorities []incident.Priority                             `json:"priorities"`
	MinDays    int                                             `json:"min_days"`
	MaxDays    int                                             `json:"max_days"`
	UpdatedBy  string                                          `json:"updated_by"`
	UpdatedAt  *time.Time                                      `json:"updated_at"`
}

// actionPolicyRequest is the body of PUT /settings/action-policy: every
// cell of the grid. The read-only members of the answer are ignored.
type actionPolicyRequest struct {
	// Days are read cell by cell (json.RawMessage), so a cell of the wrong
	// type is reported by its name (days.SEV3.low), not as "days".
	Days       map[string]map[string]json.RawMessage `json:"days"`
	Defaults   ignored                               `json:"defaults"`
	Severities ignored                               `json:"severities"`
	Priorities ignored                               `json:"priorities"`
	MinDays    ignored                               `json:"min_days"`
	MaxDays    ignored                               `json:"max_days"`
	UpdatedBy  ignored                               `json:"updated_by"`
	UpdatedAt  ignored                               `json:"updated_at"`
}

func toActionPolicyJSON(p incident.ActionPolicy) actionPolicyJSON {
	return actionPolicyJSON{
		Days: p.Days, Defaults: incident.DefaultActionPolicy().Days,
		Severities: incident.Severities, Priorities: incident.Priorities,
		MinDays: incident.MinPolicyDays, MaxDays: incident.MaxPolicyDays,
		UpdatedBy: p.UpdatedBy, UpdatedAt: utcPtr(p.UpdatedAt),
	}
}

// getActionPolicy handles GET /settings/action-policy.
func (s *server) getActionPolicy(c *gin.Context) {
	p, err := s.svc.ActionPolicy(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toActionPolicyJSON(p))
}

// updateActionPolicy handles PUT /settings/action-policy (admin).
func (s *server) updateActionPolicy(c *gin.Context) {
	var req actionPolicyRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	if req.Days == nil {
		s.renderError(c, incident.Invalid("days", "is required"))
		return
	}
	days, err := policyDays(req.Days)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.SetActionPolicy(c.Request.Context(), incident.ActionPolicy{Days: days})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toActionPolicyJSON(p))
}

// policyDays reads the grid of a PUT: every cell must be a whole number
// (range and names are the domain's to check).
func policyDays(in map[string]map[string]json.RawMessage) (map[incident.Severity]map[incident.Priority]int, error) {
	v := &incident.ValidationError{}
	out := make(map[incident.Severity]map[incident.Priority]int, len(in))
	for sev, row := range in {
		out[incident.Severity(sev)] = make(map[incident.Priority]int, len(row))
		for pri, raw := range row {
			var f float64
			if err := json.Unmarshal(raw, &f); err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
				v.Add("days."+sev+"."+pri, "must be a whole number of days")
				continue
			}
			out[incident.Severity(sev)][incident.Priority(pri)] = int(f)
		}
	}
	return out, v.Err()
}

// dueDateSource says who set an action's due date: "policy", "manual", or
// nil when it has none.
func dueDateSource(a incident.CorrectiveAction) *string {
	if a.DueDate == nil {
		return nil
	}
	src := "manual"
	if a.DueDateSource == incident.DueDateFromPolicy {
		src = incident.DueDateFromPolicy
	}
	return &src
}
