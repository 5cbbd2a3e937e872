// Package amalert reads alerts in the Prometheus Alertmanager shape, which
// Grafana's unified alerting copies: webhook notifications (version 4, and
// Grafana's version 1 with its extra fields), the alerts of Alertmanager's
// API (v2 /api/v2/alerts and /api/v2/alerts/groups, v1 /api/v1/alerts), and
// single alerts. The alertmanager and grafana importers share it.
//
// One alert of a notification is one event:
//   - firing → trigger at startsAt; resolved → resolve at endsAt. A zero
//     endsAt ("0001-01-01T00:00:00Z") means the alert still fires.
//   - Without a per-alert status (older senders, proxies) the status comes
//     from endsAt: zero → firing; for a webhook, after the delivery time →
//     firing, else resolved; in a file, the group's status, else resolved.
//   - An API alert's state says it: active and unprocessed → trigger,
//     suppressed (silenced or inhibited) → suppress, both at startsAt.
//   - The dedupe key is StableID(fingerprint or the sorted labels, status,
//     startsAt[, endsAt for resolves]): Alertmanager repeats a firing alert
//     every repeat_interval and those repeats are one event, while its
//     resolve is another.
package amalert

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Config says who sent the alerts and how to read their times.
type Config struct {
	// Tool is the sender's name ("Alertmanager", "Grafana"), the events' actor.
	Tool string
	// Delivery is set for webhook deliveries: its time decides the status
	// of alerts that carry none, and dates resolves without an endsAt.
	Delivery *importers.Delivery
	// Location reads times written without a zone (files; UTC when nil).
	Location *time.Location
}

// Payload is a webhook notification (or an API alert group).
type Payload struct {
	Version           alertjson.Text            `json:"version"`
	GroupKey          alertjson.Text            `json:"groupKey"`
	TruncatedAlerts   alertjson.Text            `json:"truncatedAlerts"`
	Status            alertjson.Text            `json:"status"`
	Receiver          json.RawMessage           `json:"receiver"`
	GroupLabels       map[string]alertjson.Text `json:"groupLabels"`
	CommonLabels      map[string]alertjson.Text `json:"commonLabels"`
	CommonAnnotations map[string]alertjson.Text `json:"commonAnnotations"`
	ExternalURL       alertjson.Text            `json:"externalURL"`
	Alerts            []json.RawMessage         `json:"alerts"`
	// Grafana unified alerting adds these.
	OrgID   alertjson.Text `json:"orgId"`
	Title   alertjson.Text `json:"title"`
	State   alertjson.Text `json:"state"`
	Message alertjson.Text `json:"message"`
}

// alert is one alert of a notification or of an API list.
type alert struct {
	// Status is "firing"/"resolved" in webhooks, {"state": …} in the API.
	Status       json.RawMessage           `json:"status"`
	Labels       map[string]alertjson.Text `json:"labels"`
	Annotations  map[string]alertjson.Text `json:"annotations"`
	StartsAt     alertjson.Text            `json:"startsAt"`
	EndsAt       alertjson.Text            `json:"endsAt"`
	GeneratorURL alertjson.Text            `json:"generatorURL"`
	Fingerprint  alertjson.Text            `json:"fingerprint"`
	Receivers    []json.RawMessage         `json:"receivers"`
	// Grafana unified alerting adds these.
	SilenceURL   alertjson.Text  `json:"silenceURL"`
	DashboardURL alertjson.Text  `json:"dashboardURL"`
	PanelURL     alertjson.Text  `json:"panelURL"`
	Values       json.RawMessage `json:"values"`
	ValueString  alertjson.Text  `json:"valueString"`
}

type apiStatus struct {
	State       alertjson.Text   `json:"state"`
	SilencedBy  []alertjson.Text `json:"silencedBy"`
	InhibitedBy []alertjson.Text `json:"inhibitedBy"`
	MutedBy     []alertjson.Text `json:"mutedBy"`
}

// Result is what one record gave: events and the alerts that could not be read.
type Result struct {
	Alerts   []importers.Alert
	Problems []*alertjson.FieldError
}

func (r *Result) add(a importers.Alert, p *alertjson.FieldError) {
	if p != nil {
		r.Problems = append(r.Problems, p)
		return
	}
	r.Alerts = append(r.Alerts, a)
}

// Record reads one JSON record in any of the shapes the package knows:
// a notification or alert group (an object with "alerts"), a v1 API answer
// ({"status":"success","data":[…]}), or a single alert (an object with
// "labels" and "startsAt"). ok is false when the record is none of them.
// prefix names the record in field paths ("" at the top).
func Record(raw json.RawMessage, prefix string, c Config) (res Result, ok bool) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return res, false
	}
	switch {
	case keys["alerts"] != nil:
		var p Payload
		if err := alertjson.Decode(raw, &p); err != nil {
			res.Problems = append(res.Problems, alertjson.DecodeError(prefix, err))
			return res, true
		}
		return Convert(&p, prefix, c), true
	case keys["data"] != nil && string(keys["status"]) == `"success"`:
		var items []json.RawMessage
		if err := json.Unmarshal(keys["data"], &items); err != nil {
			res.Problems = append(res.Problems, &alertjson.FieldError{Field: alertjson.Join(prefix, "data"), Reason: "is not an array"})
			return res, true
		}
		for i, it := range items {
			field := alertjson.Join(prefix, "data["+strconv.Itoa(i)+"]")
			sub, ok := Record(it, field, c)
			if !ok {
				sub.Problems = []*alertjson.FieldError{{Field: field, Reason: "is neither an alert nor an alert group"}}
			}
			res.Alerts = append(res.Alerts, sub.Alerts...)
			res.Problems = append(res.Problems, sub.Problems...)
		}
		return res, true
	case keys["labels"] != nil && (keys["startsAt"] != nil || keys["fingerprint"] != nil):
		res.add(Alert(raw, nil, prefix, c))
		return res, true
	}
	return res, false
}

// Convert reads every alert of a notification.
func Convert(p *Payload, prefix string, c Config) Result {
	var res Result
	for i, raw := range p.Alerts {
		res.add(Alert(raw, p, alertjson.Join(prefix, "alerts["+strconv.Itoa(i)+"]"), c))
	}
	return res
}

// Alert reads one alert; group is its notification, nil for an alert on
// its own. field names the alert in errors ("alerts[2]").
func Alert(raw json.RawMessage, group *Payload, field string, c Config) (importers.Alert, *alertjson.FieldError) {
	if group == nil {
		group = &Payload{}
	}
	var a alert
	if err := alertjson.Decode(raw, &a); err != nil {
		return importers.Alert{}, alertjson.DecodeError(field, err)
	}
	f := func(name string) string { return alertjson.Join(field, name) }
	bad := func(name, reason string) (importers.Alert, *alertjson.FieldError) {
		return importers.Alert{}, &alertjson.FieldError{Field: f(name), Reason: reason}
	}
	labels := alertjson.Strings(a.Labels)
	ann := alertjson.Strings(a.Annotations)

	word, api, err := readStatus(a.Status)
	if err != nil {
		return bad("status", err.Error())
	}
	starts, startsText, startsSet, err := readTime(a.StartsAt, c.Location)
	if err != nil {
		return bad("startsAt", err.Error())
	}
	if !startsSet {
		return bad("startsAt", "is missing or zero")
	}
	ends, endsText, endsSet, err := readTime(a.EndsAt, c.Location)
	if err != nil {
		return bad("endsAt", err.Error())
	}
	if word == "" {
		word = deriveStatus(ends, endsSet, strings.TrimSpace(string(a.EndsAt)) != "", group, c)
	}
	sub := Subtype(word)

	key := a.Fingerprint.String()
	alertID := key
	if key == "" {
		if len(labels) == 0 {
			return bad("labels", "is empty and there is no fingerprint to tell the alert by")
		}
		key = importers.StableID(append([]string{"labels"}, sortedLabels(labels)...)...)
		alertID = key
	}

	out := importers.Alert{
		Subtype: sub, EventType: word, AlertID: alertID, Status: word,
		At: starts, AtText: startsText, Actor: c.Tool,
	}
	idWord := word
	switch sub {
	case importers.SubtypeTrigger:
		idWord = "firing"
	case importers.SubtypeResolve:
		idWord = "resolved"
	case importers.SubtypeSuppress:
		idWord = "suppressed"
	}
	startsKey := starts.UTC().Format(time.RFC3339Nano)
	out.ID = importers.StableID(key, idWord, startsKey)
	if sub == importers.SubtypeResolve {
		switch {
		case endsSet:
			out.At, out.AtText = ends, endsText
			out.ID = importers.StableID(key, idWord, startsKey, ends.UTC().Format(time.RFC3339Nano))
		case c.Delivery != nil:
			out.At, out.AtText = importers.DeliveryTime(*c.Delivery)
			out.ID = importers.StableID(key, idWord, startsKey, "")
		default:
			return bad("endsAt", "is missing or zero on a resolved alert, so the resolve has no time")
		}
	}

	out.Title = alertjson.Plain(alertjson.FirstOf(alertjson.First(ann, "summary", "title"), labels["alertname"]))
	out.Details = details(ann, &a)
	// An alert without labels or annotations (Grafana's test message) is
	// told by its group's title and message (Grafana unified alerting).
	if out.Title == "" && group != nil {
		out.Title = alertjson.Plain(group.Title.String())
	}
	if out.Details == "" && group != nil {
		out.Details = alertjson.Plain(group.Message.String())
	}
	out.Service = alertjson.First(labels, "service", "job", "app")
	out.Host = alertjson.First(labels, "instance", "host", "node", "hostname")
	out.Component = alertjson.First(labels, "component")
	out.Severity = alertjson.First(labels, "severity", "priority")
	out.Link = alertjson.FirstOf(alertjson.Link(a.GeneratorURL.String()), alertjson.Link(a.PanelURL.String()),
		alertjson.Link(a.DashboardURL.String()), alertjson.Link(group.ExternalURL.String()))
	out.IncidentRef = alertjson.IncidentRef(labels, ann)
	out.Extra = extra(labels, ann, &a, group, api)
	return out, nil
}

// readStatus reads a webhook's status word or the API's status object.
func readStatus(raw json.RawMessage) (word string, api *apiStatus, err error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return "", nil, nil
	}
	if s[0] == '{' {
		var st apiStatus
		if err := alertjson.Decode(raw, &st); err != nil {
			return "", nil, fmt.Errorf("is not a status object: %v", err)
		}
		return strings.ToLower(st.State.String()), &st, nil
	}
	var t alertjson.Text
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", nil, err
	}
	return strings.ToLower(t.String()), nil, nil
}

// readTime parses an Alertmanager time; set is false for an absent or
// zero time (a zero endsAt means "still firing").
func readTime(t alertjson.Text, loc *time.Location) (at time.Time, text string, set bool, err error) {
	text = t.String()
	if text == "" || strings.HasPrefix(text, "0001-01-01") {
		return time.Time{}, text, false, nil
	}
	at, err = importers.ParseTime(text, loc)
	if err != nil {
		return time.Time{}, text, false, err
	}
	if at.IsZero() || at.Year() <= 1 {
		return time.Time{}, text, false, nil
	}
	return at, text, true, nil
}

// deriveStatus decides the status of an alert that carries none.
func deriveStatus(ends time.Time, endsSet, endsGiven bool, group *Payload, c Config) string {
	groupWord := strings.ToLower(alertjson.FirstOf(group.Status.String(), group.State.String()))
	switch Subtype(groupWord) {
	case importers.SubtypeTrigger:
		groupWord = "firing"
	case importers.SubtypeResolve:
		groupWord = "resolved"
	default:
		groupWord = ""
	}
	switch {
	case !endsGiven:
		return alertjson.FirstOf(groupWord, "firing")
	case !endsSet:
		return "firing"
	case c.Delivery != nil:
		ref, _ := importers.DeliveryTime(*c.Delivery)
		if ends.After(ref) {
			return "firing"
		}
		return "resolved"
	}
	return alertjson.FirstOf(groupWord, "resolved")
}

// Subtype maps an Alertmanager, Grafana or API status word onto an alert
// subtype; words it does not know give SubtypeOther.
func Subtype(word string) string {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "firing", "alerting", "active", "unprocessed", "alert":
		return importers.SubtypeTrigger
	case "resolved", "ok", "normal":
		return importers.SubtypeResolve
	case "no_data", "nodata":
		return importers.SubtypeUpdate
	case "paused", "suppressed", "silenced", "inhibited":
		return importers.SubtypeSuppress
	}
	return importers.SubtypeOther
}

func sortedLabels(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// details is the description, the runbook and Grafana's values.
func details(ann map[string]string, a *alert) string {
	var parts []string
	if d := alertjson.First(ann, "description", "message"); d != "" {
		parts = append(parts, d)
	}
	if r := alertjson.First(ann, "runbook_url", "runbook"); r != "" {
		parts = append(parts, "Runbook: "+r)
	}
	if v := values(a.Values); v != "" {
		parts = append(parts, "Values: "+v)
	} else if vs := a.ValueString.String(); vs != "" {
		parts = append(parts, "Values: "+vs)
	}
	return alertjson.Plain(strings.Join(parts, "\n\n"))
}

// values renders Grafana's {"B": 44.2, "C": 1} as "B=44.2, C=1".
func values(raw json.RawMessage) string {
	m := valueMap(raw)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+fmt.Sprint(m[k]))
	}
	return strings.Join(parts, ", ")
}

func valueMap(raw json.RawMessage) map[string]any {
	var m map[string]any
	if len(raw) == 0 || alertjson.Decode(raw, &m) != nil {
		return nil
	}
	return m
}

// extra keeps the labels and the payload's other useful fields.
func extra(labels, ann map[string]string, a *alert, group *Payload, api *apiStatus) map[string]any {
	x := map[string]any{}
	if len(labels) > 0 {
		x["labels"] = labels
	}
	if len(ann) > 0 {
		x["annotations"] = ann
	}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			x[k] = v
		}
	}
	set("receiver", nameOf(group.Receiver))
	set("group_key", group.GroupKey.String())
	set("external_url", alertjson.Link(group.ExternalURL.String()))
	set("generator_url", alertjson.Link(a.GeneratorURL.String()))
	set("fingerprint", a.Fingerprint.String())
	set("runbook_url", alertjson.Link(alertjson.First(ann, "runbook_url", "runbook")))
	if n, err := strconv.Atoi(group.TruncatedAlerts.String()); err == nil && n > 0 {
		x["truncated_alerts"] = n
	}
	// Grafana
	set("org_id", group.OrgID.String())
	set("silence_url", alertjson.Link(a.SilenceURL.String()))
	set("dashboard_url", alertjson.Link(a.DashboardURL.String()))
	set("panel_url", alertjson.Link(a.PanelURL.String()))
	set("value_string", a.ValueString.String())
	if m := valueMap(a.Values); len(m) > 0 {
		x["values"] = m
	}
	// API
	var receivers []string
	for _, r := range a.Receivers {
		if n := nameOf(r); n != "" {
			receivers = append(receivers, n)
		}
	}
	if len(receivers) > 0 {
		x["receivers"] = receivers
	}
	if api != nil {
		for k, ids := range map[string][]alertjson.Text{"silenced_by": api.SilencedBy, "inhibited_by": api.InhibitedBy, "muted_by": api.MutedBy} {
			var s []string
			for _, id := range ids {
				if id.String() != "" {
					s = append(s, id.String())
				}
			}
			if len(s) > 0 {
				x[k] = s
			}
		}
	}
	return x
}

// nameOf reads a receiver given as "name" or {"name": "name"}.
func nameOf(raw json.RawMessage) string {
	var obj struct {
		Name alertjson.Text `json:"name"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Name != "" {
		return obj.Name.String()
	}
	var t alertjson.Text
	if json.Unmarshal(raw, &t) == nil && !strings.HasPrefix(t.String(), "{") {
		return t.String()
	}
	return ""
}
