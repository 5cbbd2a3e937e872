package email

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// maxDetails caps the text an event keeps of a mail body.
const maxDetails = 2000

// mailAlert is an alert read from a mail, with the source it reads as.
type mailAlert struct {
	importers.Alert
	source string
}

func (a mailAlert) event() incident.TimelineEvent { return a.Alert.Event(a.source) }

// mailContext is one mail being recognized, with its time.
type mailContext struct {
	msg    *message
	at     time.Time // the Date header's, else the mbox From line's
	atText string
	loc    *time.Location
}

// recognize reads the mail with the first pattern that fits.
func recognize(m *mailContext) []mailAlert {
	if a, ok := nagios(m); ok {
		return []mailAlert{a}
	}
	if a, ok := cacti(m); ok {
		return []mailAlert{a}
	}
	if as := munin(m); len(as) > 0 {
		return as
	}
	return []mailAlert{generic(m)}
}

// id is the dedupe key of the i-th event of the mail (0-based).
func (m *mailContext) id(i int) string {
	id := m.msg.MessageID
	if id == "" || len(id) > 400 {
		id = importers.StableID("email", m.atText, m.msg.FromAddr, m.msg.FromName, m.msg.Subject)
	}
	if i > 0 {
		id += "#" + strconv.Itoa(i+1)
	}
	return id
}

// finish adds what every mail event carries and makes the text safe.
func finish(a *mailAlert, msg *message) {
	if a.Extra == nil {
		a.Extra = map[string]any{}
	}
	if msg.Subject != "" {
		a.Extra["subject"] = msg.Subject
	}
	if msg.FromAddr != "" {
		a.Extra["from"] = msg.FromAddr
	}
	if msg.MessageID != "" {
		a.Extra["message_id"] = msg.MessageID
	}
	if len(msg.Files) > 0 {
		a.Extra["attachments"] = msg.Files
	}
	if len(msg.Notes) > 0 {
		a.Extra["mail_notes"] = msg.Notes
	}
	if a.IncidentRef == "" {
		a.IncidentRef = incidentRef(msg)
	}
	// Clean first: a NUL between "<" and a letter would hide a tag from
	// the escape and come out later.
	a.Title = chatmarkup.Escape(clip(importers.NormalizeText(a.Title), 300))
	a.Details = chatmarkup.Escape(clip(importers.NormalizeText(a.Details), maxDetails))
	a.Actor = clip(a.Actor, 200)
	if strings.TrimSpace(a.Actor) == "" {
		a.Actor = firstNonEmpty(msg.FromName, msg.FromAddr)
	}
}

// clip cuts s to n runes, marking the cut.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

var (
	incidentTagRe  = regexp.MustCompile(`(?i)\bhindsight:\s*([a-z][a-z0-9_]*-[0-9]+)\b`)
	incidentLineRe = regexp.MustCompile(`(?im)^\s*(?:hindsight[ _-])?incident\s*:\s*([a-z][a-z0-9_]*-[0-9]+)\s*$`)
)

// incidentRef finds the Hindsight incident a mail names.
func incidentRef(msg *message) string {
	if msg.Incident != "" {
		return msg.Incident
	}
	for _, s := range []string{msg.Subject, msg.Text} {
		if m := incidentTagRe.FindStringSubmatch(s); m != nil {
			return strings.ToUpper(m[1])
		}
	}
	if m := incidentLineRe.FindStringSubmatch(msg.Text); m != nil {
		return strings.ToUpper(m[1])
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

var zoneAbbrRe = regexp.MustCompile(`(^|\s)([A-Z]{1,5})(\s|$)`)

// bodyTime reads a time a tool printed in a mail body. A zone
// abbreviation is read from importers.ZoneOffsets; one not there takes the offset
// that brings the time closest to the Date header (the mail left within
// minutes), rounded to a quarter hour; note says so.
func bodyTime(s string, header time.Time, loc *time.Location) (time.Time, string, bool) {
	t, note, ok := readBodyTime(s, header, loc)
	return t, note, ok && okTime(t)
}

func readBodyTime(s string, header time.Time, loc *time.Location) (t time.Time, note string, ok bool) {
	s = strings.TrimSpace(s)
	m := zoneAbbrRe.FindStringSubmatchIndex(s)
	if m == nil || strings.ContainsAny(s[m[5]:], "+-") || strings.ContainsAny(s[:m[4]], "+") {
		t, err := importers.ParseTime(s, loc)
		return t, "", err == nil
	}
	abbr := s[m[4]:m[5]]
	if abbr == "AM" || abbr == "PM" {
		t, err := importers.ParseTime(s, loc)
		return t, "", err == nil
	}
	wall, err := importers.ParseTime(s[:m[4]]+"UTC"+s[m[5]:], loc)
	if err != nil {
		return time.Time{}, "", false
	}
	if off, known := importers.ZoneOffsets[abbr]; known {
		return wall.Add(-time.Duration(off) * time.Second), "", true
	}
	if header.IsZero() {
		return wall, "time zone " + abbr + " is unknown; read as UTC", true
	}
	diff := wall.Sub(header)
	if math.Abs(diff.Hours()) > 14 {
		return wall, "time zone " + abbr + " is unknown; read as UTC", true
	}
	quarter := 15 * time.Minute
	off := time.Duration(math.Round(float64(diff)/float64(quarter))) * quarter
	return wall.Add(-off), "time zone " + abbr + " is unknown; its offset was taken from the Date header", true
}

// notificationSubtype maps a Nagios/Icinga notification type onto a
// subtype.
func notificationSubtype(t string) string {
	t = strings.ToUpper(strings.TrimSpace(t))
	if i := strings.IndexByte(t, ' '); i > 0 {
		t = t[:i] // "ACKNOWLEDGEMENT (CRITICAL)"
	}
	switch strings.ReplaceAll(t, "_", "") {
	case "PROBLEM":
		return importers.SubtypeTrigger
	case "RECOVERY":
		return importers.SubtypeResolve
	case "ACKNOWLEDGEMENT":
		return importers.SubtypeAcknowledge
	case "CUSTOM":
		return importers.SubtypeNote
	case "FLAPPINGSTART", "FLAPPINGEND", "FLAPPINGSTOP", "FLAPPINGDISABLED":
		return importers.SubtypeUpdate
	case "DOWNTIMESTART", "DOWNTIMEEND", "DOWNTIMECANCELLED", "DOWNTIMEREMOVED":
		return importers.SubtypeSuppress
	}
	return importers.SubtypeOther
}

// okTime reports whether t can date an event: set, and within the years
// the timeline keeps.
func okTime(t time.Time) bool { return !t.IsZero() && incident.TimeInRange(t) }
