// Package zabbix reads Zabbix alerts: the deliveries of a webhook media
// type (whose parameters the user chooses: a documented default set of
// names, or a field mapping), and the JSON-RPC answers of event.get and
// problem.get, saved to a file or pulled by Client.
//
// Webhook payloads are flat JSON objects of macro values. The default
// names are those of Zabbix's own media types (event_id, event_value,
// event_update_status, event_nseverity, event_tags_json, zbxurl, …) plus a
// few more; see the README. A mapping (Delivery.Mapping for hooks,
// Options.Mapping for files) names the payload keys holding our fields
// instead: id, date, time, clock, zone, status, severity, host, service,
// title, details, link, incident, update_action, update_message, actor.
// A macro Zabbix left unexpanded ("{EVENT.RECOVERY.DATE}", "*UNKNOWN*")
// counts as absent.
//
// Zabbix writes {EVENT.DATE} and {EVENT.TIME} in the server's local time
// without a zone: files are read in Options.Location (UTC by default),
// hooks in UTC, unless the payload carries a Unix time
// ({EVENT.TIMESTAMP}, {EVENT.RECOVERY.TIMESTAMP}, {EVENT.UPDATE.TIMESTAMP})
// or a zone (a "timezone" key, or the mapped "zone").
//
// A problem is keyed by its problem event id, which Zabbix also passes as
// {EVENT.ID} in recovery and update messages: it is the AlertID of every
// event of the problem, and a problem's trigger and recovery get the same
// ExternalID from a webhook and from the API, so hooks and pulls of one
// problem do not duplicate each other.
package zabbix

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source name.
const Source = "zabbix"

// want names what a file may hold, for errors.
const want = "a Zabbix webhook payload, an array or JSON Lines of them, or an API answer"

// Importer parses Zabbix webhook payloads and API answers.
type Importer struct{}

// New returns the Zabbix importer and hook parser.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer: a webhook payload, an array or JSON
// Lines of payloads, an event.get or problem.get answer (or its result
// array).
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	vals, err := alertjson.ReadDecoded(in, Source, want, sink)
	if err != nil {
		return err
	}
	m, err := newMapping(opts.Mapping)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", Source, in.Name, err)
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	p := &parser{file: in.Name, loc: loc, m: m, sink: sink}
	var batch apiBatch
	for _, v := range vals {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.value(v, &batch); err != nil {
			return err
		}
	}
	return p.api(ctx, batch)
}

// ParseDelivery implements importers.HookParser: one webhook payload (or
// an array of them). Every record must be readable, else the delivery is
// refused with the field named.
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	m, err := newMapping(d.Mapping)
	if err != nil {
		return fmt.Errorf("hook mapping: %w", err)
	}
	v, err := alertjson.Value(d.Body)
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	p := &parser{loc: time.UTC, m: m, sink: sink, hook: true, delivery: d}
	var batch apiBatch
	if err := p.value(alertjson.Decoded{Line: 1, Whole: true, V: v}, &batch); err != nil {
		return err
	}
	return p.api(ctx, batch)
}

// parser reads the records of one file or delivery.
type parser struct {
	file     string // the input's name; empty for a delivery
	hook     bool
	delivery importers.Delivery
	loc      *time.Location
	m        mapping
	baseURL  string // Zabbix frontend, for links of API events (pulls)
	sink     importers.Sink
}

// fieldError is a record that cannot be read.
type fieldError struct {
	field, reason string
}

func (e *fieldError) Error() string {
	if e.field == "" {
		return e.reason
	}
	return e.field + ": " + e.reason
}

// fail reports an unreadable record: a rejection in a file, an error that
// refuses the whole delivery for a hook.
func (p *parser) fail(line int, prefix string, fe *fieldError) error {
	return alertjson.Reporter{File: p.file, Hook: p.hook, Sink: p.sink}.Fail(line, prefix, fe.field, fe.reason)
}

// value dispatches one top-level JSON value by its shape.
func (p *parser) value(v alertjson.Decoded, batch *apiBatch) error {
	switch x := v.V.(type) {
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i, el := range x {
			o, ok := alertjson.AsObject(el)
			prefix := fmt.Sprintf("[%d]", i)
			line := v.Line
			if !p.hook && v.Whole {
				line = i + 1
			}
			if !ok {
				if err := p.fail(line, prefix, &fieldError{reason: "is not a JSON object"}); err != nil {
					return err
				}
				continue
			}
			if isAPIEvent(o) {
				batch.add(o, line, prefix)
				continue
			}
			if err := p.webhook(o, line, prefix); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		o := alertjson.Object(x)
		switch {
		case isRPC(o):
			return p.rpc(o, v.Line, batch)
		case isAPIEvent(o):
			batch.add(o, v.Line, "")
			return nil
		}
		return p.webhook(o, v.Line, "")
	}
	what := "a JSON object or array"
	if p.hook {
		return fmt.Errorf("body: want %s (a Zabbix webhook payload)", what)
	}
	return p.fail(v.Line, "", &fieldError{reason: "is not " + what})
}

// deliveryTime is the time of a hook event whose payload names none.
func (p *parser) deliveryTime() (time.Time, string) {
	return importers.DeliveryTime(p.delivery)
}
