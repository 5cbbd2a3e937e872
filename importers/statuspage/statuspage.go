// Package statuspage imports Atlassian Statuspage incidents: the manage
// API's incident JSON (GET /v1/pages/{page}/incidents[/{id}]), the public
// status API's /api/v2/incidents.json and webhook captures. Every incident
// update (investigating → identified → monitoring → resolved) becomes a
// status event carrying what customers were told.
package statuspage

import (
	"context"
	"errors"
	"fmt"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source.
const Source = "statuspage"

// want describes the accepted files in errors.
const want = "a Statuspage incident JSON object, an array or JSON Lines of them, the public API's {\"page\", \"incidents\"} or a webhook payload"

// Importer reads Statuspage incident JSON.
type Importer struct{}

// New returns the Statuspage importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Unwindowed implements importers.Unwindowed: a ticket's changes belong to
// the incident whenever they happen.
func (Importer) Unwindowed() {}

// Parse implements importers.Importer.
func (Importer) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
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
		evs, err := record(o)
		var fe *alertjson.FieldError
		if errors.As(err, &fe) {
			sink.Reject(importers.Rejection{File: in.Name, Line: r.Index, Field: fe.Field, Reason: fe.Reason})
			continue
		} else if err != nil {
			return err
		}
		if err := emit(evs, sink); err != nil {
			return err
		}
	}
	return nil
}

func emit(evs []importers.TicketEvent, sink importers.Sink) error {
	for _, t := range evs {
		if err := sink.Event(t.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}
