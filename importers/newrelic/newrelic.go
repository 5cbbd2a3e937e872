// Package newrelic reads New Relic alert notification webhooks: the
// Workflows default payload (id, issueUrl, title, priority, state,
// trigger, createdAt, updatedAt, impactedEntities, alertPolicyNames,
// alertConditionNames …, plus the acknowledgedBy, acknowledgedAt, closedAt
// and owner fields people add) and the legacy alerts channel webhook
// (incident_id, current_state, condition_name, policy_name, severity,
// targets, timestamp …), one payload a delivery; files hold one payload,
// an array or JSON Lines of them.
//
// An issue's state gives the subtype (CREATED/ACTIVATED and open →
// trigger, ACKNOWLEDGED and acknowledged → acknowledge, CLOSED and closed →
// resolve); workflows also notify on other changes of an activated issue
// (state ACTIVATED with trigger PRIORITY_CHANGED, INCIDENT_ADDED …), read
// as updates, while a CREATED issue is a trigger whatever its trigger; an
// acknowledgement arrives as state ACTIVATED with trigger USER_ACTION and
// acknowledgedBy set. Times are epoch milliseconds. IncidentRef comes from
// a custom field "incident" or "hindsight_incident", a tag of that name
// (accumulations "tag.incident") or a target label.
package newrelic

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source name.
const Source = "newrelic"

// want names what a file may hold, for errors.
const want = "a New Relic webhook payload, or an array or JSON Lines of them"

// Importer parses New Relic webhook payloads.
type Importer struct{}

// New returns the New Relic importer and hook parser.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer.
func (Importer) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
	vals, err := alertjson.ReadDecoded(in, Source, want, sink)
	if err != nil {
		return err
	}
	p := &parser{file: in.Name, sink: sink}
	for _, v := range vals {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.value(v); err != nil {
			return err
		}
	}
	return nil
}

// ParseDelivery implements importers.HookParser.
func (Importer) ParseDelivery(_ context.Context, d importers.Delivery, sink importers.Sink) error {
	v, err := alertjson.Value(d.Body)
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	p := &parser{sink: sink, hook: true, delivery: d}
	return p.value(alertjson.Decoded{Line: 1, Whole: true, V: v})
}

type parser struct {
	file     string
	hook     bool
	delivery importers.Delivery
	sink     importers.Sink
}

type fieldError struct{ field, reason string }

func (p *parser) fail(line int, prefix string, fe fieldError) error {
	return alertjson.Reporter{File: p.file, Hook: p.hook, Sink: p.sink}.Fail(line, prefix, fe.field, fe.reason)
}

func (p *parser) value(v alertjson.Decoded) error {
	switch x := v.V.(type) {
	case []any:
		for i, el := range x {
			line := v.Line
			if !p.hook && v.Whole {
				line = i + 1
			}
			if err := p.payload(el, line, fmt.Sprintf("[%d]", i)); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		return p.payload(x, v.Line, "")
	}
	if p.hook {
		return fmt.Errorf("body: want a JSON object (a New Relic webhook payload)")
	}
	return p.fail(v.Line, "", fieldError{reason: "is not a JSON object or array"})
}

func (p *parser) payload(v any, line int, prefix string) error {
	o, ok := alertjson.AsObject(v)
	if !ok {
		return p.fail(line, prefix, fieldError{reason: "is not a JSON object"})
	}
	var a importers.Alert
	var fe *fieldError
	switch {
	case isLegacy(o):
		a, fe = p.legacy(o)
	case isWorkflow(o):
		a, fe = p.workflow(o)
	default:
		fe = &fieldError{reason: "is not a New Relic payload: want a workflow payload (id, state, issueUrl …) or a legacy webhook (incident_id, current_state …)"}
	}
	if fe != nil {
		return p.fail(line, prefix, *fe)
	}
	return p.sink.Event(a.Event(Source))
}

func isLegacy(o alertjson.Object) bool {
	for _, k := range []string{"current_state", "incident_id", "incident_url", "condition_name", "policy_name"} {
		if _, ok := o[k]; ok {
			return true
		}
	}
	return false
}

func isWorkflow(o alertjson.Object) bool {
	for _, k := range []string{"issueUrl", "issueId", "state", "totalIncidents", "alertPolicyNames", "alertConditionNames", "priority"} {
		if _, ok := o[k]; ok {
			return true
		}
	}
	return false
}

// workflow reads a Workflows payload.
func (p *parser) workflow(o alertjson.Object) (importers.Alert, *fieldError) {
	var a importers.Alert
	id := o.Str("id", "issueId")
	if id == "" {
		return a, &fieldError{field: "id", reason: "is missing: a workflow payload needs the issue id ({{ json issueId }})"}
	}
	state := strings.ToUpper(o.Str("state"))
	trig := strings.ToUpper(o.Str("trigger", "triggerEvent"))
	ackBy := person(o.Str("acknowledgedBy", "acknowedgedBy"))
	ackAt := o.Str("acknowledgedAt")
	timeKeys := []string{"updatedAt", "createdAt"}
	switch state {
	case "CLOSED":
		a.Subtype, timeKeys = importers.SubtypeResolve, []string{"closedAt", "updatedAt", "createdAt"}
	case "ACKNOWLEDGED":
		a.Subtype, timeKeys = importers.SubtypeAcknowledge, []string{"acknowledgedAt", "updatedAt", "createdAt"}
	case "ACTIVATED", "CREATED":
		switch {
		case strings.Contains(trig, "ACKNOWLEDGE") || (trig == "USER_ACTION" && (ackBy != "" || ackAt != "")):
			a.Subtype, timeKeys = importers.SubtypeAcknowledge, []string{"acknowledgedAt", "updatedAt", "createdAt"}
		case state == "ACTIVATED" && trig != "" && trig != "STATE_CHANGE":
			// A change of an issue already active (another incident
			// added, priority changed); a CREATED issue is new whatever
			// the trigger (the default workflow payload says INCIDENT_ADDED).
			a.Subtype = importers.SubtypeUpdate
		default:
			a.Subtype, timeKeys = importers.SubtypeTrigger, []string{"createdAt", "updatedAt"}
		}
	default:
		a.Subtype = importers.SubtypeOther
	}
	a.EventType = firstNonEmpty(state, "unknown")
	a.Status = state
	at, atText, fe := p.time(o, timeKeys...)
	if fe != nil {
		return a, fe
	}
	a.At, a.AtText = at, atText
	a.AlertID = id
	a.ID = importers.StableID(Source, id, state, o.Str("updatedAt"))
	if o.Str("updatedAt") == "" {
		a.ID = importers.StableID(Source, id, state, trig, importers.IDTime(atText))
	}
	policies, conditions, entities := strs(o["alertPolicyNames"]), strs(o["alertConditionNames"]), strs(o["impactedEntities"])
	acc, _ := alertjson.AsObject(o["accumulations"])
	a.Title = clean(firstNonEmpty(first(strs(o["title"])), first(conditions), "New Relic issue "+id))
	var lines []string
	if d := clean(firstNonEmpty(first(strs(o["description"])), first(strs(acc["conditionDescription"])))); d != "" {
		lines = append(lines, d)
	}
	for _, l := range []struct {
		label string
		vals  []string
	}{{"Policy", policies}, {"Condition", conditions}, {"Entities", entities}} {
		if len(l.vals) > 0 {
			lines = append(lines, l.label+": "+strings.Join(l.vals, ", "))
		}
	}
	a.Details = strings.Join(lines, "\n")
	a.Severity = o.Str("priority")
	a.Service = firstNonEmpty(o.Str("service"), first(strs(acc["tag.service"])), first(strs(acc["tag.serviceName"])), first(strs(acc["tag.appName"])), first(entities))
	a.Host = firstNonEmpty(o.Str("host"), first(strs(acc["tag.hostname"])), first(strs(acc["tag.host"])))
	a.IncidentRef = firstNonEmpty(o.Str("hindsight_incident", "incident"), first(strs(acc["tag.hindsight_incident"])), first(strs(acc["tag.incident"])), labelIncident(o["tags"]), labelIncident(o["labels"]))
	a.Link = httpURL(o.Str("issueUrl", "issuePageUrl"))
	a.Actor = "New Relic"
	if a.Subtype == importers.SubtypeAcknowledge {
		a.Actor = firstNonEmpty(ackBy, person(o.Str("owner")), "New Relic user")
	}
	extra := map[string]any{}
	if trig != "" {
		extra["trigger"] = trig
	}
	for k, v := range map[string][]string{"policy_names": policies, "condition_names": conditions, "impacted_entities": entities, "sources": strs(o["sources"])} {
		if len(v) > 0 {
			extra[k] = v
		}
	}
	if w := o.Str("workflowName"); w != "" {
		extra["workflow_name"] = w
	}
	if n, err := strconv.Atoi(o.Str("totalIncidents")); err == nil && n > 0 {
		extra["total_incidents"] = n
	}
	if len(extra) > 0 {
		a.Extra = extra
	}
	return a, nil
}

// legacy reads an alerts notification channel webhook.
func (p *parser) legacy(o alertjson.Object) (importers.Alert, *fieldError) {
	var a importers.Alert
	id := o.Str("incident_id")
	if id == "" {
		return a, &fieldError{field: "incident_id", reason: "is missing"}
	}
	state := strings.ToLower(o.Str("current_state"))
	evType := strings.ToUpper(o.Str("event_type"))
	switch {
	case state == "open", state == "" && strings.Contains(evType, "OPEN"):
		a.Subtype = importers.SubtypeTrigger
	case state == "acknowledged", state == "" && strings.Contains(evType, "ACK"):
		a.Subtype = importers.SubtypeAcknowledge
	case state == "closed", state == "" && strings.Contains(evType, "CLOSE"):
		a.Subtype = importers.SubtypeResolve
	default:
		a.Subtype = importers.SubtypeOther
	}
	a.EventType = firstNonEmpty(state, strings.ToLower(evType), "unknown")
	a.Status = state
	at, atText, fe := p.time(o, "timestamp")
	if fe != nil {
		return a, fe
	}
	a.At, a.AtText = at, atText
	a.AlertID = id
	a.ID = importers.StableID(Source, id, state, o.Str("timestamp"))
	if o.Str("timestamp") == "" {
		a.ID = importers.StableID(Source, id, state, evType, importers.IDTime(atText))
	}
	details := clean(o.Str("details"))
	a.Title = clean(firstNonEmpty(o.Str("condition_name"), details, "New Relic incident "+id))
	var lines []string
	if details != a.Title {
		lines = append(lines, details)
	}
	if pol := o.Str("policy_name"); pol != "" {
		lines = append(lines, "Policy: "+pol)
	}
	if rb := httpURL(o.Str("runbook_url")); rb != "" {
		lines = append(lines, "Runbook: "+rb)
	}
	a.Details = strings.TrimSpace(strings.Join(lines, "\n"))
	a.Severity = o.Str("severity")
	for _, el := range o.List("targets") {
		t, ok := alertjson.AsObject(el)
		if !ok {
			continue
		}
		name := t.Str("name")
		kind := strings.ToLower(t.Str("type") + " " + t.Str("product"))
		switch {
		case strings.Contains(kind, "host") || strings.Contains(kind, "server") || strings.Contains(kind, "infrastructure"):
			if a.Host == "" {
				a.Host = name
			}
		default:
			if a.Service == "" {
				a.Service = name
			}
		}
		if a.IncidentRef == "" {
			a.IncidentRef = labelIncident(t["labels"])
		}
	}
	a.IncidentRef = firstNonEmpty(o.Str("hindsight_incident", "incident"), a.IncidentRef)
	a.Link = firstNonEmpty(httpURL(o.Str("incident_url")), httpURL(o.Str("violation_callback_url")))
	a.Actor = "New Relic"
	if a.Subtype == importers.SubtypeAcknowledge {
		a.Actor = firstNonEmpty(person(o.Str("owner")), "New Relic user")
	}
	extra := map[string]any{}
	for k, src := range map[string]string{"account_name": "account_name", "policy_name": "policy_name", "condition_name": "condition_name",
		"runbook_url": "runbook_url", "chart_url": "violation_chart_url", "legacy_event_type": "event_type", "policy_url": "policy_url"} {
		if v := o.Str(src); v != "" {
			extra[k] = v
		}
	}
	if len(extra) > 0 {
		a.Extra = extra
	}
	return a, nil
}

// time reads the first of keys present (epoch milliseconds, or any format
// importers.ParseTime reads); hooks without one use the delivery time.
func (p *parser) time(o alertjson.Object, keys ...string) (time.Time, string, *fieldError) {
	for _, k := range keys {
		s := o.Str(k)
		if s == "" || s == "0" {
			continue
		}
		t, err := importers.ParseTime(s, time.UTC)
		if err != nil {
			return time.Time{}, "", &fieldError{field: k, reason: err.Error()}
		}
		return t, s, nil
	}
	if p.hook {
		t, txt := importers.DeliveryTime(p.delivery)
		return t, txt, nil
	}
	return time.Time{}, "", &fieldError{field: keys[0], reason: "is missing: the payload has no time (" + strings.Join(keys, ", ") + ")"}
}

// strs reads a list of strings, or one string, as New Relic templates
// render them.
func strs(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, el := range x {
			if s := alertjson.ValueText(el); s != "" {
				out = append(out, s)
			}
		}
		return out
	default:
		if s := alertjson.ValueText(v); s != "" {
			return []string{s}
		}
	}
	return nil
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// labelIncident reads "incident" or "hindsight_incident" from a labels or
// tags object, or a "hindsight:INC-7" entry of a list.
func labelIncident(v any) string {
	switch x := v.(type) {
	case map[string]any:
		o := alertjson.Object(x)
		for _, k := range []string{"hindsight_incident", "incident"} {
			if s := first(strs(o[k])); s != "" {
				return s
			}
		}
	case []any:
		for _, s := range strs(x) {
			if rest, ok := strings.CutPrefix(s, "hindsight:"); ok && strings.TrimSpace(rest) != "" {
				return strings.TrimSpace(rest)
			}
		}
	}
	return ""
}

// person drops the placeholders templates render for nobody.
func person(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "n/a", "null", "none", "-":
		return ""
	}
	return strings.TrimSpace(s)
}

func httpURL(s string) string {
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return s
	}
	return ""
}

func clean(s string) string {
	if strings.Contains(s, "<") {
		return chatmarkup.Markdown(s)
	}
	return s
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
