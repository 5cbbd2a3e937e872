package victorops

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// apiIncident is an incident of GET /api-public/v1/incidents or GET
// /api-reporting/v2/incidents; the API says all fields are optional.
type apiIncident struct {
	IncidentNumber    alertjson.Text   `json:"incidentNumber"`
	StartTime         alertjson.Text   `json:"startTime"`
	CurrentPhase      alertjson.Text   `json:"currentPhase"`
	EntityState       alertjson.Text   `json:"entityState"`
	EntityType        alertjson.Text   `json:"entityType"`
	AlertCount        alertjson.Text   `json:"alertCount"`
	LastAlertTime     alertjson.Text   `json:"lastAlertTime"`
	LastAlertID       alertjson.Text   `json:"lastAlertId"`
	EntityID          alertjson.Text   `json:"entityId"`
	EntityDisplayName alertjson.Text   `json:"entityDisplayName"`
	Host              alertjson.Text   `json:"host"`
	Service           alertjson.Text   `json:"service"`
	RoutingKey        alertjson.Text   `json:"routingKey"`
	PagedUsers        []alertjson.Text `json:"pagedUsers"`
	PagedTeams        []alertjson.Text `json:"pagedTeams"`
	Transitions       []transition     `json:"transitions"`
	MonitorName       alertjson.Text   `json:"monitorName"`
	MonitorType       alertjson.Text   `json:"monitorType"`
	IncidentLink      alertjson.Text   `json:"incidentLink"`
}

// transition is a change of an incident's phase.
type transition struct {
	Name     alertjson.Text `json:"name"`
	At       alertjson.Text `json:"at"`
	By       alertjson.Text `json:"by"`
	Message  alertjson.Text `json:"message"`
	Manually alertjson.Text `json:"manually"`
	AlertID  alertjson.Text `json:"alertId"`
	AlertURL alertjson.Text `json:"alertUrl"`
}

// incident turns one API incident into its trigger and transitions. An
// incident without a number is rejected whole; a bad time drops only the
// event it dates.
func (r reader) incident(raw json.RawMessage, field string) ([]importers.Alert, []*alertjson.FieldError) {
	var inc apiIncident
	if err := alertjson.Decode(raw, &inc); err != nil {
		return nil, []*alertjson.FieldError{alertjson.DecodeError(field, err)}
	}
	num := inc.IncidentNumber.String()
	if num == "" {
		return nil, []*alertjson.FieldError{{Field: alertjson.Join(field, "incidentNumber"), Reason: "is missing"}}
	}
	var (
		out      []importers.Alert
		problems []*alertjson.FieldError
	)
	base := importers.Alert{
		AlertID:  alertjson.FirstOf(inc.EntityID.String(), num),
		Title:    alertjson.Plain(alertjson.FirstOf(inc.EntityDisplayName.String(), inc.EntityID.String(), "Incident "+num)),
		Service:  inc.Service.String(),
		Host:     inc.Host.String(),
		Severity: inc.EntityState.String(),
		Status:   inc.CurrentPhase.String(),
		Link:     alertjson.Link(inc.IncidentLink.String()),
		Extra:    incidentExtra(&inc),
	}
	if n, err := strconv.Atoi(inc.AlertCount.String()); err == nil && n > 0 {
		base.Count = n
	}
	start, startErr := importers.ParseTime(inc.StartTime.String(), r.opts.Location)
	if startErr != nil {
		problems = append(problems, &alertjson.FieldError{Field: alertjson.Join(field, "startTime"), Reason: startErr.Error()})
	} else {
		a := base
		a.ID = importers.StableID("incident", num, "TRIGGERED", start.Format(time.RFC3339Nano))
		a.At, a.AtText = start, inc.StartTime.String()
		a.Subtype, a.EventType = importers.SubtypeTrigger, "TRIGGERED"
		a.Actor = alertjson.Name(alertjson.FirstOf(inc.MonitorName.String(), tool))
		out = append(out, a)
	}
	for i, tr := range inc.Transitions {
		tf := alertjson.Join(field, "transitions["+strconv.Itoa(i)+"]")
		name := strings.ToUpper(tr.Name.String())
		at, err := importers.ParseTime(tr.At.String(), r.opts.Location)
		if err != nil {
			problems = append(problems, &alertjson.FieldError{Field: tf + ".at", Reason: err.Error()})
			continue
		}
		sub := subtypeOf(name)
		switch {
		case name == "":
			sub = importers.SubtypeOther
		case sub == importers.SubtypeTrigger && startErr == nil && at.Equal(start):
			continue // the trigger above
		case name == "UNACKED" || name == "UNACKNOWLEDGED":
			sub = importers.SubtypeUnack
		}
		a := base
		a.ID = importers.StableID("incident", num, name, at.Format(time.RFC3339Nano))
		a.At, a.AtText = at, tr.At.String()
		a.Subtype, a.EventType = sub, alertjson.FirstOf(name, "transition")
		a.Actor = alertjson.Name(alertjson.FirstOf(tr.By.String(), tool))
		a.Details = alertjson.Plain(tr.Message.String())
		a.Extra = copyExtra(base.Extra)
		if tr.Manually.String() != "" {
			a.Extra["manually"] = tr.Manually.String() == "true"
		}
		if id := tr.AlertID.String(); id != "" {
			a.Extra["transition_alert_id"] = id
		}
		out = append(out, a)
	}
	return out, problems
}

func incidentExtra(inc *apiIncident) map[string]any {
	x := map[string]any{"incident_number": inc.IncidentNumber.String()}
	for k, v := range map[string]alertjson.Text{"current_phase": inc.CurrentPhase, "entity_id": inc.EntityID, "entity_type": inc.EntityType,
		"entity_state": inc.EntityState, "routing_key": inc.RoutingKey, "monitor_name": inc.MonitorName, "monitor_type": inc.MonitorType,
		"last_alert_id": inc.LastAlertID, "last_alert_time": inc.LastAlertTime} {
		if s := v.String(); s != "" {
			x[k] = s
		}
	}
	for k, vs := range map[string][]alertjson.Text{"paged_users": inc.PagedUsers, "paged_teams": inc.PagedTeams} {
		var s []string
		for _, v := range vs {
			if v.String() != "" {
				s = append(s, v.String())
			}
		}
		if len(s) > 0 {
			x[k] = s
		}
	}
	return x
}

func copyExtra(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}
