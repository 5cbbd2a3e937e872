// Package zenoss reads Zenoss events: the event console's JSON as the JSON
// API returns it (router EventsRouter, method query: {"result":{"events":
// […]}}), a plain array or JSON Lines of event objects, and webhook
// ("push") notifications carrying one event with the same field names,
// flat (evid, device, component, summary, message, severity, eventState,
// firstTime, lastTime, stateChange, count, ownerid).
//
// An event is read as its start (a trigger at firstTime) and, unless it is
// still New, its current state at stateChange (else lastTime):
// Acknowledged → acknowledge, Suppressed → suppress, Closed, Cleared and
// Aged → resolve. Both are keyed by StableID(evid, state), so a console
// export and the notifications of the same event do not duplicate each
// other. Severity and state may be numbers (0–5, 0–6) or names. Times may
// be epoch seconds (Zenoss 4 and later, with a fraction), milliseconds, or
// text ("2024-01-15 12:30:45", "2024/01/15 12:30:45.000") read in
// Options.Location for files and UTC for hooks.
//
// IncidentRef comes from a field or event detail named "incident" or
// "hindsight_incident".
package zenoss

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
const Source = "zenoss"

// want names what a file may hold, for errors.
const want = "a Zenoss event, an array or JSON Lines of events, or an EventsRouter answer"

// Importer parses Zenoss event console JSON and webhook notifications.
type Importer struct{}

// New returns the Zenoss importer and hook parser.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	vals, err := alertjson.ReadDecoded(in, Source, want, sink)
	if err != nil {
		return err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	p := &parser{file: in.Name, loc: loc, sink: sink, seen: map[string]bool{}}
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

// ParseDelivery implements importers.HookParser: one event (or an array of
// events, or a router answer) per delivery; any unreadable event refuses
// the delivery.
func (Importer) ParseDelivery(_ context.Context, d importers.Delivery, sink importers.Sink) error {
	v, err := alertjson.Value(d.Body)
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	p := &parser{loc: time.UTC, sink: sink, hook: true, delivery: d, seen: map[string]bool{}}
	return p.value(alertjson.Decoded{Line: 1, Whole: true, V: v})
}

type parser struct {
	file     string
	hook     bool
	delivery importers.Delivery
	loc      *time.Location
	sink     importers.Sink
	seen     map[string]bool // ExternalIDs handed to sink
}

type fieldError struct{ field, reason string }

func (p *parser) fail(line int, prefix string, fe fieldError) error {
	return alertjson.Reporter{File: p.file, Hook: p.hook, Sink: p.sink}.Fail(line, prefix, fe.field, fe.reason)
}

// value dispatches one top-level JSON value by its shape.
func (p *parser) value(v alertjson.Decoded) error {
	switch x := v.V.(type) {
	case []any:
		for i, el := range x {
			line := v.Line
			if !p.hook && v.Whole {
				line = i + 1
			}
			prefix := fmt.Sprintf("[%d]", i)
			o, ok := alertjson.AsObject(el)
			if !ok {
				if err := p.fail(line, prefix, fieldError{reason: "is not a JSON object"}); err != nil {
					return err
				}
				continue
			}
			if isRouter(o) {
				if err := p.router(o, line, prefix); err != nil {
					return err
				}
				continue
			}
			if err := p.event(o, line, prefix); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		o := alertjson.Object(x)
		if isRouter(o) {
			return p.router(o, v.Line, "")
		}
		if _, ok := o["events"].([]any); ok {
			return p.events(o, v.Line, "")
		}
		return p.event(o, v.Line, "")
	}
	if p.hook {
		return fmt.Errorf("body: want a JSON object (a Zenoss event)")
	}
	return p.fail(v.Line, "", fieldError{reason: "is not a JSON object or array"})
}

// isRouter reports whether o is an Ext.Direct router answer.
func isRouter(o alertjson.Object) bool {
	if _, ok := o["result"].(map[string]any); ok {
		return true
	}
	return o.Str("type") == "exception" || (o.Str("action") != "" && o.Str("tid") != "")
}

// router reads an EventsRouter answer.
func (p *parser) router(o alertjson.Object, line int, prefix string) error {
	where := fmt.Sprintf("%s: %s line %d", Source, p.file, line)
	if p.hook {
		where = "body"
	}
	if o.Str("type") == "exception" {
		return fmt.Errorf("%s: the Zenoss API answered an exception: %s", where, firstNonEmpty(o.Str("message"), "no message"))
	}
	res, ok := alertjson.AsObject(o["result"])
	if !ok {
		return fmt.Errorf("%s: result: want an object with events (the answer of EventsRouter query)", where)
	}
	if res.Str("success") == "false" {
		return fmt.Errorf("%s: the Zenoss API answered success false: %s", where, firstNonEmpty(res.Str("msg", "message"), "no message"))
	}
	if _, ok := res["events"].([]any); !ok {
		return fmt.Errorf("%s: result.events: want a list of events (the answer of EventsRouter query)", where)
	}
	return p.events(res, line, strings.TrimPrefix(prefix+".result", "."))
}

// events reads the events list of a query result.
func (p *parser) events(o alertjson.Object, line int, prefix string) error {
	key := strings.TrimPrefix(prefix+".events", ".")
	for i, el := range o.List("events") {
		pre := fmt.Sprintf("%s[%d]", key, i)
		e, ok := alertjson.AsObject(el)
		if !ok {
			if err := p.fail(line, pre, fieldError{reason: "is not a JSON object"}); err != nil {
				return err
			}
			continue
		}
		if err := p.event(e, line, pre); err != nil {
			return err
		}
	}
	return nil
}

// event turns one event into its trigger and current state.
func (p *parser) event(o alertjson.Object, line int, prefix string) error {
	alerts, fe := p.alerts(o)
	if fe != nil {
		return p.fail(line, prefix, *fe)
	}
	for _, a := range alerts {
		if p.seen[a.ID] {
			continue // the start of an event listed again in a later state
		}
		p.seen[a.ID] = true
		if err := p.sink.Event(a.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}

// states are Zenoss's event states by number.
var states = []string{"New", "Acknowledged", "Suppressed", "Closed", "Cleared", "Dropped", "Aged"}

// severities are Zenoss's severities by number.
var severities = []string{"Clear", "Debug", "Info", "Warning", "Error", "Critical"}

func (p *parser) alerts(o alertjson.Object) ([]importers.Alert, *fieldError) {
	evid := o.Str("evid", "uuid", "id")
	summary := clean(o.Str("summary"))
	host, component := nameOf(o["device"]), nameOf(o["component"])
	if evid == "" && summary == "" {
		return nil, &fieldError{field: "evid", reason: "is missing: an event needs an evid or a summary"}
	}
	state := o.Str("eventState", "state")
	if n, err := strconv.Atoi(state); err == nil && n >= 0 && n < len(states) {
		state = states[n]
	}
	if state == "" {
		state = "New"
	}
	for _, s := range states {
		if strings.EqualFold(s, state) {
			state = s
		}
	}
	sev := o.Str("severity")
	if n, err := strconv.Atoi(sev); err == nil && n >= 0 && n < len(severities) {
		sev = severities[n]
	}
	alertID := evid
	if alertID == "" {
		alertID = importers.StableID(Source, host, component, nameOf(o["eventClass"]), o.Str("eventKey"), summary)
	}
	message := clean(o.Str("message"))
	base := importers.Alert{
		AlertID: alertID, Title: summary, Host: host, Component: component, Severity: sev,
		Service: firstNonEmpty(o.Str("service"), systemOf(o["Systems"])), IncidentRef: incidentOf(o),
		Link:  firstNonEmpty(httpURL(o.Str("eventUrl")), httpURL(o.Str("url")), httpURL(o.Str("link"))),
		Actor: "Zenoss",
	}
	if message != summary {
		base.Details = message
	}
	if base.Title == "" {
		base.Title = message
	}
	if c, err := strconv.Atoi(o.Str("count")); err == nil && c > 0 {
		base.Count = c
	}
	extra := map[string]any{}
	for _, k := range []string{"evid", "eventClass", "eventKey", "prodState", "DevicePriority", "agent", "ownerid", "ipAddress"} {
		v := o.Str(k)
		if k == "eventClass" {
			v = nameOf(o[k])
		}
		if v != "" {
			extra[k] = v
		}
	}
	if len(extra) > 0 {
		base.Extra = extra
	}

	var subtype string
	switch state {
	case "New":
		subtype = importers.SubtypeTrigger
	case "Acknowledged":
		subtype = importers.SubtypeAcknowledge
	case "Suppressed":
		subtype = importers.SubtypeSuppress
	case "Closed", "Cleared", "Aged":
		subtype = importers.SubtypeResolve
	default:
		subtype = importers.SubtypeOther
	}

	var out []importers.Alert
	start := base
	start.Subtype, start.EventType, start.Status = importers.SubtypeTrigger, "New", "New"
	start.ID = importers.StableID(Source, alertID, "New")
	t, txt, fe := p.time(o, "firstTime")
	switch {
	case fe != nil && (subtype == importers.SubtypeTrigger || o.Str("firstTime") != ""):
		return nil, fe
	case fe == nil && (subtype == importers.SubtypeTrigger || o.Str("firstTime") != ""):
		start.At, start.AtText = t, txt
		out = append(out, start)
	}
	if subtype == importers.SubtypeTrigger {
		return out, nil
	}
	end := base
	end.Subtype, end.EventType, end.Status = subtype, state, state
	end.ID = importers.StableID(Source, alertID, state)
	if owner := o.Str("ownerid"); owner != "" && (subtype == importers.SubtypeAcknowledge || subtype == importers.SubtypeResolve) {
		end.Actor = owner
	}
	key := "stateChange"
	if o.Str("stateChange") == "" {
		key = "lastTime"
	}
	t, txt, fe = p.time(o, key)
	if fe != nil {
		if o.Str("stateChange") == "" && o.Str("lastTime") == "" {
			fe.field, fe.reason = "stateChange", "is missing: a "+state+" event needs stateChange or lastTime"
		}
		return nil, fe
	}
	end.At, end.AtText = t, txt
	return append(out, end), nil
}

// time reads a Zenoss time field; hooks without it use the delivery time.
func (p *parser) time(o alertjson.Object, key string) (time.Time, string, *fieldError) {
	s := o.Str(key)
	if s == "" {
		if p.hook {
			t, txt := importers.DeliveryTime(p.delivery)
			return t, txt, nil
		}
		return time.Time{}, "", &fieldError{field: key, reason: "is missing"}
	}
	// Zenoss 3 wrote "2024/01/15 12:30:45.000".
	norm := s
	if len(s) >= 10 && s[4] == '/' && s[7] == '/' {
		norm = s[:4] + "-" + s[5:7] + "-" + s[8:]
	}
	t, err := importers.ParseTime(norm, p.loc)
	if err != nil {
		return time.Time{}, "", &fieldError{field: key, reason: err.Error()}
	}
	return t, s, nil
}

// nameOf reads a device, component or event class: a string, or an object
// with its text (or name).
func nameOf(v any) string {
	if o, ok := alertjson.AsObject(v); ok {
		return firstNonEmpty(o.Str("text", "name", "title"), lastSegment(o.Str("uid")))
	}
	return alertjson.ValueText(v)
}

// systemOf is the first system of the event's device ("/Checkout" → "Checkout").
func systemOf(v any) string {
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			if s := systemOf(el); s != "" {
				return s
			}
		}
	case map[string]any:
		return strings.Trim(alertjson.Object(x).Str("name"), "/")
	case string:
		s, _, _ := strings.Cut(x, "|")
		return strings.Trim(strings.TrimSpace(s), "/")
	}
	return ""
}

func lastSegment(uid string) string {
	uid = strings.TrimRight(uid, "/")
	if i := strings.LastIndexByte(uid, '/'); i >= 0 {
		return uid[i+1:]
	}
	return uid
}

// incidentOf reads a Hindsight incident from a field or an event detail
// (details as an object, or a list of {key|name, value}).
func incidentOf(o alertjson.Object) string {
	if s := o.Str("hindsight_incident", "incident"); s != "" {
		return s
	}
	names := map[string]bool{"incident": true, "hindsight_incident": true}
	switch d := o["details"].(type) {
	case map[string]any:
		for _, k := range []string{"hindsight_incident", "incident"} {
			if s := firstText(d[k]); s != "" {
				return s
			}
		}
	case []any:
		for _, el := range d {
			if e, ok := alertjson.AsObject(el); ok && names[strings.ToLower(e.Str("key", "name"))] {
				if s := firstText(e["value"]); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// firstText is v's text, or the first element's for a list (Zenoss keeps
// detail values as lists).
func firstText(v any) string {
	if l, ok := v.([]any); ok && len(l) > 0 {
		return alertjson.ValueText(l[0])
	}
	return alertjson.ValueText(v)
}

func httpURL(s string) string {
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return s
	}
	return ""
}

// clean keeps HTML out of text.
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
