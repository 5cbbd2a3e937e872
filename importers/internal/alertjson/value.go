package alertjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// Value decodes data as exactly one JSON value, keeping numbers as
// json.Number, for importers that walk payloads whose shape varies.
func Value(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var rest any
	if dec.Decode(&rest) != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// Object is a JSON object as Value decodes it.
type Object map[string]any

// AsObject returns v as an Object.
func AsObject(v any) (Object, bool) {
	m, ok := v.(map[string]any)
	return Object(m), ok
}

// ValueText is v as text: strings as they are (trimmed), numbers and
// booleans written out; objects, arrays and null are not text.
func ValueText(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// Str is the text of the first of keys that has some.
func (o Object) Str(keys ...string) string {
	for _, k := range keys {
		if s := ValueText(o[k]); s != "" {
			return s
		}
	}
	return ""
}

// List is the array under key.
func (o Object) List(key string) []any {
	l, _ := o[key].([]any)
	return l
}

// Scalar reads raw JSON that is a string, number or bool as text (a
// string trimmed); null, objects and arrays are "".
func Scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
	case '{', '[', 'n':
		return ""
	default:
		return string(raw)
	}
	return ""
}

// Decoded is a record of ReadDecoded: its value as Value decodes it.
type Decoded struct {
	Line  int  // the Record's Index
	Whole bool // the value is the whole file
	V     any
}

// ReadDecoded reads the file of in as ReadValues does and decodes each
// record with Value; a JSON Lines line that is not JSON is rejected to
// sink with its line number.
func ReadDecoded(in importers.Input, vendor, want string, sink importers.Sink) ([]Decoded, error) {
	recs, err := ReadValues(in, vendor, want)
	if err != nil {
		return nil, err
	}
	out := make([]Decoded, 0, len(recs))
	for _, r := range recs {
		v, err := Value(r.Data)
		if r.Err == "" && err != nil {
			r.Err = "not JSON: " + err.Error()
		}
		if r.Err != "" {
			sink.Reject(importers.Rejection{File: in.Name, Line: r.Index, Reason: r.Err})
			continue
		}
		out = append(out, Decoded{Line: r.Index, Whole: r.Whole, V: v})
	}
	return out, nil
}

// Reporter hands on the problems found in the records of one file or
// webhook delivery.
type Reporter struct {
	File string // the file's name; empty for a delivery
	Hook bool   // a delivery: a problem refuses it
	Sink importers.Sink
}

// Fail reports that field (below prefix, e.g. "[2]") of the record at line
// cannot be read: for a file a rejection, and the caller goes on; for a
// delivery an error naming the field, which refuses it.
func (r Reporter) Fail(line int, prefix, field, reason string) error {
	fe := &FieldError{Field: Join(prefix, field), Reason: reason}
	if r.Hook {
		return fe
	}
	r.Sink.Reject(importers.Rejection{File: r.File, Line: line, Field: fe.Field, Reason: fe.Reason})
	return nil
}
