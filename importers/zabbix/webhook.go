package zabbix

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// webhook turns one webhook payload into one event.
func (p *parser) webhook(o alertjson.Object, line int, prefix string) error {
	a, fe := p.webhookAlert(newPayload(o, p.m))
	if fe != nil {
		return p.fail(line, prefix, fe)
	}
	return p.sink.Event(a.Event(Source))
}

// kinds of webhook notifications, by Zabbix's operation type.
const (
	kindProblem  = "problem"
	kindRecovery = "recovery"
	kindUpdate   = "update"
	kindOther    = "other"
)

func (p *parser) webhookAlert(pl payload) (importers.Alert, *fieldError) {
	var a importers.Alert
	id := pl.str("id")
	title := clean(pl.str("title"))
	if id == "" && title == "" {
		_, k := pl.get("id")
		return a, &fieldError{field: k, reason: "is missing: a payload needs an event id (event_id) or an event name (event_name); for other key names create the hook with a mapping (hindsight hook create zabbix --map id=… --map title=…)"}
	}
	kind, subtype, eventType := classify(pl)
	a.Subtype, a.EventType = subtype, eventType
	a.Title = title
	a.Host = pl.str("host")
	a.Severity = severityName(pl.str("_nseverity"), pl.str("severity"))
	a.Status = statusWord(pl, kind)

	tags, fe := webhookTags(pl)
	if fe != nil {
		return a, fe
	}
	a.Service = firstNonEmpty(pl.str("service"), tagValue(tags, "service", "component", "application"), firstGroup(pl.str("_host_group")))
	a.Component = tagValue(tags, "component")
	a.IncidentRef = firstNonEmpty(pl.str("incident"), incidentTag(tags))

	updAction, updMessage := pl.str("update_action"), clean(pl.str("update_message"))
	switch kind {
	case kindUpdate:
		a.Details = updMessage
		a.Actor = firstNonEmpty(pl.str("actor"), "Zabbix user")
	default:
		a.Details = firstNonEmpty(clean(pl.str("details")), clean(pl.str("_description")))
		a.Actor = "Zabbix"
	}

	at, atText, fe := p.webhookTime(pl, kind)
	if fe != nil {
		return a, fe
	}
	a.At, a.AtText = at, atText

	if id != "" {
		a.AlertID = id
	} else {
		a.AlertID = importers.StableID(Source, "alert", a.Host, title, pl.str("date"), pl.str("time"))
	}
	switch kind {
	case kindProblem, kindRecovery:
		a.ID = problemID(a.AlertID, kind)
	case kindUpdate:
		a.ID = importers.StableID(Source, a.AlertID, kindUpdate, pl.str("_udate"), pl.str("_utime"), pl.str("_uclock"), updAction, updMessage, importers.IDTime(atText))
	default:
		a.ID = importers.StableID(Source, a.AlertID, kindOther, eventType, importers.IDTime(atText))
	}

	a.Link = pl.str("link")
	if a.Link == "" {
		a.Link = eventLink(pl.str("_url"), pl.str("_trigger_id"), id)
	}
	extra := map[string]any{}
	if len(tags) > 0 {
		extra["tags"] = tagStrings(tags)
	}
	for field, key := range map[string]string{"_host_ip": "host_ip", "_trigger_id": "trigger_id", "_recovery_id": "recovery_event_id"} {
		if v := pl.str(field); v != "" {
			extra[key] = v
		}
	}
	if kind == kindUpdate && updAction != "" {
		extra["update_action"] = updAction
	}
	if len(extra) > 0 {
		a.Extra = extra
	}
	return a, nil
}

// problemID is the ExternalID of a problem's start or recovery: the same
// from a webhook and from the API.
func problemID(problemEventID, kind string) string {
	return importers.StableID(Source, problemEventID, kind)
}

// classify tells what the notification reports: Zabbix's operation type
// (problem, recovery, update) from event_update_status, event_value or
// event_status, and the subtype (updates by their action text).
func classify(pl payload) (kind, subtype, eventType string) {
	status := strings.ToUpper(pl.str("status"))
	value := pl.str("_value")
	switch pl.str("_source") {
	case "1":
		return kindOther, importers.SubtypeOther, "discovery"
	case "2":
		return kindOther, importers.SubtypeOther, "autoregistration"
	}
	if pl.str("_update_status") == "1" || status == "UPDATE" || status == "UPDATED" {
		return kindUpdate, updateSubtype(pl.str("update_action"), pl.str("update_message")), "UPDATE"
	}
	switch {
	case value == "0" || status == "RESOLVED" || status == "OK" || status == "RECOVERY" || status == "RECOVERED" || status == "0":
		return kindRecovery, importers.SubtypeResolve, "RESOLVED"
	case value == "1" || status == "PROBLEM" || status == "1":
		return kindProblem, importers.SubtypeTrigger, "PROBLEM"
	case status != "":
		return kindOther, importers.SubtypeOther, status
	}
	return kindOther, importers.SubtypeOther, "unknown"
}

// updateSubtype reads {EVENT.UPDATE.ACTION}: "acknowledged", "commented",
// "changed severity from Average to High", "closed", "suppressed" … or
// several joined ("acknowledged, commented"). The strongest one names the
// event; the message is its details.
func updateSubtype(action, message string) string {
	a := strings.ToLower(action)
	switch {
	case strings.Contains(a, "closed"):
		return importers.SubtypeResolve
	case strings.Contains(a, "unacknowledged"):
		return importers.SubtypeUnack
	case strings.Contains(a, "acknowledged"):
		return importers.SubtypeAcknowledge
	case strings.Contains(a, "unsuppressed"):
		return importers.SubtypeUpdate
	case strings.Contains(a, "suppressed"):
		return importers.SubtypeSuppress
	case strings.Contains(a, "severity"), strings.Contains(a, "ranked"):
		return importers.SubtypeUpdate
	case strings.Contains(a, "commented"), message != "":
		return importers.SubtypeNote
	}
	return importers.SubtypeUpdate
}

// statusWord is the problem's state after the event.
func statusWord(pl payload, kind string) string {
	switch kind {
	case kindProblem:
		return "PROBLEM"
	case kindRecovery:
		return "RESOLVED"
	}
	return strings.ToUpper(pl.str("status"))
}

// webhookTime reads the event's time: the mapped clock/date/time when
// mapped, else the Unix time or local date and time of the operation
// (problem start, recovery, update).
func (p *parser) webhookTime(pl payload, kind string) (time.Time, string, *fieldError) {
	loc := p.loc
	if z, zk := pl.get("zone"); z != "" {
		l, err := zone(z)
		if err != nil {
			return time.Time{}, "", &fieldError{field: zk, reason: err.Error()}
		}
		loc = l
	}
	mapped := false
	for _, f := range []string{"clock", "date", "time"} {
		if _, ok := pl.m.user[f]; ok {
			mapped = true
		}
	}
	clockF, dateF, timeF := "clock", "date", "time"
	if !mapped {
		switch kind {
		case kindRecovery:
			clockF, dateF, timeF = "_rclock", "_rdate", "_rtime"
		case kindUpdate:
			clockF, dateF, timeF = "_uclock", "_udate", "_utime"
		}
	}
	if c, ck := pl.get(clockF); c != "" {
		t, err := importers.ParseTime(c, time.UTC)
		if err != nil {
			return time.Time{}, "", &fieldError{field: ck, reason: err.Error()}
		}
		return t, c, nil
	}
	d, dk := pl.get(dateF)
	tm, tk := pl.get(timeF)
	if d != "" || tm != "" {
		s := strings.TrimSpace(d + " " + tm)
		key := dk
		if d == "" {
			key = tk
		}
		t, err := p.localTime(s, loc)
		if err != nil {
			return time.Time{}, "", &fieldError{field: key, reason: err.Error()}
		}
		return t, s, nil
	}
	if p.hook {
		t, txt := p.deliveryTime()
		return t, txt, nil
	}
	_, key := pl.get(dateF)
	return time.Time{}, "", &fieldError{field: key, reason: "is missing: the event has no time (" + key + " and " + defaultName(timeF) + ", or " + defaultName(clockF) + ")"}
}

// localTime reads a date and time written without a zone, in the mapped
// time_format when there is one.
func (p *parser) localTime(s string, loc *time.Location) (time.Time, error) {
	if p.m.layout != "" {
		t, err := time.ParseInLocation(p.m.layout, s, loc)
		if err != nil {
			return time.Time{}, errors.New("timestamp " + s + " does not match time_format " + p.m.layout)
		}
		return t.UTC(), nil
	}
	return importers.ParseTime(s, loc)
}

// zone reads an IANA zone name or a UTC offset ("+02:00", "-0500").
func zone(s string) (*time.Location, error) {
	if l, err := time.LoadLocation(s); err == nil {
		return l, nil
	}
	for _, layout := range []string{"-07:00", "-0700", "-07"} {
		if t, err := time.Parse(layout, s); err == nil {
			_, off := t.Zone()
			return time.FixedZone(s, off), nil
		}
	}
	return nil, errors.New("zone " + s + " is neither an IANA zone (Europe/Berlin) nor an offset (+02:00)")
}

// tag is one Zabbix event tag.
type tag struct {
	Tag   string `json:"tag"`
	Value string `json:"value"`
}

// webhookTags reads {EVENT.TAGSJSON} (a JSON string, or an array when the
// script passes it parsed), else {EVENT.TAGS} ("service:checkout, env:prod").
func webhookTags(pl payload) ([]tag, *fieldError) {
	k, raw := pl.lookup("_tags_json")
	switch x := raw.(type) {
	case []any:
		return tagsOf(x), nil
	case string:
		if s := macroFree(x); s != "" {
			var tags []tag
			if err := json.Unmarshal([]byte(s), &tags); err != nil {
				return nil, &fieldError{field: k, reason: "is not a JSON list of {\"tag\",\"value\"}: " + err.Error()}
			}
			return tags, nil
		}
	}
	k, raw = pl.lookup("_tags")
	if l, ok := raw.([]any); ok {
		return tagsOf(l), nil
	}
	s := macroFree(alertjson.ValueText(raw))
	if s == "" {
		return nil, nil
	}
	// Zabbix's own media templates fill event_tags with {EVENT.TAGSJSON}.
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		var tags []tag
		if err := json.Unmarshal([]byte(s), &tags); err != nil {
			return nil, &fieldError{field: k, reason: "looks like a JSON list but is not one of {\"tag\",\"value\"}: " + err.Error()}
		}
		return tags, nil
	}
	var tags []tag
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, _ := strings.Cut(part, ":")
		tags = append(tags, tag{Tag: strings.TrimSpace(name), Value: strings.TrimSpace(val)})
	}
	return tags, nil
}

// tagsOf reads a list of {"tag","value"} objects; other entries are skipped.
func tagsOf(l []any) []tag {
	var out []tag
	for _, el := range l {
		o, ok := alertjson.AsObject(el)
		if !ok {
			continue
		}
		if t := o.Str("tag"); t != "" {
			out = append(out, tag{Tag: t, Value: o.Str("value")})
		}
	}
	return out
}

// tagValue is the value of the first of names present among tags.
func tagValue(tags []tag, names ...string) string {
	for _, n := range names {
		for _, t := range tags {
			if strings.EqualFold(t.Tag, n) && strings.TrimSpace(t.Value) != "" {
				return strings.TrimSpace(t.Value)
			}
		}
	}
	return ""
}

// incidentTag reads a Hindsight incident named by a tag: incident=INC-7,
// hindsight_incident=INC-7, hindsight=INC-7 or a bare "hindsight:INC-7".
func incidentTag(tags []tag) string {
	if v := tagValue(tags, "hindsight_incident", "incident", "hindsight"); v != "" {
		return v
	}
	for _, t := range tags {
		if rest, ok := strings.CutPrefix(strings.ToLower(t.Tag), "hindsight:"); ok && rest != "" {
			return strings.TrimSpace(t.Tag[len("hindsight:"):])
		}
	}
	return ""
}

func tagStrings(tags []tag) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t.Value == "" {
			out = append(out, t.Tag)
		} else {
			out = append(out, t.Tag+":"+t.Value)
		}
	}
	return out
}

// firstGroup is the first of {TRIGGER.HOSTGROUP.NAME}'s comma-separated groups.
func firstGroup(s string) string {
	g, _, _ := strings.Cut(s, ",")
	return strings.TrimSpace(g)
}

// severityName turns Zabbix's severity number (0–5) into its name, which
// importers.NormalizeSeverity maps (the numbers mean other things to other
// tools); a name is kept as given.
func severityName(n, name string) string {
	names := []string{"Not classified", "Information", "Warning", "Average", "High", "Disaster"}
	if len(n) == 1 && n[0] >= '0' && n[0] <= '5' {
		if name == "" || name == n {
			return names[n[0]-'0']
		}
	}
	if len(name) == 1 && name[0] >= '0' && name[0] <= '5' {
		return names[name[0]-'0']
	}
	return name
}

// eventLink is the problem's page in the Zabbix frontend.
func eventLink(base, triggerID, eventID string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	base = strings.TrimSuffix(base, "/api_jsonrpc.php")
	if triggerID == "" || eventID == "" || !(strings.HasPrefix(base, "https://") || strings.HasPrefix(base, "http://")) {
		return ""
	}
	return base + "/tr_events.php?triggerid=" + url.QueryEscape(triggerID) + "&eventid=" + url.QueryEscape(eventID)
}

// clean keeps HTML out of text: tags are turned into markdown.
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
