// Package alertjson holds what the JSON-based alert importers
// (Alertmanager, Grafana, Splunk On-Call, OpsGenie, PagerDuty, New Relic,
// Zabbix, Zenoss) share: reading a file that holds one webhook payload, an
// array of them or JSON Lines of them; a lenient
// text type for fields senders fill with strings, numbers or nothing; and
// small helpers that keep the events they build valid (plain text bodies,
// http(s) links, bounded ids, the Hindsight incident a payload names).
package alertjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
)

// MaxFile caps the size of an imported file; webhook captures and API
// answers are far smaller.
const MaxFile = 256 << 20

// Record is one JSON value of an imported file: the whole file when it is
// one value, an element of a top-level array, or one line of JSON Lines.
type Record struct {
	// Index is the 1-based record number: the array index + 1, or the line
	// number in JSON Lines (1 for the whole file).
	Index int
	// Whole is set when the record is the whole file (or body), so an
	// error in it is the file's and parts of it may number themselves.
	Whole bool
	// Data is the record's JSON; nil when Err is set.
	Data json.RawMessage
	// Err says why a JSON Lines line could not be read as JSON.
	Err string
}

// Read reads the single file of in and splits it into records: the file
// when it is one JSON object, each element of a top-level array, or each
// line of JSON Lines. A file that is none of these is an error naming the
// file, the line and what was expected; a bad line in JSON Lines becomes a
// Record with Err set, so the caller can reject it and go on.
func Read(in importers.Input, vendor, want string) ([]Record, error) {
	data, err := readFile(in, vendor, want)
	if err != nil {
		return nil, err
	}
	return Split(data, in.Name, vendor, want)
}

// ReadBytes reads the single file of in whole (within the size cap), for
// importers that accept more than JSON in a file.
func ReadBytes(in importers.Input, vendor, want string) ([]byte, error) {
	return readFile(in, vendor, want)
}

// ReadValues is Read for importers that read arrays themselves: the file
// is one record when it is any one JSON value (an array too), else each
// line of JSON Lines is one.
func ReadValues(in importers.Input, vendor, want string) ([]Record, error) {
	data, err := readFile(in, vendor, want)
	if err != nil {
		return nil, err
	}
	return split(data, true, func(detail string) error {
		return fmt.Errorf("%s: %s: %s; want %s", vendor, in.Name, detail, want)
	})
}

// readFile reads the single file of in, at most MaxFile bytes.
func readFile(in importers.Input, vendor, want string) ([]byte, error) {
	if in.FS != nil || in.Open == nil {
		return nil, fmt.Errorf("%s: %s: want a single JSON file (%s), not a folder or zip", vendor, in.Name, want)
	}
	rc, err := in.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", vendor, in.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", vendor, in.Name, err)
	}
	if len(data) > MaxFile {
		return nil, fmt.Errorf("%s: %s is larger than %d MiB", vendor, in.Name, MaxFile>>20)
	}
	return data, nil
}

// Split is Read on bytes already in memory.
func Split(data []byte, name, vendor, want string) ([]Record, error) {
	return split(data, false, func(detail string) error {
		return fmt.Errorf("%s: %s: %s; want %s", vendor, name, detail, want)
	})
}

// SplitBody is Split for a webhook body: errors read "body: …; want …".
func SplitBody(data []byte, want string) ([]Record, error) {
	return split(data, false, func(detail string) error {
		return fmt.Errorf("body: %s; want %s", detail, want)
	})
}

// split finds the shape of data. With values, any one JSON value is the
// whole file and arrays are not split; else only an object is, and a
// top-level array gives a record per element.
func split(data []byte, values bool, notJSON func(string) error) ([]Record, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, notJSON("the file is empty")
	}
	switch {
	case trimmed[0] == '[' && !values:
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, notJSON("not a JSON array: " + describe(data, err))
		}
		out := make([]Record, len(items))
		for i, it := range items {
			out[i] = Record{Index: i + 1, Data: it}
		}
		return out, nil
	case trimmed[0] == '{' || values:
		if json.Valid(trimmed) {
			return []Record{{Index: 1, Whole: true, Data: json.RawMessage(trimmed)}}, nil
		}
		return lines(data, trimmed, notJSON)
	}
	return nil, notJSON(notJSONDetail(data, trimmed))
}

// lines reads JSON Lines. The first line must be JSON on its own: else the
// file is one broken value, and the error says where.
func lines(data, trimmed []byte, notJSON func(string) error) ([]Record, error) {
	var out []Record
	first := true
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var v json.RawMessage
		err := json.Unmarshal(line, &v)
		if first && err != nil {
			return nil, notJSON(notJSONDetail(data, trimmed))
		}
		first = false
		if err != nil {
			out = append(out, Record{Index: n + 1, Err: "not JSON: " + err.Error()})
			continue
		}
		out = append(out, Record{Index: n + 1, Data: v})
	}
	return out, nil
}

// notJSONDetail says why data, which is neither one JSON value nor JSON
// Lines, cannot be read: where a broken object or array breaks, or what
// other text starts with.
func notJSONDetail(data, trimmed []byte) string {
	var probe any
	switch trimmed[0] {
	case '{':
		return "not a JSON object: " + describe(data, json.Unmarshal(data, &probe))
	case '[':
		return "not a JSON array: " + describe(data, json.Unmarshal(data, &probe))
	}
	return "not JSON (it starts with " + strconv.Quote(firstRune(trimmed)) + ")"
}

// describe turns a JSON syntax error into "line N: message".
func describe(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && int(se.Offset) <= len(data) {
		line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
		return "line " + strconv.Itoa(line) + ": " + se.Error()
	}
	if err == nil {
		return "invalid JSON"
	}
	return err.Error()
}

func firstRune(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	return string(r)
}

// Decode unmarshals data into v with numbers kept as json.Number.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// FieldError is a field of a record that cannot be read.
type FieldError struct {
	Field  string // "alerts[2].startsAt"
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// DecodeError turns a decoding error into a FieldError under prefix.
func DecodeError(prefix string, err error) *FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := te.Field
		if prefix != "" && f != "" {
			f = prefix + "." + f
		} else if f == "" {
			f = prefix
		}
		return &FieldError{Field: f, Reason: "is a JSON " + te.Value + ", want " + kindName(te.Type.Kind().String())}
	}
	return &FieldError{Field: prefix, Reason: "not readable JSON: " + err.Error()}
}

func kindName(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "ptr":
		return "an object"
	}
	return "a " + k
}

// Join names a field below prefix: Join("alerts[2]", "startsAt").
func Join(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// Text is a field that senders fill with a string, a number, a boolean or
// null (templated payloads, proxies): it reads all of them as text, and an
// object or array as its compact JSON.
type Text string

// UnmarshalJSON implements json.Unmarshaler; it never fails on valid JSON.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	case b[0] == '{' || b[0] == '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*t = Text(buf.String())
	default:
		*t = Text(b)
	}
	return nil
}

// String returns the text trimmed.
func (t Text) String() string { return strings.TrimSpace(string(t)) }

// Strings turns a map of Text into plain strings, dropping empty keys.
func Strings(m map[string]Text) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k = strings.TrimSpace(k); k != "" {
			out[k] = v.String()
		}
	}
	return out
}

// First returns the first non-blank value of keys in m.
func First(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(m[k]); v != "" {
			return v
		}
	}
	return ""
}

// FirstOf returns the first non-blank of vs.
func FirstOf(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// refKeys are the label, tag or field names that name a Hindsight incident.
var refKeys = []string{"hindsight_incident", "incident", "hindsight-incident", "hindsightIncident", "hindsight"}

// refTag matches a tag "hindsight:INC-7".
var refTag = regexp.MustCompile(`(?i)^hindsight:\s*(\S+)$`)

// IncidentRef returns the Hindsight incident that one of ms names: a key
// "hindsight_incident" or "incident" (any case), a value or key written
// as the tag "hindsight:INC-7", or a key "hindsight" (a key/value tag
// hindsight=INC-7). Earlier maps win.
func IncidentRef(ms ...map[string]string) string {
	// Keys in sorted order, so that when several match the same one wins
	// every time.
	for _, m := range ms {
		keys := slices.Sorted(maps.Keys(m))
		for _, want := range refKeys {
			for _, k := range keys {
				if v := m[k]; strings.EqualFold(strings.TrimSpace(k), want) && strings.TrimSpace(v) != "" {
					return clip(strings.TrimSpace(v), 100)
				}
			}
		}
	}
	for _, m := range ms {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			v := m[k]
			for _, s := range []string{v, k} {
				if sm := refTag.FindStringSubmatch(strings.TrimSpace(s)); sm != nil {
					return clip(sm[1], 100)
				}
			}
		}
	}
	return ""
}

// TagRef returns the incident a list of tags names with "hindsight:INC-7".
func TagRef(tags []string) string {
	for _, t := range tags {
		if sm := refTag.FindStringSubmatch(strings.TrimSpace(t)); sm != nil {
			return clip(sm[1], 100)
		}
	}
	return ""
}

// htmlTag spots markup worth converting.
// htmlTag finds HTML in text: the formatting tags senders use, and every
// tag that could run or load something (script, iframe, svg …), so that
// neither is ever passed through.
var htmlTag = regexp.MustCompile(`(?i)</?(a|b|u|s|br|p|div|span|i|em|strong|ul|ol|li|table|tbody|thead|tr|td|th|pre|code|h[1-6]|font|img|hr|blockquote|center|` +
	`script|style|iframe|frame|frameset|svg|math|object|embed|applet|form|input|textarea|button|select|option|link|meta|base|` +
	`html|head|body|title|noscript|template|video|audio|source|track|canvas|marquee|details|summary|dialog|image|xml)\b[^>]*>`)

// Plain returns s as plain text or markdown: HTML (some senders put it in
// descriptions) is converted, never passed through; other text is kept.
// It is capped at MaxText runes.
func Plain(s string) string {
	s = importers.NormalizeText(s)
	if htmlTag.MatchString(s) {
		s = importers.NormalizeText(chatmarkup.Markdown(s))
	}
	return clip(s, MaxText)
}

// MaxText caps titles and details, well below the body limit.
const MaxText = 50000

// Link returns u when it is an http(s) URL short enough to store, else "".
func Link(u string) string {
	u = strings.TrimSpace(u)
	if len(u) > 2000 || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || strings.ContainsAny(u, " \n\r\t") {
		return ""
	}
	return u
}

// Name caps a person's or tool's name to what an event's actor holds.
func Name(s string) string { return clip(strings.TrimSpace(importers.NormalizeText(s)), 200) }

// ID caps a vendor id used as an ExternalID: a longer one is hashed.
func ID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return importers.StableID(s)
	}
	return s
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
