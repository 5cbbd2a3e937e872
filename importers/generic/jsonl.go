package generic

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// maxLine caps one JSON Lines record.
const maxLine = 16 << 20

// JSONL reads JSON Lines: one JSON object per line, blank lines skipped.
// Mapped names may be dotted paths into nested objects ("user.name"). The
// zero value is ready.
type JSONL struct{}

// NewJSONL returns the JSON Lines importer.
func NewJSONL() *JSONL { return &JSONL{} }

// Source implements importers.Importer.
func (*JSONL) Source() string { return "jsonl" }

// Parse implements importers.Importer. A line that is not a JSON object, or
// lacks a timestamp or text, is rejected with its line and field.
func (*JSONL) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	if err := checkMapping(opts.Mapping); err != nil {
		return fmt.Errorf("jsonl: %w", err)
	}
	return eachFile("jsonl", in, []string{".jsonl", ".ndjson"}, func(name string, r io.Reader) error {
		return parseJSONL(ctx, name, r, opts, sink)
	})
}

func parseJSONL(ctx context.Context, name string, r io.Reader, opts importers.Options, sink importers.Sink) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var obj map[string]any
	get := func(field string) (string, string, bool) {
		if key, ok := opts.Mapping[field]; ok {
			v, ok := lookup(obj, key)
			return v, key, ok
		}
		for _, d := range defaults[field] {
			if v, ok := lookupFold(obj, d); ok {
				return v, d, true
			}
		}
		return "", field, false
	}
	line := 0
	for sc.Scan() {
		line++
		if err := ctx.Err(); err != nil {
			return err
		}
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		obj = nil
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
			reason := "not a JSON object"
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
				reason = "invalid JSON: " + err.Error()
			}
			sink.Reject(importers.Rejection{File: name, Line: line, Reason: reason})
			continue
		}
		e, rej := build("jsonl", name, line, get, opts.Location, opts.Mapping[TimeFormat])
		if rej != nil {
			sink.Reject(*rej)
			continue
		}
		if err := sink.Event(e); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("jsonl: %s: line %d: %w", name, line+1, err)
	}
	return nil
}

// lookup reads key from obj: the literal key first, then a dotted path.
func lookup(obj map[string]any, key string) (string, bool) {
	if v, ok := obj[key]; ok {
		return scalar(v)
	}
	var cur any = obj
	for _, part := range strings.Split(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[part]; !ok {
			return "", false
		}
	}
	return scalar(cur)
}

// lookupFold finds a top-level key ignoring case.
func lookupFold(obj map[string]any, key string) (string, bool) {
	if v, ok := obj[key]; ok {
		return scalar(v)
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return scalar(v)
		}
	}
	return "", false
}

// scalar renders a JSON value as text; null counts as absent and objects or
// arrays are kept as compact JSON.
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}
