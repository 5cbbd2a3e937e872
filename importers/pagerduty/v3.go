package pagerduty

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// v3Subtypes maps webhook v3 event types to alert subtypes; others are
// kept as SubtypeOther.
var v3Subtypes = map[string]string{
	"incident.triggered":                   importers.SubtypeTrigger,
	"incident.acknowledged":                importers.SubtypeAcknowledge,
	"incident.unacknowledged":              importers.SubtypeUnack,
	"incident.escalated":                   importers.SubtypeEscalate,
	"incident.reassigned":                  importers.SubtypeAssign,
	"incident.delegated":                   importers.SubtypeAssign,
	"incident.annotated":                   importers.SubtypeNote,
	"incident.resolved":                    importers.SubtypeResolve,
	"incident.reopened":                    importers.SubtypeReopen,
	"incident.priority_updated":            importers.SubtypeUpdate,
	"incident.responder.added":             importers.SubtypeUpdate,
	"incident.responder.replied":           importers.SubtypeUpdate,
	"incident.status_update_published":     importers.SubtypeNote,
	"incident.custom_field_values.updated": importers.SubtypeUpdate,
	"incident.conference_bridge.updated":   importers.SubtypeUpdate,
	"incident.incident_type.changed":       importers.SubtypeUpdate,
	"incident.service_updated":             importers.SubtypeUpdate,
}

// v3Envelope is a webhook v3 payload: one event.
type v3Envelope struct {
	Event *struct {
		ID           string          `json:"id"`
		EventType    string          `json:"event_type"`
		ResourceType string          `json:"resource_type"`
		OccurredAt   json.RawMessage `json:"occurred_at"`
		Agent        *ref            `json:"agent"`
		Client       *struct {
			Name string `json:"name"`
		} `json:"client"`
		Data *v3Data `json:"data"`
	} `json:"event"`
}

// v3Data is event.data: an incident, or an incident_note,
// incident_responder, incident_status_update or service.
type v3Data struct {
	incidentObj
	Incident *incidentObj `json:"incident"`
	Content  string       `json:"content"`
	Message  string       `json:"message"`
	User     *ref         `json:"user"`
	State    string       `json:"state"`
	Name     string       `json:"name"`
}

// decodeError names the field of a decoding error under at, as the
// payload has it: incidentObj is the decoder's, not PagerDuty's.
func decodeError(at string, err error) *alertjson.FieldError {
	fe := alertjson.DecodeError(at, err)
	fe.Field = strings.ReplaceAll(fe.Field, "incidentObj.", "")
	return fe
}

// v3Alert reads one webhook v3 payload. now gives the time of a payload
// without occurred_at (the delivery time); nil makes that an error.
func v3Alert(raw json.RawMessage, now func() (time.Time, string)) (importers.Alert, error) {
	var env v3Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return importers.Alert{}, decodeError("", err)
	}
	ev := env.Event
	if ev == nil {
		return importers.Alert{}, &alertjson.FieldError{Field: "event", Reason: "is missing or null"}
	}
	typ := strings.TrimSpace(ev.EventType)
	if typ == "" {
		return importers.Alert{}, &alertjson.FieldError{Field: "event.event_type", Reason: "is missing"}
	}
	d := ev.Data
	if d == nil {
		d = &v3Data{}
	}
	var inc *incidentObj
	switch {
	case d.Incident != nil:
		inc = d.Incident
	case d.Type == "incident" || (ev.ResourceType == "incident" && d.Type == ""):
		inc = &d.incidentObj
	}
	a := inc.base()
	if inc == nil {
		// A service or another resource: say which.
		a.Title = firstOf(d.Title, d.Summary, d.Name)
		a.Link = d.HTMLURL
		if ev.ResourceType == "service" {
			a.Service = firstOf(d.Summary, d.Name)
		}
	}
	if a.IncidentRef == "" {
		a.IncidentRef = fieldsRef(d.CustomFields)
	}
	a.EventType = typ
	a.Subtype = v3Subtypes[typ]
	if a.Subtype == "" {
		a.Subtype = importers.SubtypeOther
	}
	a.Actor = ev.Agent.label()
	if a.Actor == "" {
		// Triggered through the Events API or resolved automatically.
		a.Actor = "PagerDuty"
	}
	if ev.Client != nil && strings.TrimSpace(ev.Client.Name) != "" {
		a.Extra["client"] = strings.TrimSpace(ev.Client.Name)
	}
	if rt := strings.TrimSpace(ev.ResourceType); rt != "" {
		a.Extra["resource_type"] = rt
	}
	a.Details = v3Details(typ, d, inc)

	at := alertjson.Scalar(ev.OccurredAt)
	switch {
	case at != "":
		t, err := importers.ParseTime(at, nil)
		if err != nil {
			return importers.Alert{}, &alertjson.FieldError{Field: "event.occurred_at", Reason: err.Error()}
		}
		a.At, a.AtText = t, at
	case now != nil:
		a.At, a.AtText = now()
	default:
		return importers.Alert{}, &alertjson.FieldError{Field: "event.occurred_at", Reason: "is missing"}
	}
	a.ID = strings.TrimSpace(ev.ID)
	if a.ID == "" {
		a.ID = importers.StableID("v3", typ, a.AlertID, d.ID, a.AtText)
	}
	return a, nil
}

// v3Details is the text an event adds to its incident's title.
func v3Details(typ string, d *v3Data, inc *incidentObj) string {
	who := func(label string, rs []ref) string {
		if names := labels(rs); len(names) > 0 {
			return label + strings.Join(names, ", ")
		}
		return ""
	}
	switch typ {
	case "incident.annotated":
		return text(d.Content)
	case "incident.status_update_published":
		return text(d.Message)
	case "incident.responder.added", "incident.responder.replied":
		s := "Responder " + firstOf(d.User.label(), "requested")
		if d.State != "" {
			s += " (" + d.State + ")"
		}
		return lines(s, text(d.Message))
	case "incident.priority_updated":
		if inc != nil && inc.Priority != nil {
			return "Priority: " + firstOf(inc.Priority.label(), "none")
		}
		return "Priority removed"
	case "incident.delegated":
		if inc == nil {
			return ""
		}
		ep := ""
		if l := inc.EscalationPolicy.label(); l != "" {
			ep = "Escalation policy: " + l
		}
		return lines(ep, who("Assigned to: ", inc.assignees()))
	case "incident.triggered", "incident.escalated", "incident.reassigned", "incident.reopened", "incident.unacknowledged":
		if inc == nil {
			return ""
		}
		return who("Assigned to: ", inc.assignees())
	case "incident.resolved":
		if inc == nil {
			return ""
		}
		if r := alertjson.Scalar(inc.ResolveReason); r != "" {
			return "Resolve reason: " + r
		}
		var rr struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(inc.ResolveReason, &rr) == nil && rr.Type != "" {
			return "Resolve reason: " + rr.Type
		}
	case "incident.custom_field_values.updated":
		var parts []string
		for _, f := range d.CustomFields {
			if v := alertjson.Scalar(f.Value); v != "" {
				parts = append(parts, fmt.Sprintf("%s: %s", firstOf(f.DisplayName, f.Name), v))
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}
