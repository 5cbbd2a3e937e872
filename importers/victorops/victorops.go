// Package victorops reads Splunk On-Call (formerly VictorOps) incident
// activity: live outgoing webhooks, incident lists of the public and
// reporting APIs as files, and pulls incident history from the reporting
// API (see Client).
//
// Outgoing webhooks are templated by the user with ${{ALERT.field}},
// ${{STATE.field}} and ${{INCIDENT.field}} variables. The documented and
// common shape names each key after its variable: a flat JSON object
// {"ALERT.entity_id": …, "ALERT.message_type": …}, the same keys
// form-encoded (application/x-www-form-urlencoded), or nested objects
// {"ALERT": {"entity_id": …}}. Keys are read in any case, and ALERT fields
// also without their prefix ("entity_id"). One delivery is one event:
//   - The kind comes from ALERT.message_type (CRITICAL, WARNING → trigger;
//     ACKNOWLEDGEMENT → acknowledge; RECOVERY → resolve; INFO → note),
//     else the phase STATE.CURRENT_ALERT_PHASE / STATE.CURRENT_STATE /
//     INCIDENT.CURRENT_PHASE (UNACKED/TRIGGERED, ACKED, RESOLVED), else
//     ALERT.entity_state; other words are kept as "other".
//   - Its time is ALERT.timestamp (epoch seconds or milliseconds, or RFC
//     3339), else when the delivery arrived.
//   - Its dedupe key is ALERT.VO_UUID (or ALERT.alert_id) with the message
//     type, else a hash of the entity id, message type and time (the minute
//     of arrival when the payload has no time).
//   - Its thread is ALERT.entity_id, else INCIDENT.ENTITY_ID, else
//     INCIDENT.INCIDENT_NAME; title ALERT.entity_display_name; details
//     ALERT.state_message (and ALERT.ack_msg for acknowledgements); actor
//     ALERT.ack_author for acknowledgements and resolves, else
//     ALERT.monitoring_tool; host ALERT.host_name; service ALERT.service.
//     All fields are kept in the metadata under "fields".
//
// Incident lists (GET /api-public/v1/incidents, and GET
// /api-reporting/v2/incidents with total/offset/limit) give per incident a
// trigger at startTime and one event per transition: ACKED → acknowledge
// by its "by", RESOLVED → resolve, others kept as "other". Their thread is
// the entityId (else the incident number), as for webhooks, so one
// incident's webhook and API events fold together.
//
// A Hindsight incident is named by an alert field "incident",
// "hindsight_incident" or "hindsight" (ALERT.hindsight_incident, or a
// custom top-level field) with a value such as INC-7, or a value
// "hindsight:INC-7". Splunk On-Call does not sign outgoing webhooks; the
// hook's token authenticates them.
package victorops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source name.
const Source = "victorops"

// tool is the actor of events nobody in particular caused.
const tool = "Splunk On-Call"

const want = `a Splunk On-Call outgoing webhook payload ({"ALERT.entity_id":…} or {"ALERT":{…}}), a JSON array or JSON Lines of them, or an incidents API answer {"incidents":[…]}`

// Importer reads Splunk On-Call files and webhook deliveries.
type Importer struct{}

// New returns the Splunk On-Call importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. A record or incident transition
// that cannot be read is rejected, naming its field, and the rest is kept.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	data, err := alertjson.ReadBytes(in, Source, want)
	if err != nil {
		return err
	}
	r := reader{opts: opts}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] != '{' && t[0] != '[' {
		return r.parseForms(ctx, in.Name, data, sink)
	}
	recs, err := alertjson.Split(data, in.Name, Source, want)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		reject := func(field, reason string) {
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Field: field, Reason: reason})
		}
		if rec.Err != "" {
			reject("", rec.Err)
			continue
		}
		alerts, problems, ok := r.record(rec.Data, "")
		if !ok {
			reject("", "is not a Splunk On-Call webhook payload, incident or incident list")
			continue
		}
		for _, p := range problems {
			reject(p.Field, p.Reason)
		}
		for _, a := range alerts {
			if err := sink.Event(a.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseDelivery implements importers.HookParser: one outgoing webhook, as
// JSON or form-encoded. A payload that cannot be read refuses the delivery.
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := reader{delivery: &d}
	body := strings.TrimSpace(string(d.Body))
	var (
		alerts   []importers.Alert
		problems []*alertjson.FieldError
	)
	switch {
	case body == "":
		return errors.New(`body: is empty, neither JSON nor form-encoded; want a Splunk On-Call outgoing webhook with ALERT.* fields`)
	// A JSON body sent as a form (curl -d without a Content-Type) is JSON.
	case body[0] != '{' && body[0] != '[':
		q, err := url.ParseQuery(body)
		if err != nil || len(q) == 0 {
			return errors.New(`body: neither JSON nor form-encoded; want a Splunk On-Call outgoing webhook with ALERT.* fields`)
		}
		f := fields{}
		for k, vs := range q {
			if len(vs) > 0 {
				f.set(k, vs[0])
			}
		}
		a, p := r.webhook(f, "")
		alerts, problems = []importers.Alert{a}, []*alertjson.FieldError{p}
	default:
		recs, err := alertjson.SplitBody(d.Body, "a Splunk On-Call outgoing webhook")
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if rec.Err != "" {
				return errors.New("body line " + strconv.Itoa(rec.Index) + ": " + rec.Err)
			}
			prefix := ""
			if len(recs) > 1 {
				prefix = "[" + strconv.Itoa(rec.Index-1) + "]"
			}
			as, ps, ok := r.record(rec.Data, prefix)
			if !ok {
				return errors.New(alertjson.FirstOf(prefix, "body") + ": want a Splunk On-Call outgoing webhook with ALERT.* fields (ALERT.entity_id, ALERT.message_type …)")
			}
			alerts, problems = append(alerts, as...), append(problems, ps...)
		}
	}
	for _, p := range problems {
		if p != nil {
			return p
		}
	}
	for _, a := range alerts {
		if err := sink.Event(a.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}

// reader reads the records of a file (opts) or of a delivery.
type reader struct {
	opts     importers.Options
	delivery *importers.Delivery
}

// record reads one JSON record: an incident list, one incident, or a
// webhook payload; ok is false for anything else.
func (r reader) record(raw json.RawMessage, prefix string) (alerts []importers.Alert, problems []*alertjson.FieldError, ok bool) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, nil, false
	}
	switch {
	case keys["incidents"] != nil:
		var list struct {
			Incidents []json.RawMessage `json:"incidents"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, []*alertjson.FieldError{alertjson.DecodeError(prefix, err)}, true
		}
		for i, inc := range list.Incidents {
			as, ps := r.incident(inc, alertjson.Join(prefix, "incidents["+strconv.Itoa(i)+"]"))
			alerts, problems = append(alerts, as...), append(problems, ps...)
		}
		return alerts, problems, true
	case keys["incidentNumber"] != nil:
		as, ps := r.incident(raw, prefix)
		return as, ps, true
	}
	f, err := flatten(raw)
	if err != nil {
		return nil, []*alertjson.FieldError{{Field: alertjson.FirstOf(prefix, "body"), Reason: err.Error()}}, true
	}
	if !f.isWebhook() {
		return nil, nil, false
	}
	a, p := r.webhook(f, prefix)
	if p != nil {
		return nil, []*alertjson.FieldError{p}, true
	}
	return []importers.Alert{a}, nil, true
}

// parseForms reads a file of form-encoded webhook captures, one delivery
// per line (as the hook receives them with Content-Type
// application/x-www-form-urlencoded).
func (r reader) parseForms(ctx context.Context, name string, data []byte, sink importers.Sink) error {
	line := 0
	for raw := range strings.SplitSeq(string(data), "\n") {
		line++
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		q, err := url.ParseQuery(raw)
		if err != nil || len(q) == 0 {
			sink.Reject(importers.Rejection{File: name, Line: line, Reason: "is neither JSON nor a form-encoded webhook (ALERT.entity_id=…&ALERT.message_type=…)"})
			continue
		}
		f := fields{}
		for k, vs := range q {
			if len(vs) > 0 {
				f.set(k, vs[0])
			}
		}
		a, p := r.webhook(f, "")
		if p != nil {
			sink.Reject(importers.Rejection{File: name, Line: line, Field: p.Field, Reason: p.Reason})
			continue
		}
		if err := sink.Event(a.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}
