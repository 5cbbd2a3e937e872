package pagerduty

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// ref is a PagerDuty reference object ({id, type, summary, html_url});
// v2 webhooks name services with "name".
type ref struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
	Name    string `json:"name"`
	HTMLURL string `json:"html_url"`
}

func (r *ref) label() string {
	if r == nil {
		return ""
	}
	if s := strings.TrimSpace(r.Summary); s != "" {
		return s
	}
	return strings.TrimSpace(r.Name)
}

// customField is one incident custom field value.
type customField struct {
	Name        string          `json:"name"`
	DisplayName string          `json:"display_name"`
	Value       json.RawMessage `json:"value"`
}

// incidentObj is an incident as webhooks v3 and v2 and the REST API
// (log entries with include[]=incidents) give it; a reference carries only
// id, summary and html_url.
type incidentObj struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Summary        string          `json:"summary"`
	HTMLURL        string          `json:"html_url"`
	Number         json.RawMessage `json:"number"`
	IncidentNumber json.RawMessage `json:"incident_number"`
	Title          string          `json:"title"`
	Description    string          `json:"description"`
	Status         string          `json:"status"`
	Urgency        string          `json:"urgency"`
	IncidentKey    json.RawMessage `json:"incident_key"`
	Priority       *ref            `json:"priority"`
	Service        *ref            `json:"service"`
	Assignees      []ref           `json:"assignees"`
	Assignments    []struct {
		Assignee ref `json:"assignee"`
	} `json:"assignments"`
	EscalationPolicy *ref            `json:"escalation_policy"`
	Teams            []ref           `json:"teams"`
	ResolveReason    json.RawMessage `json:"resolve_reason"`
	Body             *struct {
		Details    json.RawMessage `json:"details"`
		CEFDetails json.RawMessage `json:"cef_details"`
	} `json:"body"`
	CustomFields       []customField `json:"custom_fields"`
	LastStatusChangeBy *ref          `json:"last_status_change_by"`
}

// base fills what an alert event knows from its incident: id, title,
// service, severity, status, link, the incident ref and extra fields.
func (inc *incidentObj) base() importers.Alert {
	a := importers.Alert{Extra: map[string]any{}}
	if inc == nil {
		return a
	}
	a.AlertID = strings.TrimSpace(inc.ID)
	a.Title = firstOf(inc.Title, inc.Description, inc.Summary)
	a.Service = inc.Service.label()
	a.Status = strings.TrimSpace(inc.Status)
	a.Link = inc.HTMLURL
	if inc.Priority != nil {
		a.Severity = inc.Priority.label()
		if a.Severity != "" {
			a.Extra["priority"] = a.Severity
		}
	}
	if u := strings.TrimSpace(inc.Urgency); u != "" {
		a.Extra["urgency"] = u
		if a.Severity == "" {
			a.Severity = u + " urgency"
		}
	}
	if n := firstOf(alertjson.Scalar(inc.Number), alertjson.Scalar(inc.IncidentNumber)); n != "" {
		a.Extra["incident_number"] = n
	}
	if k := alertjson.Scalar(inc.IncidentKey); k != "" {
		a.Extra["incident_key"] = k
	}
	if ep := inc.EscalationPolicy.label(); ep != "" {
		a.Extra["escalation_policy"] = ep
	}
	if names := labels(inc.assignees()); len(names) > 0 {
		a.Extra["assignees"] = names
	}
	if names := labels(inc.Teams); len(names) > 0 {
		a.Extra["teams"] = names
	}
	a.IncidentRef = fieldsRef(inc.CustomFields)
	if a.IncidentRef == "" && inc.Body != nil {
		a.IncidentRef = firstOf(detailsRef(inc.Body.Details), cefRef(inc.Body.CEFDetails))
	}
	return a
}

func (inc *incidentObj) assignees() []ref {
	if inc == nil {
		return nil
	}
	out := append([]ref(nil), inc.Assignees...)
	for _, as := range inc.Assignments {
		out = append(out, as.Assignee)
	}
	return out
}

func labels(rs []ref) []string {
	var out []string
	seen := map[string]bool{}
	for i := range rs {
		if l := rs[i].label(); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// refKeys are the detail and custom field names that name a Hindsight
// incident for routing.
func isRefKey(k string) bool {
	k = strings.ToLower(strings.TrimSpace(k))
	return k == "incident" || k == "hindsight_incident"
}

// detailsRef reads the incident ref from custom details: a JSON object
// with an "incident" or "hindsight_incident" key whose value is a string
// or number.
func detailsRef(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // "hindsight_incident" before "incident", every time
	for _, k := range keys {
		if isRefKey(k) {
			if v := alertjson.Scalar(m[k]); v != "" {
				return v
			}
		}
	}
	return ""
}

// cefRef reads the ref from an alert body's cef_details.details.
func cefRef(raw json.RawMessage) string {
	var cef struct {
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(raw, &cef) != nil {
		return ""
	}
	return detailsRef(cef.Details)
}

func fieldsRef(fs []customField) string {
	for _, f := range fs {
		if isRefKey(f.Name) || isRefKey(f.DisplayName) {
			if v := alertjson.Scalar(f.Value); v != "" {
				return v
			}
		}
	}
	return ""
}

// detailsText renders custom details for an event body: a string as it
// is, an object as "key: value" lines in key order.
func detailsText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '"' {
		return text(alertjson.Scalar(raw))
	}
	if raw[0] != '{' {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i == 50 {
			fmt.Fprintf(&b, "… and %d more\n", len(keys)-i)
			break
		}
		v := alertjson.Scalar(m[k])
		if v == "" {
			v = strings.TrimSpace(string(m[k]))
			if v == "null" || v == "" {
				continue
			}
		}
		if len(v) > 500 {
			v = v[:500] + "…"
		}
		fmt.Fprintf(&b, "%s: %s\n", k, v)
	}
	return strings.TrimSpace(text(b.String()))
}

var tagRe = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)

// text turns vendor HTML into markdown; plain text stays as it is.
func text(s string) string {
	if tagRe.MatchString(s) {
		return chatmarkup.Markdown(s)
	}
	return s
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// lines joins the non-empty parts with newlines, skipping repeats.
func lines(parts ...string) string {
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}
