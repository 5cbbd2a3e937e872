package pagerduty

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// logSubtypes maps REST log entry types to alert subtypes; others are
// kept as SubtypeOther (notify_log_entry among them: a page sent is not a
// change of the incident).
var logSubtypes = map[string]string{
	"trigger_log_entry":                   importers.SubtypeTrigger,
	"acknowledge_log_entry":               importers.SubtypeAcknowledge,
	"unacknowledge_log_entry":             importers.SubtypeUnack,
	"resolve_log_entry":                   importers.SubtypeResolve,
	"escalate_log_entry":                  importers.SubtypeEscalate,
	"repeat_escalation_path_log_entry":    importers.SubtypeEscalate,
	"assign_log_entry":                    importers.SubtypeAssign,
	"delegate_log_entry":                  importers.SubtypeAssign,
	"annotate_log_entry":                  importers.SubtypeNote,
	"status_update_log_entry":             importers.SubtypeNote,
	"snooze_log_entry":                    importers.SubtypeSnooze,
	"unsnooze_log_entry":                  importers.SubtypeUpdate,
	"urgency_change_log_entry":            importers.SubtypeUpdate,
	"priority_change_log_entry":           importers.SubtypeUpdate,
	"field_value_change_log_entry":        importers.SubtypeUpdate,
	"custom_field_value_change_log_entry": importers.SubtypeUpdate,
	"responder_request_log_entry":         importers.SubtypeUpdate,
	"exhaust_escalation_path_log_entry":   importers.SubtypeUpdate,
	"reach_trigger_limit_log_entry":       importers.SubtypeUpdate,
	"reach_ack_limit_log_entry":           importers.SubtypeUpdate,
}

// logEntry is one REST API log entry (also the log_entries of a v2
// webhook message). With include[]=incidents the incident is the full
// object, else a reference.
type logEntry struct {
	ID        string                     `json:"id"`
	Type      string                     `json:"type"`
	Summary   string                     `json:"summary"`
	HTMLURL   string                     `json:"html_url"`
	CreatedAt json.RawMessage            `json:"created_at"`
	Agent     *ref                       `json:"agent"`
	User      *ref                       `json:"user"`
	Channel   map[string]json.RawMessage `json:"channel"`
	Service   *ref                       `json:"service"`
	Incident  *incidentObj               `json:"incident"`
	Note      string                     `json:"note"`
	Assignees []ref                      `json:"assignees"`
}

// logAlert reads one log entry; at names it in errors ("log_entries[3]").
func logAlert(raw json.RawMessage, at string) (importers.Alert, error) {
	var e logEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return importers.Alert{}, decodeError(at, err)
	}
	a := e.Incident.base()
	if e.Incident != nil && e.Incident.Title == "" {
		// A reference: its summary reads "[#33] My new incident".
		if m := numberRe.FindStringSubmatch(a.Title); m != nil {
			a.Title = strings.TrimSpace(a.Title[len(m[0]):])
			a.Extra["incident_number"] = m[1]
		}
	}
	if a.Service == "" {
		a.Service = e.Service.label()
	}
	a.EventType = strings.TrimSpace(e.Type)
	if a.EventType == "" {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "type"), Reason: "is missing"}
	}
	a.Subtype = logSubtypes[a.EventType]
	if a.Subtype == "" {
		a.Subtype = importers.SubtypeOther
	}
	a.Actor = e.Agent.label()
	if a.Subtype == importers.SubtypeOther && a.Actor == "" {
		a.Actor = e.User.label()
	}
	if e.User != nil && e.User.label() != "" {
		a.Extra["user"] = e.User.label()
	}
	if names := labels(e.Assignees); len(names) > 0 {
		a.Extra["assignees"] = names
	}
	ch := channelOf(e.Channel)
	if ch.typ != "" {
		a.Extra["channel"] = ch.typ
	}
	a.Host, a.Component = ch.host, ch.component
	if ch.severity != "" && a.Extra["priority"] == nil {
		a.Severity = ch.severity // the event's own severity beats urgency
	}
	if ch.ref != "" {
		a.IncidentRef = ch.ref
	}
	switch a.Subtype {
	case importers.SubtypeNote:
		a.Details = text(firstOf(ch.content, e.Note, e.Summary))
	case importers.SubtypeTrigger:
		subject := ch.summary
		if subject == a.Title {
			subject = ""
		}
		a.Details = lines(e.Summary, subject, ch.details, text(e.Note))
	default:
		a.Details = lines(e.Summary, text(e.Note))
	}
	a.Link = firstOf(e.HTMLURL, a.Link)
	created := alertjson.Scalar(e.CreatedAt)
	if created == "" {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "created_at"), Reason: "is missing"}
	}
	t, err := importers.ParseTime(created, nil)
	if err != nil {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(at, "created_at"), Reason: err.Error()}
	}
	a.At, a.AtText = t, created
	a.ID = strings.TrimSpace(e.ID)
	if a.ID == "" {
		a.ID = importers.StableID("log", a.EventType, a.AlertID, created, e.Summary)
	}
	return a, nil
}

// numberRe matches the "[#33] " that starts an incident reference's summary.
var numberRe = regexp.MustCompile(`^\[#(\d+)\]\s*`)

// channel is what an event body takes from a log entry's channel: how it
// came in, the note or trigger text, and the Events API's common fields.
type channel struct {
	typ, summary, content, details string
	host, component, severity, ref string
}

func channelOf(m map[string]json.RawMessage) channel {
	if m == nil {
		return channel{}
	}
	c := channel{
		typ:     alertjson.Scalar(m["type"]),
		summary: firstOf(alertjson.Scalar(m["summary"]), alertjson.Scalar(m["subject"]), alertjson.Scalar(m["description"])),
		content: firstOf(alertjson.Scalar(m["content"]), alertjson.Scalar(m["summary"]), alertjson.Scalar(m["notes"])),
		details: detailsText(m["details"]),
		ref:     detailsRef(m["details"]),
	}
	var cef struct {
		Details         json.RawMessage `json:"details"`
		SourceOrigin    json.RawMessage `json:"source_origin"`
		SourceComponent json.RawMessage `json:"source_component"`
		Severity        json.RawMessage `json:"severity"`
	}
	if raw, ok := m["cef_details"]; ok && json.Unmarshal(raw, &cef) == nil {
		c.host, c.component, c.severity = alertjson.Scalar(cef.SourceOrigin), alertjson.Scalar(cef.SourceComponent), alertjson.Scalar(cef.Severity)
		if c.ref == "" {
			c.ref = detailsRef(cef.Details)
		}
		if c.details == "" {
			c.details = detailsText(cef.Details)
		}
	}
	return c
}
