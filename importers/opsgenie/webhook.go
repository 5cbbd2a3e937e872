package opsgenie

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// actionSubtypes maps webhook actions (lower case) to alert subtypes;
// custom actions and others are kept as SubtypeOther.
var actionSubtypes = map[string]string{
	"create":            importers.SubtypeTrigger,
	"acknowledge":       importers.SubtypeAcknowledge,
	"unacknowledge":     importers.SubtypeUnack,
	"addnote":           importers.SubtypeNote,
	"close":             importers.SubtypeResolve,
	"escalate":          importers.SubtypeEscalate,
	"escalatenext":      importers.SubtypeEscalate,
	"assignownership":   importers.SubtypeAssign,
	"takeownership":     importers.SubtypeAssign,
	"snooze":            importers.SubtypeSnooze,
	"snoozeended":       importers.SubtypeUpdate,
	"addtags":           importers.SubtypeUpdate,
	"removetags":        importers.SubtypeUpdate,
	"adddetails":        importers.SubtypeUpdate,
	"removedetails":     importers.SubtypeUpdate,
	"updatepriority":    importers.SubtypeUpdate,
	"updatemessage":     importers.SubtypeUpdate,
	"updatedescription": importers.SubtypeUpdate,
	"addteam":           importers.SubtypeUpdate,
	"addrecipient":      importers.SubtypeUpdate,
	"addresponder":      importers.SubtypeUpdate,
	"delete":            importers.SubtypeUpdate,
}

// webhook is an alert action as OpsGenie's Webhook integration posts it.
// The alert's fields differ by action: AddNote adds note, AssignOwnership
// owner, AddTags addedTags; Escalate carries little more than the alert
// id and the escalation; description and details come only with Create
// (when the integration is set to send them).
type webhook struct {
	Action           string          `json:"action"`
	Alert            *whAlert        `json:"alert"`
	IntegrationName  string          `json:"integrationName"`
	IntegrationType  string          `json:"integrationType"`
	EscalationID     string          `json:"escalationId"`
	EscalationName   string          `json:"escalationName"`
	EscalationTime   json.RawMessage `json:"escalationTime"`
	RepeatCount      json.RawMessage `json:"repeatCount"`
	EscalationNotify *struct {
		Name   string `json:"name"`
		Entity string `json:"entity"`
	} `json:"escalationNotify"`
	Source *struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"source"`
}

type whAlert struct {
	AlertID       string          `json:"alertId"`
	Message       string          `json:"message"`
	TinyID        json.RawMessage `json:"tinyId"`
	Alias         string          `json:"alias"`
	Entity        string          `json:"entity"`
	Source        string          `json:"source"`
	Username      string          `json:"username"`
	Description   string          `json:"description"`
	CreatedAt     json.RawMessage `json:"createdAt"`
	UpdatedAt     json.RawMessage `json:"updatedAt"`
	Tags          json.RawMessage `json:"tags"`
	Details       json.RawMessage `json:"details"`
	Priority      json.RawMessage `json:"priority"`
	OldPriority   json.RawMessage `json:"oldPriority"`
	Note          string          `json:"note"`
	Owner         string          `json:"owner"`
	Recipient     json.RawMessage `json:"recipient"`
	Team          json.RawMessage `json:"team"`
	Responder     json.RawMessage `json:"responder"`
	AddedTags     json.RawMessage `json:"addedTags"`
	RemovedTags   json.RawMessage `json:"removedTags"`
	AddedDetails  json.RawMessage `json:"addedDetails"`
	SnoozeEndDate json.RawMessage `json:"snoozeEndDate"`
	OldMessage    string          `json:"oldMessage"`
}

// webhookAlert reads one webhook payload. now gives the time of a payload
// that carries none (Escalate); nil makes that an error.
func webhookAlert(raw json.RawMessage, appURL string, now func() (time.Time, string)) (importers.Alert, error) {
	var w webhook
	if err := json.Unmarshal(raw, &w); err != nil {
		return importers.Alert{}, alertjson.DecodeError("", err)
	}
	action := strings.TrimSpace(w.Action)
	if action == "" {
		return importers.Alert{}, &alertjson.FieldError{Field: "action", Reason: "is missing"}
	}
	al := w.Alert
	if al == nil {
		return importers.Alert{}, &alertjson.FieldError{Field: "alert", Reason: "is missing"}
	}
	if strings.TrimSpace(al.AlertID) == "" {
		return importers.Alert{}, &alertjson.FieldError{Field: "alert.alertId", Reason: "is missing"}
	}
	in := info{
		id: strings.TrimSpace(al.AlertID), tinyID: alertjson.Scalar(al.TinyID), alias: al.Alias, message: al.Message,
		entity: strings.TrimSpace(al.Entity), source: al.Source, priority: priorityOf(al.Priority),
		tags: listOf(al.Tags), details: mapOf(al.Details), integration: w.IntegrationName,
	}
	a := in.alert(appURL)
	a.EventType = action
	a.Subtype = actionSubtypes[strings.ToLower(action)]
	if a.Subtype == "" {
		a.Subtype = importers.SubtypeOther
	}
	a.Actor = firstOf(strings.TrimSpace(al.Username), "OpsGenie")
	if w.Source != nil && strings.TrimSpace(w.Source.Type) != "" {
		a.Extra["via"] = strings.TrimSpace(w.Source.Type)
	}
	detail := ""
	switch strings.ToLower(action) {
	case "create":
		a.Status = "open"
		a.Details = lines(text(al.Description), detailsText(in.details))
	case "acknowledge":
		a.Status = "acknowledged"
	case "close":
		a.Status = "closed"
	case "addnote":
		detail = al.Note
		a.Details = text(al.Note)
	case "assignownership", "takeownership":
		detail = firstOf(al.Owner, al.Username)
		a.Details = "Owner: " + detail
	case "escalate", "escalatenext":
		detail = w.EscalationName
		to := ""
		if n := w.EscalationNotify; n != nil && strings.TrimSpace(n.Name) != "" {
			to = " → " + strings.TrimSpace(n.Name)
		}
		if w.EscalationName != "" || to != "" {
			a.Details = "Escalation: " + firstOf(w.EscalationName, "next") + to
		}
		if a.Actor == "" {
			a.Actor = "OpsGenie"
		}
	case "addrecipient":
		detail = alertjson.Scalar(al.Recipient)
		a.Details = lines("Recipient added: " + detail)
	case "addteam":
		detail = alertjson.Scalar(al.Team)
		a.Details = "Team added: " + detail
	case "addresponder":
		detail = firstOf(alertjson.Scalar(al.Responder), string(al.Responder))
		a.Details = "Responder added: " + detail
	case "addtags":
		detail = strings.Join(listOf(al.AddedTags), ", ")
		a.Details = "Tags added: " + detail
	case "removetags":
		detail = strings.Join(listOf(al.RemovedTags), ", ")
		a.Details = "Tags removed: " + detail
	case "adddetails":
		detail = detailsText(mapOf(al.AddedDetails))
		a.Details = lines("Details added:", detail)
	case "updatepriority":
		detail = in.priority
		a.Details = "Priority: " + firstOf(in.priority, "none")
		if old := priorityOf(al.OldPriority); old != "" {
			a.Details += " (was " + old + ")"
		}
	case "updatemessage":
		detail = al.Message
		if al.OldMessage != "" {
			a.Details = "Message was: " + al.OldMessage
		}
	case "updatedescription":
		detail = al.Description
		a.Details = text(al.Description)
	case "snooze":
		detail = alertjson.Scalar(al.SnoozeEndDate)
		if detail != "" {
			a.Details = "Snoozed until " + detail
		}
	case "delete":
		a.Details = "Alert deleted"
	}
	if a.Details == "" && a.Subtype == importers.SubtypeTrigger {
		a.Details = text(al.Description)
	}

	created, updated := alertjson.Scalar(al.CreatedAt), alertjson.Scalar(al.UpdatedAt)
	when, field := updated, "alert.updatedAt"
	if strings.EqualFold(action, "create") && created != "" {
		when, field = created, "alert.createdAt"
	}
	switch {
	case when != "":
		t, err := importers.ParseTime(when, nil)
		if err != nil {
			return importers.Alert{}, &alertjson.FieldError{Field: field, Reason: err.Error()}
		}
		a.At, a.AtText = t, when
	case now != nil:
		a.At, a.AtText = now()
	default:
		return importers.Alert{}, &alertjson.FieldError{Field: "alert.updatedAt", Reason: "is missing: the payload has no time (a live delivery takes the time it was received)"}
	}

	// No event id: the alert, action and update time identify a delivery,
	// so a redelivery is the same event. Create happens once per alert and
	// gets the key its API-read trigger has too.
	switch {
	case strings.EqualFold(action, "create"):
		a.ID = createID(in.id)
	case updated != "":
		a.ID = importers.StableID(in.id, action, updated, detail)
	default:
		a.ID = importers.StableID(in.id, action, w.EscalationID, alertjson.Scalar(w.EscalationTime), alertjson.Scalar(w.RepeatCount), detail)
	}
	return a, nil
}

// createID is the dedupe key of an alert's creation, however it was read.
func createID(alertID string) string { return importers.StableID(alertID, "Create") }
