// Package mantis imports MantisBT issues as the REST API gives them (GET
// /api/rest/issues/{id}: {"issues": [...]}) with their notes and history,
// as ticket events.
package mantis

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source.
const Source = "mantis"

// want describes the accepted files in errors.
const want = "a MantisBT REST answer {\"issues\": [...]}, an issue object, an array or JSON Lines of them"

// Importer reads MantisBT issue JSON.
type Importer struct {
	// BaseURL is the Mantis root (https://bugs.example.com) for the
	// issues' links. Mantis's answers carry none: a file gets links only
	// from a top-level "base_url" next to "issues".
	BaseURL string
}

// New returns the Mantis importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Unwindowed implements importers.Unwindowed: a ticket's changes belong to
// the incident whenever they happen.
func (Importer) Unwindowed() {}

// Parse implements importers.Importer. Private notes are left out: the
// timeline may be shared more widely than the tracker's private notes.
func (im Importer) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, Source, want)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.Err != "" {
			sink.Reject(importers.Rejection{File: in.Name, Line: r.Index, Reason: r.Err})
			continue
		}
		v, err := alertjson.Value(r.Data)
		o, ok := alertjson.AsObject(v)
		if err != nil || !ok {
			if r.Whole {
				return fmt.Errorf("%s: %s: not a JSON object; want %s", Source, in.Name, want)
			}
			sink.Reject(importers.Rejection{File: in.Name, Line: r.Index, Reason: "not a JSON object"})
			continue
		}
		if err := im.record(o, in.Name, r.Index, sink); err != nil {
			return err
		}
	}
	return nil
}

// record hands on the issues of one record: {"issues": [...]} or one
// issue. An issue that cannot be read is rejected whole; the others are
// kept.
func (im Importer) record(o alertjson.Object, file string, line int, sink importers.Sink) error {
	if b := alertjson.Link(o.Str("base_url")); b != "" && im.BaseURL == "" {
		im.BaseURL = b // a file may say where its issues live
	}
	issues := []any{map[string]any(o)}
	prefix := func(int) string { return "" }
	if _, ok := o["issues"]; ok {
		issues = o.List("issues")
		prefix = func(i int) string { return "issues[" + strconv.Itoa(i) + "]" }
	} else if o.Str("id") == "" || (o.Str("summary") == "" && o["notes"] == nil && o["history"] == nil) {
		sink.Reject(importers.Rejection{File: file, Line: line, Reason: "neither a MantisBT issue nor {\"issues\": [...]}"})
		return nil
	}
	for i, v := range issues {
		io, ok := alertjson.AsObject(v)
		var evs []importers.TicketEvent
		var err error
		if !ok {
			err = fail("", "is not an object")
		} else {
			evs, err = issue(io, im.BaseURL)
		}
		var fe *alertjson.FieldError
		if errors.As(err, &fe) {
			sink.Reject(importers.Rejection{File: file, Line: line, Field: alertjson.Join(prefix(i), fe.Field), Reason: fe.Reason})
			continue
		} else if err != nil {
			return err
		}
		for _, t := range evs {
			if err := sink.Event(t.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}
