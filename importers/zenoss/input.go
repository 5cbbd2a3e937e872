package zenoss

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// maxInput caps one imported file; webhook captures and API answers are
// far smaller.
const maxInput = 256 << 20

// value is one top-level JSON value of the input: the whole file, or one
// line of JSON Lines.
type value struct {
	line int // 1-based line of JSON Lines; 1 for a single value
	v    any
}

// readInput reads the single file of in.
func readInput(in importers.Input) ([]byte, error) {
	if in.FS != nil || in.Open == nil {
		return nil, fmt.Errorf("%s: %s: want one JSON file (an event, an array or JSON Lines of events, or an EventsRouter answer), not a folder", Source, in.Name)
	}
	rc, err := in.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", Source, in.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", Source, in.Name, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s: %s is larger than %d MiB", Source, in.Name, maxInput>>20)
	}
	return data, nil
}

// splitValues finds the file's shape: one JSON value (an object or an
// array), or JSON Lines, one value a line. Unreadable lines of JSON Lines
// are rejected; a file that is neither is an error.
func splitValues(name string, data []byte, sink importers.Sink) ([]value, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: %s is empty: want a JSON object, a JSON array or JSON Lines", Source, name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var first any
	err := dec.Decode(&first)
	if err == nil {
		var rest any
		if dec.Decode(&rest) == io.EOF {
			return []value{{line: 1, v: first}}, nil
		}
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("%s: %s is not JSON: %v (want a JSON object, a JSON array or JSON Lines)", Source, name, errText(err))
	}
	var out []value
	good := 0
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		v, err := decode([]byte(l))
		if err != nil {
			sink.Reject(importers.Rejection{File: name, Line: i + 1, Reason: "not JSON: " + err.Error()})
			continue
		}
		good++
		out = append(out, value{line: i + 1, v: v})
	}
	if good == 0 {
		return nil, fmt.Errorf("%s: %s is not JSON: no line holds a JSON value (want a JSON object, a JSON array or JSON Lines)", Source, name)
	}
	return out, nil
}

func errText(err error) string {
	if err == nil {
		return "more than one value"
	}
	return err.Error()
}

// decode reads one JSON value, keeping numbers as json.Number.
func decode(data []byte) (any, error) {
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

// obj is a decoded JSON object.
type obj map[string]any

// asObj returns v as an object.
func asObj(v any) (obj, bool) {
	m, ok := v.(map[string]any)
	return obj(m), ok
}

// text is v as text: strings as they are, numbers and booleans written out;
// objects and arrays are not text.
func text(v any) string {
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

// str is the text of the first of keys that has some.
func (o obj) str(keys ...string) string {
	for _, k := range keys {
		if s := text(o[k]); s != "" {
			return s
		}
	}
	return ""
}

// list is the array under key.
func (o obj) list(key string) []any {
	l, _ := o[key].([]any)
	return l
}
