package icinga

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
)

// num is a number as Icinga writes it (2, 2.0, 1705321845.72), also when
// a relay quoted it; what it holds is checked where it is used, so that a
// bad value is named by its field.
type num string

// UnmarshalJSON implements json.Unmarshaler; it never fails on a scalar.
func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = num(strings.TrimSpace(s))
	default:
		*n = num(b)
	}
	return nil
}

func (n num) String() string { return string(n) }

// valid reports whether n is empty or a number.
func (n num) valid() bool {
	if n == "" {
		return true
	}
	_, err := strconv.ParseFloat(string(n), 64)
	return err == nil
}

// short keeps messages readable when a value is garbage.
func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// serviceState names a service state number.
func serviceState(n int) string {
	switch n {
	case 0:
		return "OK"
	case 1:
		return "WARNING"
	case 2:
		return "CRITICAL"
	default:
		return "UNKNOWN"
	}
}

// hostState names a host state number.
func hostState(n int) string {
	switch n {
	case 0:
		return "UP"
	case 1:
		return "DOWN"
	default:
		return "UNREACHABLE"
	}
}

// notificationSubtype maps a notification type, in Icinga 2's compat
// spelling ("PROBLEM", "FLAPPINGSTART"), its own ("Problem",
// "FlappingStart") or Nagios's ("FLAPPINGSTOP"), onto a subtype.
func notificationSubtype(t string) string {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(t), "_", "")) {
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

// parseStamp reads Icinga's float seconds ("1445421319.7226390839"), also
// when a relay wrote them with an exponent.
func parseStamp(n num) (time.Time, string, error) {
	text := n.String()
	s := text
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, text, errors.New("timestamp " + strconv.Quote(text) + " is not a number")
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	if strings.HasPrefix(s, "-") {
		return time.Time{}, text, errors.New("timestamp " + strconv.Quote(text) + " is before 1970")
	}
	t, err := importers.ParseTime(s, time.UTC)
	return t, text, err
}

// optionalTime reads a time field that Icinga sets to 0 when unset.
func optionalTime(n num) (time.Time, string, bool) {
	if f, err := strconv.ParseFloat(n.String(), 64); err != nil || f <= 0 {
		return time.Time{}, "", false
	}
	t, text, err := parseStamp(n)
	return t, text, err == nil
}

// intOf reads a whole number that Icinga may write as 2 or 2.0.
func intOf(n num) (int, bool) {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return int(f), true
}

// alertID is Icinga's name of a checkable: "host!service", or the host.
func alertID(host, service string) string {
	host, service = strings.TrimSpace(host), strings.TrimSpace(service)
	if service == "" {
		return host
	}
	return host + "!" + service
}

// checkable is how a checkable reads in a title.
func checkable(host, service string) string {
	host, service = strings.TrimSpace(host), strings.TrimSpace(service)
	switch {
	case service == "":
		return host
	case host == "":
		return service
	}
	return service + " on " + host
}

// objectCheckable reads the host and service of an Object* event.
func objectCheckable(typ, name string) (string, string) {
	switch typ {
	case "Host":
		return name, ""
	case "Service":
		h, s, _ := strings.Cut(name, "!")
		return h, s
	}
	return "", ""
}

func joinText(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

var incidentTagRe = regexp.MustCompile(`(?i)\bhindsight:\s*([a-z][a-z0-9_]*-[0-9]+)\b`)

// incidentTag finds a "hindsight:INC-7" tag in free text.
func incidentTag(texts ...string) string {
	for _, t := range texts {
		if m := incidentTagRe.FindStringSubmatch(t); m != nil {
			return strings.ToUpper(m[1])
		}
	}
	return ""
}

// decodeError names the field a JSON decode failed on.
func decodeError(err error) *fieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			return &fieldError{Reason: "not a JSON object"}
		}
		return &fieldError{Field: field, Reason: "must be " + jsonKind(te.Type) + ", got " + te.Value}
	}
	return &fieldError{Reason: "not valid JSON: " + err.Error()}
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "a JSON object"
	case reflect.Slice:
		return "a JSON array"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + t.Kind().String()
}

func prefixed(prefix string, e *fieldError) *fieldError {
	if e.Field == "" {
		e.Field = prefix
	} else {
		e.Field = prefix + "." + e.Field
	}
	return e
}

// finish keeps the text within the timeline's limits and free of markup:
// plugin output may hold HTML meant for Icinga Web.
func finish(a importers.Alert) importers.Alert {
	a.Title = chatmarkup.Escape(clip(importers.NormalizeText(a.Title), 300))
	a.Details = chatmarkup.Escape(clip(importers.NormalizeText(a.Details), 20000))
	a.Actor = clip(a.Actor, 200)
	return a
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
