package victorops

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// fields is an outgoing webhook's variables by lower-cased key
// ("alert.entity_id", "state.current_alert_phase"), with the keys as sent.
type fields struct {
	val  map[string]string
	name map[string]string
}

func (f *fields) set(k, v string) {
	if f.val == nil {
		f.val, f.name = map[string]string{}, map[string]string{}
	}
	k = strings.TrimSpace(k)
	lk := strings.ToLower(k)
	if lk == "" {
		return
	}
	f.val[lk], f.name[lk] = strings.TrimSpace(v), k
}

// get returns the first non-blank of keys; an "alert.x" key is also
// looked up as a bare "x".
func (f fields) get(keys ...string) string {
	for _, k := range keys {
		if v := f.val[k]; v != "" {
			return v
		}
		if rest, ok := strings.CutPrefix(k, "alert."); ok {
			if v := f.val[rest]; v != "" {
				return v
			}
		}
	}
	return ""
}

// isWebhook tells an outgoing webhook from other JSON: it has ALERT,
// STATE or INCIDENT variables, or the bare alert fields.
func (f fields) isWebhook() bool {
	for k := range f.val {
		if strings.HasPrefix(k, "alert.") || strings.HasPrefix(k, "state.") || strings.HasPrefix(k, "incident.") {
			return true
		}
	}
	return f.get("alert.entity_id", "alert.message_type") != ""
}

// flatten reads a JSON object into fields, joining nested keys with ".".
func flatten(raw json.RawMessage) (fields, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fields{}, errors.New("is not a JSON object")
	}
	var f fields
	var walk func(prefix string, m map[string]json.RawMessage, depth int)
	walk = func(prefix string, m map[string]json.RawMessage, depth int) {
		for k, v := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			var sub map[string]json.RawMessage
			if depth < 3 && len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &sub) == nil {
				walk(key, sub, depth+1)
				continue
			}
			var t alertjson.Text
			if json.Unmarshal(v, &t) == nil {
				f.set(key, string(t))
			}
		}
	}
	walk("", m, 0)
	return f, nil
}

// word maps a message type, phase or entity state onto a subtype.
func subtypeOf(word string) string {
	switch strings.ToUpper(strings.TrimSpace(word)) {
	case "CRITICAL", "WARNING", "PROBLEM", "TRIGGERED", "UNACKED", "UNACKNOWLEDGED", "TRIGGER":
		return importers.SubtypeTrigger
	case "ACKNOWLEDGEMENT", "ACKNOWLEDGMENT", "ACKNOWLEDGED", "ACKED", "ACK":
		return importers.SubtypeAcknowledge
	case "RECOVERY", "RESOLVED", "OK", "RESOLVE":
		return importers.SubtypeResolve
	case "INFO":
		return importers.SubtypeNote
	case "ESCALATED", "ESCALATE":
		return importers.SubtypeEscalate
	}
	return importers.SubtypeOther
}

// webhook turns one outgoing webhook into an alert (see the package doc).
func (r reader) webhook(f fields, prefix string) (importers.Alert, *alertjson.FieldError) {
	bad := func(field, reason string) (importers.Alert, *alertjson.FieldError) {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(prefix, field), Reason: reason}
	}
	msgType := strings.ToUpper(f.get("alert.message_type"))
	phase := strings.ToUpper(f.get("state.current_alert_phase", "state.current_state", "incident.current_phase", "incident.current_state"))
	entityState := strings.ToUpper(f.get("alert.entity_state"))
	word := alertjson.FirstOf(msgType, phase, entityState)
	// An incident-level webhook describes the incident's latest alert in
	// ALERT.*, which still says CRITICAL once a person acknowledged or
	// resolved the incident: the phase tells what happened then.
	fromPhase := false
	if ps := subtypeOf(phase); (ps == importers.SubtypeAcknowledge || ps == importers.SubtypeResolve) &&
		(msgType == "" || subtypeOf(msgType) == importers.SubtypeTrigger) {
		word, fromPhase = phase, true
	}
	entity := f.get("alert.entity_id")
	thread := alertjson.FirstOf(entity, f.get("incident.entity_id"), f.get("incident.incident_name"))
	if thread == "" && word == "" {
		return bad("ALERT.entity_id", "is missing, as are INCIDENT.INCIDENT_NAME and ALERT.message_type; want a Splunk On-Call outgoing webhook")
	}
	sub := subtypeOf(word)

	var at time.Time
	var atText, timeKey string
	// The alert's own time, else when Splunk On-Call received it; a phase
	// change is dated by the state's last change.
	timeKeys := []string{"alert.timestamp", "alert.vo_alert_rcv_time", "state.state_start_time", "incident.incident_timestamp", "state.last_timestamp"}
	switch {
	case fromPhase && sub == importers.SubtypeAcknowledge:
		timeKeys = []string{"state.ack_timestamp", "state.acked_at", "incident.ack_timestamp"}
	case fromPhase:
		timeKeys = []string{"state.resolved_at", "state.resolve_timestamp", "incident.resolved_at"}
	}
	timeField := ""
	for _, k := range timeKeys {
		if f.get(k) != "" {
			timeField = k
			break
		}
	}
	if ts := f.get(timeField); timeField != "" {
		t, err := importers.ParseTime(ts, r.opts.Location)
		if err != nil {
			return bad(f.keyName(timeField), err.Error())
		}
		at, atText, timeKey = t, ts, t.Format(time.RFC3339Nano)
	} else if r.delivery != nil {
		at, atText = importers.DeliveryTime(*r.delivery)
		timeKey = at.Truncate(time.Minute).Format(time.RFC3339)
	} else {
		others := make([]string, len(timeKeys)-1)
		for i, k := range timeKeys[1:] {
			others[i] = displayKey(k)
		}
		return bad(displayKey(timeKeys[0]), "is missing (as are "+strings.Join(others, ", ")+"), so the event has no time")
	}

	id := importers.StableID(thread, word, timeKey)
	if uuid := f.get("alert.vo_uuid", "alert.alert_id", "alert.uuid"); uuid != "" {
		id = alertjson.ID(uuid + ":" + strings.ToLower(word))
	}
	details := f.get("alert.state_message")
	actor := alertjson.FirstOf(f.get("alert.monitoring_tool"), tool)
	if sub == importers.SubtypeAcknowledge || sub == importers.SubtypeResolve {
		if msg := f.get("alert.ack_msg", "state.ack_msg"); msg != "" && msg != details {
			details = strings.TrimSpace(msg + "\n\n" + details)
		}
		who := []string{"alert.ack_author", "alert.resolve_author", "alert.author", "state.ack_user", "state.acked_by"}
		if fromPhase && sub == importers.SubtypeResolve {
			who = []string{"state.resolved_by", "alert.resolve_author", "alert.ack_author"}
		}
		actor = alertjson.FirstOf(f.get(who...), actor)
	}
	severity := ""
	for _, w := range []string{entityState, msgType} {
		switch w {
		case "CRITICAL", "WARNING", "INFO", "OK":
			severity = alertjson.FirstOf(severity, w)
		}
	}
	custom := map[string]string{}
	for k, v := range f.val {
		if rest, ok := strings.CutPrefix(k, "alert."); ok {
			custom[rest] = v
		} else if !strings.Contains(k, ".") {
			custom[k] = v
		}
	}
	a := importers.Alert{
		ID: id, At: at, AtText: atText, Subtype: sub, EventType: word, AlertID: thread,
		Title:       alertjson.Plain(alertjson.FirstOf(f.get("alert.entity_display_name"), entity, f.get("incident.incident_name"))),
		Details:     alertjson.Plain(details),
		Service:     f.get("alert.service", "alert.service_name", "alert.servicedesc", "state.service", "incident.service"),
		Host:        f.get("alert.host_name", "alert.hostname", "alert.host", "state.host", "incident.host"),
		Severity:    severity,
		Status:      alertjson.FirstOf(phase, entityState),
		Actor:       alertjson.Name(actor),
		Link:        alertjson.FirstOf(alertjson.Link(f.get("incident.incident_link", "incident.link", "incident.url")), alertjson.Link(f.get("alert.incident_url", "alert.alert_url", "alert.url"))),
		IncidentRef: alertjson.IncidentRef(custom),
	}
	a.Extra = map[string]any{"fields": f.named()}
	for k, key := range map[string]string{"routing_key": "alert.routing_key", "monitoring_tool": "alert.monitoring_tool", "entity_state": "alert.entity_state",
		"message_type": "alert.message_type", "incident_name": "incident.incident_name", "vo_uuid": "alert.vo_uuid", "entity_id": "alert.entity_id"} {
		if v := f.get(key); v != "" {
			a.Extra[k] = v
		}
	}
	return a, nil
}

// displayKey writes one of our lower-cased keys as Splunk On-Call spells
// it: ALERT.timestamp, STATE.ACK_TIMESTAMP.
func displayKey(k string) string {
	scope, field, _ := strings.Cut(k, ".")
	if scope == "alert" {
		return "ALERT." + field
	}
	return strings.ToUpper(scope) + "." + strings.ToUpper(field)
}

// keyName is the key as the sender wrote it, for error messages.
func (f fields) keyName(k string) string {
	if n := f.name[k]; n != "" {
		return n
	}
	if rest, ok := strings.CutPrefix(k, "alert."); ok && f.name[rest] != "" {
		return f.name[rest]
	}
	return k
}

// named is the fields under the keys as sent, for metadata.
func (f fields) named() map[string]string {
	out := make(map[string]string, len(f.val))
	for k, v := range f.val {
		if v != "" {
			out[f.name[k]] = v
		}
	}
	return out
}
