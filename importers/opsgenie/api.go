package opsgenie

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// apiAlert is an alert as the Alert API returns it (GET /v2/alerts/{id}
// and the items of GET /v2/alerts).
type apiAlert struct {
	ID          string          `json:"id"`
	TinyID      json.RawMessage `json:"tinyId"`
	Alias       string          `json:"alias"`
	Message     string          `json:"message"`
	Status      string          `json:"status"`
	Tags        json.RawMessage `json:"tags"`
	CreatedAt   json.RawMessage `json:"createdAt"`
	Source      string          `json:"source"`
	Owner       string          `json:"owner"`
	Priority    json.RawMessage `json:"priority"`
	Entity      string          `json:"entity"`
	Description string          `json:"description"`
	Details     json.RawMessage `json:"details"`
	Count       json.RawMessage `json:"count"`
	Report      *struct {
		AckTime        json.RawMessage `json:"ackTime"`
		CloseTime      json.RawMessage `json:"closeTime"`
		AcknowledgedBy string          `json:"acknowledgedBy"`
		ClosedBy       string          `json:"closedBy"`
	} `json:"report"`
	Integration *struct {
		Name string `json:"name"`
	} `json:"integration"`
}

func (al *apiAlert) info() info {
	in := info{
		id: strings.TrimSpace(al.ID), tinyID: alertjson.Scalar(al.TinyID), alias: al.Alias, message: al.Message,
		entity: strings.TrimSpace(al.Entity), source: al.Source, priority: priorityOf(al.Priority),
		description: al.Description, tags: listOf(al.Tags), details: mapOf(al.Details),
	}
	if al.Integration != nil {
		in.integration = al.Integration.Name
	}
	return in
}

// apiLog is one entry of GET /v2/alerts/{id}/logs.
type apiLog struct {
	Log       string          `json:"log"`
	Type      string          `json:"type"`
	Owner     string          `json:"owner"`
	CreatedAt json.RawMessage `json:"createdAt"`
	Offset    string          `json:"offset"`
}

// decodeAlert reads an alert object, or a {"data": alert} answer.
func decodeAlert(raw json.RawMessage, at string) (*apiAlert, error) {
	var wrap struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &wrap) == nil && len(bytes.TrimSpace(wrap.Data)) > 0 && bytes.TrimSpace(wrap.Data)[0] == '{' {
		raw, at = wrap.Data, alertjson.Join(at, "data")
	}
	var al apiAlert
	if err := json.Unmarshal(raw, &al); err != nil {
		return nil, alertjson.DecodeError(at, err)
	}
	if strings.TrimSpace(al.ID) == "" {
		return nil, &alertjson.FieldError{Field: alertjson.Join(at, "id"), Reason: "is missing"}
	}
	return &al, nil
}

// alertAlerts turns an API alert without its logs into events: its
// creation, and the first acknowledgement and the close its report gives
// as milliseconds after creation.
func alertAlerts(al *apiAlert, at, appURL string) ([]importers.Alert, error) {
	in := al.info()
	created := alertjson.Scalar(al.CreatedAt)
	if created == "" {
		return nil, &alertjson.FieldError{Field: alertjson.Join(at, "createdAt"), Reason: "is missing"}
	}
	t0, err := importers.ParseTime(created, nil)
	if err != nil {
		return nil, &alertjson.FieldError{Field: alertjson.Join(at, "createdAt"), Reason: err.Error()}
	}
	base := in.alert(appURL)
	if n, err := strconv.Atoi(alertjson.Scalar(al.Count)); err == nil && n > 1 {
		base.Count = n
	}
	trig := base
	trig.Extra = cloneExtra(base.Extra)
	trig.ID, trig.At, trig.AtText = createID(in.id), t0, created
	trig.Subtype, trig.EventType, trig.Status = importers.SubtypeTrigger, "Create", "open"
	trig.Actor = al.Source
	trig.Details = lines(text(in.description), detailsText(in.details))
	out := []importers.Alert{trig}
	if r := al.Report; r != nil {
		for _, step := range []struct {
			ms, by, action, sub, status string
		}{
			{alertjson.Scalar(r.AckTime), r.AcknowledgedBy, "Acknowledge", importers.SubtypeAcknowledge, "acknowledged"},
			{alertjson.Scalar(r.CloseTime), r.ClosedBy, "Close", importers.SubtypeResolve, "closed"},
		} {
			ms, err := strconv.ParseInt(step.ms, 10, 64)
			if err != nil || ms <= 0 {
				continue
			}
			e := base
			e.Extra = cloneExtra(base.Extra)
			e.At = t0.Add(time.Duration(ms) * time.Millisecond)
			e.AtText = created + " + " + step.ms + " ms"
			e.ID = importers.StableID(in.id, "report", step.action)
			e.Subtype, e.EventType, e.Status, e.Actor = step.sub, step.action, step.status, step.by
			out = append(out, e)
		}
	}
	return out, nil
}

func cloneExtra(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// logsAlerts turns an alert's logs into events. The oldest log that
// reads as the alert's creation gets the key of its Create webhook.
// Unreadable logs come back in bad with their 1-based index.
func logsAlerts(al *apiAlert, logs []json.RawMessage, at, appURL string) ([]importers.Alert, []badPart) {
	in := al.info()
	base := in.alert(appURL)
	var out []importers.Alert
	var bad []badPart
	type dated struct {
		i int
		t time.Time
	}
	var triggers []dated
	for i, raw := range logs {
		field := at + "[" + strconv.Itoa(i) + "]"
		var l apiLog
		if err := json.Unmarshal(raw, &l); err != nil {
			bad = append(bad, badPart{*alertjson.DecodeError(field, err), i + 1})
			continue
		}
		msg := strings.TrimSpace(l.Log)
		if msg == "" {
			bad = append(bad, badPart{alertjson.FieldError{Field: alertjson.Join(field, "log"), Reason: "is empty"}, i + 1})
			continue
		}
		created := alertjson.Scalar(l.CreatedAt)
		t, err := importers.ParseTime(created, nil)
		if err != nil {
			bad = append(bad, badPart{alertjson.FieldError{Field: alertjson.Join(field, "createdAt"), Reason: err.Error()}, i + 1})
			continue
		}
		e := base
		e.Extra = cloneExtra(base.Extra)
		e.At, e.AtText = t, created
		e.EventType = firstOf(l.Type, "log")
		e.Subtype = logSubtype(l.Type, msg)
		e.Actor = strings.TrimSpace(l.Owner)
		e.Details = text(msg)
		e.ID = importers.StableID(in.id, "log", l.Offset)
		if l.Offset == "" {
			e.ID = importers.StableID(in.id, "log", created, msg)
		}
		if e.Subtype == importers.SubtypeTrigger {
			triggers = append(triggers, dated{len(out), t})
			if e.Details == "" || strings.HasPrefix(strings.ToLower(msg), "alert created") {
				e.Details = lines(msg, text(in.description), detailsText(in.details))
			}
		}
		out = append(out, e)
	}
	if len(triggers) > 0 {
		first := triggers[0]
		for _, d := range triggers[1:] {
			if d.t.Before(first.t) {
				first = d
			}
		}
		out[first.i].ID = createID(in.id)
	}
	return out, bad
}

// logSubtype reads what a log line says happened; OpsGenie logs carry
// no action name, only text such as "Alert acknowledged via web".
func logSubtype(typ, msg string) string {
	l := strings.ToLower(msg)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.EqualFold(typ, "alertRecipient"):
		return importers.SubtypeOther // a notification sent, not a change
	case has("note"):
		return importers.SubtypeNote
	case has("unacknowledged"):
		return importers.SubtypeUnack
	case has("acknowledged"):
		return importers.SubtypeAcknowledge
	case has("closed", "close alert"):
		return importers.SubtypeResolve
	case has("escalat"):
		return importers.SubtypeEscalate
	case has("unsnooze", "snooze ended"):
		return importers.SubtypeUpdate
	case has("snooze"):
		return importers.SubtypeSnooze
	case has("ownership", "owner", "assigned"):
		return importers.SubtypeAssign
	case has("created"):
		return importers.SubtypeTrigger
	case has("priority", "tag", "detail", "message", "description", "responder", "team", "updated", "deleted"):
		return importers.SubtypeUpdate
	}
	return importers.SubtypeOther
}
