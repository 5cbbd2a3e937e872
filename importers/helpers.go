package importers

import (
	"errors"
	"math"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// zonedLayouts are the timestamp layouts that carry their own zone.
var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999Z07", // hour-only offset: "…T10:00:00+01"
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	time.RFC1123Z,
	time.RFC1123,
	time.UnixDate, // Nagios $LONGDATETIME$: "Mon Jan 15 12:30:45 UTC 2024"
	"Mon Jan _2 15:04:05 MST 2006",
	time.RubyDate,
}

// localLayouts are the layouts without a zone, read in the given location.
// Day-first and month-first dates ("02/01/2006") are left out on purpose:
// they cannot be told apart.
var localLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006.01.02 15:04:05", // Zabbix {EVENT.DATE} {EVENT.TIME}
	time.ANSIC,
}

// ParseTime reads a timestamp as chat and call tools write them: RFC 3339
// (with or without fraction and offset), "2006-01-02 15:04:05", and Unix
// times as strings in seconds, milliseconds, microseconds or nanoseconds,
// with or without a fraction (Slack's "1732096700.000100"). Times without a
// zone are read in loc (UTC when nil). The result is in UTC.
//
// Zone abbreviations ("Mon Jan 15 12:30:45 CET 2024", Nagios's
// $LONGDATETIME$) are read from ZoneOffsets, never from the server's own
// zone; an abbreviation not there is an error rather than a guess. A
// time outside the years 0001–9999, the zero time and Unix time 0 are
// errors: they are placeholders, not moments.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	t, err := parseTime(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	if t.IsZero() || !incident.TimeInRange(t) {
		return time.Time{}, errors.New("timestamp " + strconv.Quote(short(strings.TrimSpace(s))) + " is out of range (a placeholder, not a time)")
	}
	return t, nil
}

func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("timestamp is empty")
	}
	if loc == nil {
		loc = time.UTC
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:/ T") {
		if strings.ContainsAny(s, "eE") { // 1.7320967e+09, as some JSON encoders write floats
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f < 1 || f > 1e11 {
				return time.Time{}, errors.New("timestamp " + strconv.Quote(short(s)) + " is not a Unix time")
			}
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
		}
		return parseUnix(s)
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return fixAbbreviation(t, l, s)
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	// Mail dates ("Tue, 5 Nov 2024 03:04:05 +0100 (CET)") in their variants.
	if t, err := mail.ParseDate(s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errors.New("timestamp " + strconv.Quote(short(s)) + " is in no known format (want RFC 3339, \"2006-01-02 15:04:05\" or Unix seconds)")
}

// ZoneOffsets are the zone abbreviations monitoring tools print, in
// seconds east of UTC. Ambiguous ones (IST: India, Ireland, Israel) are
// left out.
var ZoneOffsets = map[string]int{
	"UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 3600, "BST": 3600,
	"CET": 3600, "CEST": 7200, "MET": 3600, "MEST": 7200, "EET": 7200, "EEST": 10800, "MSK": 10800,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
	"PST": -8 * 3600, "PDT": -7 * 3600, "AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
	"JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600, "AWST": 8 * 3600,
	"ACST": 34200, "ACDT": 37800, "AEST": 10 * 3600, "AEDT": 11 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
}

// fixAbbreviation gives a time parsed with a zone abbreviation (layout
// "MST") the offset of ZoneOffsets: Go takes it from the server's zone
// when that zone uses the abbreviation, else makes it UTC.
func fixAbbreviation(t time.Time, layout, s string) (time.Time, error) {
	if !strings.Contains(layout, "MST") {
		return t.UTC(), nil
	}
	name, _ := t.Zone()
	off, ok := ZoneOffsets[name]
	if !ok {
		return time.Time{}, errors.New("timestamp " + strconv.Quote(short(s)) + ": time zone " + name + " is unknown or ambiguous; give the offset (+01:00)")
	}
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, mo, d, h, mi, sec, t.Nanosecond(), time.FixedZone(name, off)).UTC(), nil
}

// parseUnix reads "1732096700", "1732096700123" (millis) or
// "1732096700.000100"; the magnitude of the integer part picks the unit.
func parseUnix(s string) (time.Time, error) {
	whole, frac, _ := strings.Cut(s, ".")
	bad := errors.New("timestamp " + strconv.Quote(short(s)) + " is not a Unix time")
	if len(whole) == 0 || len(whole) > 19 || !digits(whole) || !digits(frac) {
		return time.Time{}, bad
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, bad
	}
	if n == 0 && strings.Trim(frac, "0") == "" {
		return time.Time{}, errors.New("timestamp " + strconv.Quote(short(s)) + " is zero (a placeholder, not a time)")
	}
	// Seconds until the year 5138, then millis, micros, nanos.
	var sec, nsec int64
	switch {
	case n < 1e11:
		sec = n
		nsec = fraction(frac, 9)
	case n < 1e14:
		sec, nsec = n/1e3, (n%1e3)*1e6+fraction(frac, 6)
	case n < 1e17:
		sec, nsec = n/1e6, (n%1e6)*1e3+fraction(frac, 3)
	default:
		sec, nsec = n/1e9, n%1e9
	}
	t := time.Unix(sec, nsec).UTC()
	if !incident.TimeInRange(t) {
		return time.Time{}, errors.New("timestamp " + strconv.Quote(short(s)) + " is out of range")
	}
	return t, nil
}

// fraction turns the digits after the point into units of 10^-places of
// the unit before it, truncating what is finer.
func fraction(frac string, places int) int64 {
	if len(frac) > places {
		frac = frac[:places]
	}
	frac += strings.Repeat("0", places-len(frac))
	n, _ := strconv.ParseInt(frac, 10, 64)
	return n
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// short keeps error messages readable when the input is garbage.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// NormalizeText brings message text to one shape: LF line ends, no
// surrounding space, valid UTF-8 without NUL bytes.
func NormalizeText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimSpace(incident.CleanText(s))
}

// Users maps the user ids of a source to display names.
type Users map[string]string

// Name returns the display name of id, or "unknown user <id>" so that an
// event never shows a bare id as if it were a name.
func (u Users) Name(id string) string {
	if n := strings.TrimSpace(u[id]); n != "" {
		return n
	}
	if id == "" {
		return "unknown user"
	}
	return "unknown user " + id
}

// MappingFields are the fields of ours a generic import can map.
var MappingFields = []string{"time", "actor", "text", "id", "thread", "kind", "link", "source", "time_format"}

// Mapper is implemented by importers and hook parsers whose input the user
// maps field by field (Zabbix media, generic JSON): they name the fields a
// mapping may set.
type Mapper interface {
	MappingFields() []string
}

// MappingFieldsOf returns the fields a mapping for x may name: its own when
// it is a Mapper, else MappingFields.
func MappingFieldsOf(x any) []string {
	if m, ok := x.(Mapper); ok {
		return m.MappingFields()
	}
	return MappingFields
}

// ParseMapping reads "time=ts,actor=user,text=message" into a mapping from
// our fields to the input's columns, for the generic importers. Unknown
// fields and empty columns are errors naming them.
func ParseMapping(s string) (map[string]string, error) {
	return ParseMappingFor(s, MappingFields)
}

// ParseMappingFor is ParseMapping with the fields one importer accepts.
func ParseMappingFor(s string, fields []string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return nil, errors.New("mapping " + strconv.Quote(part) + ": want field=column")
		}
		if !slices.Contains(fields, k) {
			return nil, errors.New("mapping field " + strconv.Quote(k) + ": want one of " + strings.Join(fields, ", "))
		}
		if _, dup := out[k]; dup {
			return nil, errors.New("mapping field " + strconv.Quote(k) + " is given twice")
		}
		out[k] = v
	}
	return out, nil
}
