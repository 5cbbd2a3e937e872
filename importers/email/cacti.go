package email

import (
	"regexp"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

var (
	// thold's subject prefixes: "ALERT:", "WARNING:", "NORMAL:",
	// "TRIGGER:", "ALERT -> WARNING:"; thold before 1.0 wrote none.
	cactiPrefixRe = regexp.MustCompile(`(?i)^(ALERT\s*->\s*WARNING|ALERT|WARNING|NORMAL|TRIGGER|RESTORAL)\s*:\s*(.+)$`)
	// "<threshold name> [<data source>] went above threshold of 100 with 250".
	cactiRestRe = regexp.MustCompile(`(?i)^(.*?)(?:\s+\[([^\[\]]+)\])?\s+(is still (?:above|below)|went (?:above|below)|restored to normal|changed to warning)\b(.*)$`)
	// "Host: web01 (10.0.0.5)" or "Device: …" in thold's body.
	cactiHostRe = regexp.MustCompile(`(?im)^\s*(?:Host|Device)\s*:\s*(.+?)(?:\s+\(([^()]*)\))?\s*$`)
	cactiURLRe  = regexp.MustCompile(`(?im)^\s*URL\s*:\s*(https?://\S+)`)
	anyURLRe    = regexp.MustCompile(`https?://[^\s<>()"]+`)
)

// cacti reads the thold plugin's threshold and baseline mails.
func cacti(m *mailContext) (mailAlert, bool) {
	subj := m.msg.Subject
	prefix, rest := "", subj
	if p := cactiPrefixRe.FindStringSubmatch(subj); p != nil {
		prefix, rest = strings.ToUpper(strings.Join(strings.Fields(p[1]), " ")), p[2]
	}
	r := cactiRestRe.FindStringSubmatch(rest)
	lower := strings.ToLower(rest)
	if r == nil || !(strings.Contains(lower, "threshold") || strings.Contains(lower, "baseline")) {
		return mailAlert{}, false
	}
	name, ds, phrase := strings.TrimSpace(r[1]), strings.TrimSpace(r[2]), strings.ToLower(r[3])
	a := mailAlert{source: "cacti"}
	a.EventType = firstNonEmpty(prefix, "threshold")
	switch {
	case prefix == "NORMAL" || prefix == "RESTORAL" || strings.HasPrefix(phrase, "restored"):
		a.Subtype, a.Severity, a.Status = importers.SubtypeResolve, "ok", "NORMAL"
	case prefix == "ALERT -> WARNING" || strings.HasPrefix(phrase, "changed"):
		a.Subtype, a.Severity, a.Status = importers.SubtypeUpdate, "warning", "WARNING"
	case strings.HasPrefix(phrase, "is still"):
		a.Subtype = importers.SubtypeUpdate // thold's repeat alert
	default:
		a.Subtype = importers.SubtypeTrigger
	}
	if a.Severity == "" {
		a.Severity, a.Status = "alert", "ALERT"
		if prefix == "WARNING" {
			a.Severity, a.Status = "warning", "WARNING"
		}
	}
	host, service := name, ""
	if h, s, ok := strings.Cut(name, " - "); ok {
		host, service = strings.TrimSpace(h), strings.TrimSpace(s)
	}
	a.Extra = map[string]any{}
	if hm := cactiHostRe.FindStringSubmatch(m.msg.Text); hm != nil {
		host = strings.TrimSpace(hm[1])
		if hm[2] != "" {
			a.Extra["address"] = strings.TrimSpace(hm[2])
		}
		if service == "" || !strings.HasPrefix(name, host) {
			service = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(name, host), " - "))
		}
	}
	a.Host, a.Service, a.Component = host, service, ds
	a.AlertID = name
	if ds != "" {
		a.AlertID += " [" + ds + "]"
	}
	a.Title = rest
	a.Details = m.msg.Text
	a.Actor = "Cacti"
	if u := cactiURLRe.FindStringSubmatch(m.msg.Text); u != nil {
		a.Link = u[1]
	} else {
		for _, u := range anyURLRe.FindAllString(m.msg.Text, -1) {
			if strings.Contains(u, "graph") || strings.Contains(u, "cacti") {
				a.Link = u
				break
			}
		}
	}
	a.At, a.AtText = m.at, m.atText
	return a, true
}
