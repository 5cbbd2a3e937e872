package pagerduty

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// v2Subtypes maps the legacy v2 webhook events to alert subtypes.
var v2Subtypes = map[string]string{
	"incident.trigger":       importers.SubtypeTrigger,
	"incident.acknowledge":   importers.SubtypeAcknowledge,
	"incident.unacknowledge": importers.SubtypeUnack,
	"incident.resolve":       importers.SubtypeResolve,
	"incident.assign":        importers.SubtypeAssign,
	"incident.escalate":      importers.SubtypeEscalate,
	"incident.delegate":      importers.SubtypeAssign,
	"incident.annotate":      importers.SubtypeNote,
}

// v2Message is one message of a v2 webhook's "messages".
type v2Message struct {
	ID         string            `json:"id"`
	Event      string            `json:"event"`
	CreatedOn  json.RawMessage   `json:"created_on"`
	Incident   *incidentObj      `json:"incident"`
	LogEntries []json.RawMessage `json:"log_entries"`
}

// v2Alert reads messages[i] (at names it) of a v2 webhook.
func v2Alert(raw json.RawMessage, at string) (importers.Alert, error) {
	var m v2Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return importers.Alert{}, decodeError(at, err)
	}
	typ := strings.TrimSpace(m.Event)
	if typ == "" {
		var v1 struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(raw, &v1) == nil && v1.Type != "" && len(v1.Data) > 0 {
			return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "event"),
				Reason: "is missing: this is a PagerDuty v1 webhook (type and data), a format PagerDuty retired; subscribe a v3 webhook instead"}
		}
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "event"), Reason: "is missing"}
	}
	if m.Incident == nil {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "incident"), Reason: "is missing"}
	}
	a := m.Incident.base()
	// The log entries say who did it, the note's text and the trigger's
	// details; the first readable one is enough.
	for i, le := range m.LogEntries {
		la, err := logAlert(le, at+".log_entries["+strconv.Itoa(i)+"]")
		if err != nil {
			continue
		}
		a.Actor = la.Actor
		a.Details = la.Details
		a.Host, a.Component = la.Host, la.Component
		if a.IncidentRef == "" {
			a.IncidentRef = la.IncidentRef
		}
		break
	}
	if a.Actor == "" && typ != "incident.trigger" {
		a.Actor = m.Incident.LastStatusChangeBy.label()
	}
	if typ == "incident.assign" || typ == "incident.escalate" || typ == "incident.delegate" {
		if names := labels(m.Incident.assignees()); len(names) > 0 {
			a.Details = lines(a.Details, "Assigned to: "+strings.Join(names, ", "))
		}
	}
	a.EventType = typ
	a.Subtype = v2Subtypes[typ]
	if a.Subtype == "" {
		a.Subtype = importers.SubtypeOther
	}
	created := alertjson.Scalar(m.CreatedOn)
	if created == "" {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "created_on"), Reason: "is missing"}
	}
	t, err := importers.ParseTime(created, nil)
	if err != nil {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "created_on"), Reason: err.Error()}
	}
	a.At, a.AtText = t, created
	a.ID = strings.TrimSpace(m.ID)
	if a.ID == "" {
		a.ID = importers.StableID("v2", typ, a.AlertID, created)
	}
	return a, nil
}
