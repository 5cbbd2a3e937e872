package templates

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Variable is one incident fact a section's starting text may use as
// {{name}}.
type Variable struct {
	Name        string
	Description string
}

// Variables lists every variable, in the order the documentation gives them.
var Variables = []Variable{
	{"title", "the incident's title"},
	{"key", "the incident's key, such as INC-42"},
	{"severity", "the severity, such as SEV2 (\"unknown\" when not set)"},
	{"services", "the affected services, comma-separated (\"none\" when empty)"},
	{"teams", "the teams involved, comma-separated (\"none\" when empty)"},
	{"commander", "the incident commander (\"unknown\" when not set)"},
	{"started_at", "when impact started, RFC 3339 UTC (\"unknown\" when not known)"},
	{"detected_at", "when the problem was detected, RFC 3339 UTC or \"unknown\""},
	{"acknowledged_at", "when a responder acknowledged it, RFC 3339 UTC or \"unknown\""},
	{"mitigated_at", "when impact was mitigated, RFC 3339 UTC or \"unknown\""},
	{"resolved_at", "when the incident was resolved, RFC 3339 UTC or \"unknown\""},
	{"time_to_detect", "detected − started, such as \"1h 25m\" (\"unknown\" when a time is missing)"},
	{"time_to_acknowledge", "acknowledged − detected (or − started), such as \"4m\""},
	{"time_to_mitigate", "mitigated − started"},
	{"time_to_resolve", "resolved − started"},
	{"impact_duration", "how long customers were affected: (mitigated, else resolved) − started"},
	{"summary", "the incident's summary (empty when not written)"},
	{"customer_impact", "the incident's customer impact statement (empty when not written)"},
}

// unknown stands for a time or duration the incident does not record.
const unknown = "unknown"

// Vars returns the value of every variable for inc, as plain text.
func Vars(inc incident.Incident) map[string]string {
	d := inc.Durations()
	impactEnd := inc.MitigatedAt
	if impactEnd == nil {
		impactEnd = inc.ResolvedAt
	}
	var impact *time.Duration
	if inc.StartedAt != nil && impactEnd != nil {
		v := impactEnd.Sub(*inc.StartedAt)
		impact = &v
	}
	return map[string]string{
		"title":               inc.Title,
		"key":                 inc.Key,
		"severity":            orDefault(string(inc.Severity), unknown),
		"services":            list(inc.Services),
		"teams":               list(inc.Teams),
		"commander":           orDefault(inc.Commander, unknown),
		"started_at":          timeText(inc.StartedAt),
		"detected_at":         timeText(inc.DetectedAt),
		"acknowledged_at":     timeText(inc.AcknowledgedAt),
		"mitigated_at":        timeText(inc.MitigatedAt),
		"resolved_at":         timeText(inc.ResolvedAt),
		"time_to_detect":      durationText(d.ToDetect),
		"time_to_acknowledge": durationText(d.ToAcknowledge),
		"time_to_mitigate":    durationText(d.ToMitigate),
		"time_to_resolve":     durationText(d.ToResolve),
		"impact_duration":     durationText(impact),
		"summary":             inc.Summary,
		"customer_impact":     inc.CustomerImpact,
	}
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func list(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

func timeText(t *time.Time) string {
	if t == nil {
		return unknown
	}
	return t.UTC().Format(time.RFC3339)
}

func durationText(d *time.Duration) string {
	if d == nil {
		return unknown
	}
	return HumanDuration(*d)
}

// HumanDuration writes d the way people read it in a report: "45s" under a
// minute, otherwise days, hours and minutes rounded to the minute, leaving
// out zero parts ("1h 25m", "2d 3h", "7m").
func HumanDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	if d < time.Minute {
		return sign + strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	d = d.Round(time.Minute)
	days, hours, mins := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute
	var parts []string
	for _, p := range []struct {
		n    time.Duration
		unit string
	}{{days, "d"}, {hours, "h"}, {mins, "m"}} {
		if p.n > 0 {
			parts = append(parts, strconv.FormatInt(int64(p.n), 10)+p.unit)
		}
	}
	return sign + strings.Join(parts, " ")
}

// varNameRe is what may stand between {{ and }} (spaces around it allowed).
var varNameRe = regexp.MustCompile(`^[a-z][a-z_]*$`)

// known reports whether name is a variable.
func known(name string) bool {
	for _, v := range Variables {
		if v.Name == name {
			return true
		}
	}
	return false
}

// variableNames lists the names for error messages.
func variableNames() string {
	names := make([]string, len(Variables))
	for i, v := range Variables {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// expand replaces every {{name}} in text with vals[name], in one pass (a
// value that itself contains {{…}} is left as it is). It returns the
// problems it met: a {{ without }}, something between the braces that is
// not a variable name, or a name that is not a variable. With vals nil it
// only checks.
func expand(text string, vals map[string]string) (string, []string) {
	var (
		b        strings.Builder
		problems []string
	)
	rest := text
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		rest = rest[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			problems = append(problems, "{{ without a closing }} near "+strconv.Quote(snippet("{{"+rest)))
			b.WriteString("{{" + rest)
			break
		}
		inner := rest[:j]
		name := strings.TrimSpace(inner)
		rest = rest[j+2:]
		switch {
		case !varNameRe.MatchString(name):
			problems = append(problems, "malformed variable "+strconv.Quote(snippet("{{"+inner+"}}"))+": write {{name}} with a lower-case name")
		case !known(name):
			problems = append(problems, "unknown variable {{"+name+"}}")
		default:
			b.WriteString(vals[name])
			continue
		}
		b.WriteString("{{" + inner + "}}")
	}
	return b.String(), problems
}

// snippet shortens text for an error message.
func snippet(s string) string {
	const maxRunes = 40
	if r := []rune(s); len(r) > maxRunes {
		return string(r[:maxRunes]) + "…"
	}
	return s
}
