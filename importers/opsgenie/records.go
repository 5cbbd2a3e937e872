package opsgenie

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// maxFile caps one imported file; alert exports are small next to chat.
const maxFile = 256 << 20

// record is one JSON value of an imported file: the whole file, one
// element of a top-level array, or one line of JSON Lines.
type record struct {
	raw  json.RawMessage
	line int // 1-based record number (array index or line); 0 for a single object
}

// readRecords splits a file into records: one JSON object, a JSON array
// of objects, or JSON Lines. Lines of JSON Lines that are not JSON are
// rejected and skipped; a file that is none of the shapes is an error.
func readRecords(name string, r io.Reader, reject func(line int, reason string)) ([]record, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, maxFile>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: is empty; want %s", name, wantShapes)
	}
	switch data[0] {
	case '[':
		var arr []json.RawMessage
		if err := json.Unmarshal(data, &arr); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, where(data, err), err)
		}
		out := make([]record, 0, len(arr))
		for i, raw := range arr {
			out = append(out, record{raw: raw, line: i + 1})
		}
		return out, nil
	case '{':
		dec := json.NewDecoder(bytes.NewReader(data))
		var first json.RawMessage
		err := dec.Decode(&first)
		if err == nil && dec.InputOffset() == int64(len(data)) {
			return []record{{raw: first}}, nil
		}
		firstLine, _, _ := bytes.Cut(data, []byte("\n"))
		if !json.Valid(bytes.TrimSpace(firstLine)) {
			if err == nil {
				err = errors.New("more data after the first JSON value")
			}
			return nil, fmt.Errorf("%s: %s: %w", name, where(data, err), err)
		}
		var out []record
		for i, l := range bytes.Split(data, []byte("\n")) {
			l = bytes.TrimSpace(l)
			if len(l) == 0 {
				continue
			}
			if !json.Valid(l) {
				reject(i+1, "line is not JSON")
				continue
			}
			out = append(out, record{raw: l, line: i + 1})
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: line 1: not JSON; want %s", name, wantShapes)
}

// where names the line of a JSON syntax error.
func where(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return "line 1"
	}
	return "line " + strconv.Itoa(bytes.Count(data[:off], []byte("\n"))+1)
}

// fieldOf names the field of a decode error, prefixed with at.
func fieldOf(at string, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return join(at, te.Field)
	}
	return at
}

// reasonOf says why a record could not be decoded, without Go type names.
func reasonOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a " + te.Type.Kind().String()
		switch te.Type.Kind() {
		case reflect.Struct, reflect.Map, reflect.Pointer:
			want = "an object"
		case reflect.Slice:
			want = "a list"
		}
		return "is a JSON " + te.Value + ", want " + want
	}
	return "cannot be read: " + err.Error()
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// scalar reads a JSON string, number or bool as text; null and objects are "".
func scalar(raw json.RawMessage) string {
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
