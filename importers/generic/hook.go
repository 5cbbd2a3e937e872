package generic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// Hook receives alerts from any tool that can post JSON, at
// /api/v1/hooks/generic. A delivery is one alert object, an array of
// them, or an object with an "alerts" or "events" array. Each alert's
// fields are read from these keys unless the hook's mapping names others
// (dotted paths reach into nested objects, e.g. title=labels.alertname):
//
//	id        the event's id at the sender (else derived from its content)
//	time      when it happened (RFC 3339 or Unix time; else when received)
//	status    trigger|firing|problem|open|alert, acknowledge|ack,
//	          resolve|resolved|ok|recovery|closed, note, escalate …
//	title     one line (also: summary, message, name)
//	details   more text (also: description, text, body)
//	service, host, severity, link (also: url), actor
//	alert_id  groups the events of one alert (also: fingerprint, group)
//	incident  a Hindsight incident key to route to (INC-7)
//	source    the tool's name (lower-case; default "webhook")
type Hook struct{}

// NewHook returns the generic JSON hook.
func NewHook() *Hook { return &Hook{} }

// Source implements importers.HookParser.
func (*Hook) Source() string { return "generic" }

// SenderScoped implements importers.SenderScoped: senders pick their ids.
func (*Hook) SenderScoped() {}

// hookFields lists our fields and the payload keys read by default.
var hookFields = map[string][]string{
	"id":       {"id", "event_id"},
	"time":     {"time", "timestamp", "occurred_at", "date"},
	"status":   {"status", "state", "event", "type"},
	"title":    {"title", "summary", "message", "name"},
	"details":  {"details", "description", "text", "body"},
	"service":  {"service", "component"},
	"host":     {"host", "hostname", "instance"},
	"severity": {"severity", "priority", "level"},
	"link":     {"link", "url"},
	"actor":    {"actor", "user", "author"},
	"alert_id": {"alert_id", "fingerprint", "group"},
	"incident": {"incident", "hindsight_incident"},
	"source":   {"source"},
}

// MappingFields implements importers.Mapper.
func (*Hook) MappingFields() []string { return HookFields() }

// HookFields lists the fields a generic hook's mapping may name.
func HookFields() []string {
	return []string{"id", "time", "status", "title", "details", "service", "host", "severity", "link", "actor", "alert_id", "incident", "source"}
}

var hookSourceRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// ParseDelivery implements importers.HookParser.
func (h *Hook) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	for k := range d.Mapping {
		if _, ok := hookFields[k]; !ok {
			return fmt.Errorf("hook mapping: unknown field %q: want one of %s", k, strings.Join(HookFields(), ", "))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if dec.More() {
		return errors.New("body holds more than one JSON value")
	}
	var items []any
	path := ""
	switch x := v.(type) {
	case []any:
		items = x
	case map[string]any:
		switch {
		case isArray(x["alerts"]):
			items, path = x["alerts"].([]any), "alerts"
		case isArray(x["events"]):
			items, path = x["events"].([]any), "events"
		default:
			items = []any{x}
		}
	default:
		return errors.New("body must be a JSON object or an array of objects")
	}
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := path
		if len(items) > 1 || path != "" {
			name = path + "[" + strconv.Itoa(i) + "]"
		}
		obj, ok := it.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: must be an object", strings.TrimPrefix(name, "."))
		}
		a, err := h.alert(obj, d)
		if err != nil {
			if name != "" {
				return fmt.Errorf("%s.%w", name, err)
			}
			return err
		}
		source := "webhook"
		if s := strings.ToLower(text(h.lookup(obj, d.Mapping, "source"))); hookSourceRe.MatchString(s) {
			source = s
		}
		if err := sink.Event(a.Event(source)); err != nil {
			return err
		}
	}
	return nil
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

// alert reads one alert object.
func (h *Hook) alert(obj map[string]any, d importers.Delivery) (importers.Alert, error) {
	get := func(field string) string { return text(h.lookup(obj, d.Mapping, field)) }
	a := importers.Alert{
		ID: get("id"), Title: get("title"), Details: get("details"), Service: get("service"), Host: get("host"),
		Severity: get("severity"), Link: get("link"), Actor: get("actor"), AlertID: get("alert_id"),
		IncidentRef: get("incident"), EventType: get("status"),
	}
	if a.Title == "" && a.Details == "" {
		return a, fmt.Errorf("%s: an alert needs a title or details", fieldName(d.Mapping, "title"))
	}
	if ts := get("time"); ts != "" {
		t, err := importers.ParseTime(ts, nil)
		if err != nil {
			return a, fmt.Errorf("%s: %w", fieldName(d.Mapping, "time"), err)
		}
		a.At, a.AtText = t, ts
	} else {
		a.At, a.AtText = importers.DeliveryTime(d)
	}
	a.Subtype = statusSubtype(a.EventType)
	a.Status = a.EventType
	if a.AlertID == "" {
		a.AlertID = importers.StableID(a.Service, a.Host, a.Title)
	}
	if a.ID == "" {
		// Without a time of its own the content is the identity, so a
		// retried delivery is the same event.
		a.ID = importers.StableID(a.AlertID, a.Subtype, importers.IDTime(a.AtText), a.Details)
	}
	return a, nil
}

// fieldName names a field in errors as the sender knows it.
func fieldName(m map[string]string, field string) string {
	if k := m[field]; k != "" {
		return k
	}
	return field
}

// lookup reads field from obj: the mapped path, else the default keys.
func (h *Hook) lookup(obj map[string]any, mapping map[string]string, field string) any {
	if p := mapping[field]; p != "" {
		return dig(obj, p)
	}
	for _, k := range hookFields[field] {
		if v, ok := obj[k]; ok && v != nil {
			return v
		}
	}
	return nil
}

// dig follows a dotted path through nested objects.
func dig(obj map[string]any, path string) any {
	var cur any = obj
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// text renders a JSON value as text: strings as they are, numbers as
// written, anything else as compact JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// statusSubtype maps a sender's status word onto an alert subtype.
func statusSubtype(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "trigger", "triggered", "firing", "fire", "problem", "open", "opened", "alert", "alerting", "critical", "down", "new", "create", "created":
		return importers.SubtypeTrigger
	case "ack", "acked", "acknowledge", "acknowledged":
		return importers.SubtypeAcknowledge
	case "resolve", "resolved", "ok", "recovery", "recovered", "closed", "close", "clear", "cleared", "up":
		return importers.SubtypeResolve
	case "note", "comment", "annotate", "annotated":
		return importers.SubtypeNote
	case "escalate", "escalated":
		return importers.SubtypeEscalate
	case "assign", "assigned":
		return importers.SubtypeAssign
	case "snooze", "snoozed":
		return importers.SubtypeSnooze
	case "suppress", "suppressed", "silenced", "maintenance", "downtime":
		return importers.SubtypeSuppress
	case "update", "updated":
		return importers.SubtypeUpdate
	default:
		return importers.SubtypeOther
	}
}
