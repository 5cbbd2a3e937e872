package email

import (
	"regexp"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// statusWordRe finds the words that say what happened to an alert, in a
// subject of any tool.
var statusWordRe = regexp.MustCompile(`(?i)\b(problem|alert|alerting|critical|crit|down|firing|triggered|trigger|failed|failure|error|warning|warn|recovery|recovered|resolved|ok|up|cleared|clear|normal|ack|acked|acknowledged|acknowledgement)\b`)

// subjectNoiseRe finds what changes between a mail's trigger and resolve
// besides the status word: reply and forward marks, counters like
// "[FIRING:2]", punctuation.
var (
	replyRe       = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg)\s*:\s*)+`)
	bracketRe     = regexp.MustCompile(`\[[^\]]*\]|\([^)]*\)`)
	nonWordRe     = regexp.MustCompile(`[^\pL\pN]+`)
	severityWords = []string{"critical", "crit", "error", "warning", "warn", "major", "minor", "info", "down", "ok", "up"}
)

// generic reads a mail no pattern knows.
func generic(m *mailContext) mailAlert {
	subj := replyRe.ReplaceAllString(m.msg.Subject, "")
	a := mailAlert{source: Source}
	a.EventType = "email"
	a.Subtype = importers.SubtypeOther
	if w := statusWordRe.FindString(subj); w != "" {
		a.Subtype = subjectSubtype(strings.ToLower(w))
		a.EventType = strings.ToUpper(w)
	}
	lower := " " + strings.ToLower(nonWordRe.ReplaceAllString(subj, " ")) + " "
	for _, s := range severityWords {
		if strings.Contains(lower, " "+s+" ") {
			a.Severity = s
			break
		}
	}
	a.Title = firstNonEmpty(m.msg.Subject, "(no subject)")
	a.Details = m.msg.Text
	a.Actor = firstNonEmpty(m.msg.FromName, m.msg.FromAddr)
	a.AlertID = genericAlertID(subj, m.msg.FromAddr)
	a.At, a.AtText = m.at, m.atText
	return a
}

func subjectSubtype(w string) string {
	switch w {
	case "recovery", "recovered", "resolved", "ok", "up", "cleared", "clear", "normal":
		return importers.SubtypeResolve
	case "ack", "acked", "acknowledged", "acknowledgement":
		return importers.SubtypeAcknowledge
	}
	return importers.SubtypeTrigger
}

// genericAlertID is the subject without status words, counters and
// punctuation, lower-cased, so that "[FIRING:1] HighLatency api" and
// "[RESOLVED] HighLatency api" share it; the sender's address keeps two
// tools' alerts apart.
func genericAlertID(subj, from string) string {
	s := bracketRe.ReplaceAllString(subj, " ")
	s = statusWordRe.ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(strings.ToLower(nonWordRe.ReplaceAllString(s, " "))), " ")
	if s == "" {
		s = strings.Join(strings.Fields(strings.ToLower(subj)), " ")
	}
	if from != "" {
		s = strings.ToLower(from) + ": " + s
	}
	return s
}
