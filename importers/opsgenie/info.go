package opsgenie

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// DefaultAppURL is OpsGenie's web app; alert links point into it.
const DefaultAppURL = "https://app.opsgenie.com"

// info is what webhooks and the API both say about an alert.
type info struct {
	id, tinyID, alias, message, entity, source, priority string
	description                                          string
	tags                                                 []string
	details                                              map[string]string
	integration                                          string
}

// alert fills the alert event fields every event of the alert shares.
func (in info) alert(appURL string) importers.Alert {
	a := importers.Alert{AlertID: in.id, Title: in.message, Severity: in.priority, Extra: map[string]any{}}
	if strings.TrimSpace(a.Title) == "" && in.id != "" {
		// Escalate payloads carry no message: name the alert.
		a.Title = "OpsGenie alert " + in.id
		if in.tinyID != "" {
			a.Title = "OpsGenie alert #" + in.tinyID
		}
	}
	a.Service = firstOf(in.detail("service"), tagValue(in.tags, "service"), in.entity)
	a.Host = firstOf(in.detail("host"), in.detail("hostname"), in.entity)
	a.IncidentRef = firstOf(in.detail("hindsight_incident"), in.detail("incident"),
		tagValue(in.tags, "hindsight"), tagValue(in.tags, "hindsight_incident"), tagValue(in.tags, "incident"))
	if in.id != "" {
		if appURL == "" {
			appURL = DefaultAppURL
		}
		a.Link = strings.TrimRight(appURL, "/") + "/alert/detail/" + url.PathEscape(in.id) + "/details"
	}
	set := func(k, v string) {
		if v != "" {
			a.Extra[k] = v
		}
	}
	set("tiny_id", in.tinyID)
	set("alias", in.alias)
	set("entity", in.entity)
	set("alert_source", in.source)
	set("priority", in.priority)
	set("integration", in.integration)
	if len(in.tags) > 0 {
		a.Extra["tags"] = in.tags
	}
	return a
}

// detail reads a detail (custom property) by name, in any case.
func (in info) detail(name string) string {
	for k, v := range in.details {
		if strings.EqualFold(strings.TrimSpace(k), name) {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}

// tagValue reads "name:value" or "name=value" from the tags.
func tagValue(tags []string, name string) string {
	for _, t := range tags {
		for _, sep := range []string{":", "="} {
			k, v, ok := strings.Cut(t, sep)
			if ok && strings.EqualFold(strings.TrimSpace(k), name) && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}

// priorityOf reads "P1" … "P5"; some senders give the bare number.
func priorityOf(raw json.RawMessage) string {
	p := alertjson.Scalar(raw)
	if len(p) == 1 && p[0] >= '1' && p[0] <= '5' {
		return "P" + p
	}
	return p
}

// listOf reads a list of strings, or a comma-separated string.
func listOf(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	var out []string
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			for _, it := range items {
				if s := alertjson.Scalar(it); s != "" {
					out = append(out, s)
				}
			}
		}
		return out
	}
	for _, s := range strings.Split(alertjson.Scalar(raw), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mapOf reads details: an object of strings (numbers and bools as text).
func mapOf(raw json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = alertjson.Scalar(v)
	}
	return out
}

// detailsText renders details as "key: value" lines in key order.
func detailsText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if strings.TrimSpace(m[k]) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i == 50 {
			b.WriteString("…\n")
			break
		}
		v := m[k]
		if len(v) > 500 {
			v = v[:500] + "…"
		}
		b.WriteString(k + ": " + v + "\n")
	}
	return strings.TrimSpace(b.String())
}

var tagRe = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)

// text turns HTML (some integrations put it in descriptions) into
// markdown; plain text stays as it is.
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

// lines joins the non-empty parts with newlines.
func lines(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}
