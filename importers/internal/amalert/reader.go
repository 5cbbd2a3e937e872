package amalert

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Reader is the file and webhook plumbing of an importer of
// Alertmanager-shaped alerts: it splits the input into JSON records, reads
// each with Record and hands the alerts' events to the sink.
type Reader struct {
	// Source is the events' source name.
	Source string
	// Tool is the sender's name, the events' actor.
	Tool string
	// Record reads one JSON record; nil means the package's Record.
	Record func(raw json.RawMessage, prefix string, c Config) (Result, bool)
	// FileWant names what a file may hold, for errors.
	FileWant string
	// NotRecord is the rejection reason of a record in a file that Record
	// does not know.
	NotRecord string
	// BodyWant names what a delivery body holds, for errors.
	BodyWant string
	// BodyShape ends the error refusing a delivery whose record Record
	// does not know ("want … {…}").
	BodyShape string
}

func (rd Reader) record(raw json.RawMessage, prefix string, c Config) (Result, bool) {
	if rd.Record != nil {
		return rd.Record(raw, prefix, c)
	}
	return Record(raw, prefix, c)
}

// Parse reads a file: an alert that cannot be read is rejected (its field
// named, e.g. "alerts[2].startsAt") and the rest of its record is kept.
func (rd Reader) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, rd.Source, rd.FileWant)
	if err != nil {
		return err
	}
	c := Config{Tool: rd.Tool, Location: opts.Location}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		reject := func(field, reason string) {
			sink.Reject(importers.Rejection{File: in.Name, Line: r.Index, Field: field, Reason: reason})
		}
		if r.Err != "" {
			reject("", r.Err)
			continue
		}
		res, ok := rd.record(r.Data, "", c)
		if !ok {
			reject("", rd.NotRecord)
			continue
		}
		for _, p := range res.Problems {
			reject(p.Field, p.Reason)
		}
		for _, a := range res.Alerts {
			if err := sink.Event(a.Event(rd.Source)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseDelivery reads a webhook delivery: one record (or an array or JSON
// Lines of them). An alert that cannot be read refuses the delivery, and
// nothing reaches the sink.
func (rd Reader) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	recs, err := alertjson.SplitBody(d.Body, rd.BodyWant)
	if err != nil {
		return err
	}
	c := Config{Tool: rd.Tool, Delivery: &d}
	var all []importers.Alert
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		prefix := ""
		if len(recs) > 1 {
			prefix = "[" + strconv.Itoa(r.Index-1) + "]"
		}
		if r.Err != "" {
			return errors.New("body line " + strconv.Itoa(r.Index) + ": " + r.Err)
		}
		res, ok := rd.record(r.Data, prefix, c)
		if !ok {
			return errors.New(alertjson.FirstOf(prefix, "body") + ": want " + rd.BodyShape)
		}
		if len(res.Problems) > 0 {
			return res.Problems[0]
		}
		all = append(all, res.Alerts...)
	}
	for _, a := range all {
		if err := sink.Event(a.Event(rd.Source)); err != nil {
			return err
		}
	}
	return nil
}
