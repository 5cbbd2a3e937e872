// Package opsgenie reads OpsGenie alert activity: the alert action
// payloads of the Webhook integration (live, and saved to files), and the
// Alert API's answers (an alert, a list of alerts, and an alert together
// with its logs), and pulls alerts and their logs by id or time window.
//
// Webhook payloads carry no event id. An event's dedupe key is
// StableID(alert id, action, alert.updatedAt, the action's own field such
// as the note); Escalate, which has no updatedAt, uses the escalation's id,
// time and repeat count. A redelivery thus adds nothing, and two notes on
// one alert stay two events. An alert's creation has one key however it
// is read (webhook Create, the API's alert, or its creation log).
//
// The logs of GET /v2/alerts/{id}/logs do not name their alert, so a file
// of logs must hold the alert with them:
//
//	{"alert": <GET /v2/alerts/{id} answer or its "data">,
//	 "logs":  <GET /v2/alerts/{id}/logs answer or its "data" list>}
//
// which is also how the pull reads them. An alert without logs becomes its
// creation, plus the first acknowledgement and the close its report
// gives. Log lines carry no action name: their text says what happened
// ("Alert acknowledged via web"), and lines that say nothing known are
// kept as "other" events.
//
// The service is the detail "service", else a tag "service:<name>", else
// the entity; the host is the detail "host" (or "hostname"), else the
// entity.
//
// A Hindsight incident is named by an alert detail (extra property)
// "incident" or "hindsight_incident", or a tag "hindsight:INC-7" (also
// "incident:INC-7"). OpsGenie sends details only with Create, so later
// actions of the alert carry the ref only when it is a tag.
package opsgenie

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source name.
const Source = "opsgenie"

const wantShapes = `an OpsGenie webhook payload {"action":…,"alert":…}, an Alert API answer {"data":…}, an alert with its logs {"alert":…,"logs":[…]}, a JSON array or JSON Lines of these`

// Importer reads OpsGenie files and webhook deliveries.
type Importer struct {
	// AppURL is the web app alert links point into (DefaultAppURL when
	// empty; https://app.eu.opsgenie.com for EU accounts).
	AppURL string
}

// New returns the OpsGenie importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer.
func (imp Importer) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, Source, wantShapes)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if rec.Err != "" {
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Reason: rec.Err})
			continue
		}
		alerts, bad, err := imp.decode(rec.Data, nil)
		if err != nil {
			var fe *alertjson.FieldError
			if rec.Whole || !errors.As(err, &fe) {
				return fmt.Errorf("%s: %w", in.Name, err)
			}
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Field: fe.Field, Reason: fe.Reason})
			continue
		}
		for _, b := range bad {
			line := rec.Index
			if rec.Whole {
				line = b.index
			}
			sink.Reject(importers.Rejection{File: in.Name, Line: line, Field: b.Field, Reason: b.Reason})
		}
		if err := emit(alerts, sink); err != nil {
			return err
		}
	}
	return nil
}

// ParseDelivery implements importers.HookParser for the Webhook
// integration's alert actions. OpsGenie does not sign deliveries: the
// hook's token authenticates them.
func (imp Importer) ParseDelivery(_ context.Context, d importers.Delivery, sink importers.Sink) error {
	if !json.Valid(d.Body) {
		return errors.New(`body: not JSON; want an OpsGenie webhook payload {"action":…,"alert":…}`)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(d.Body, &top); err != nil {
		return errors.New(`body: not a JSON object; want an OpsGenie webhook payload {"action":…,"alert":…}`)
	}
	if top["action"] == nil {
		return &alertjson.FieldError{Field: "action", Reason: `is missing; want an OpsGenie webhook payload {"action":…,"alert":…}`}
	}
	a, err := webhookAlert(d.Body, imp.AppURL, func() (time.Time, string) { return importers.DeliveryTime(d) })
	if err != nil {
		return err
	}
	return emit([]importers.Alert{a}, sink)
}

// badPart is one unreadable part of a record (a log, a listed alert) when
// the rest can be read; index is its 1-based position.
type badPart struct {
	alertjson.FieldError
	index int
}

// decode reads one record of any accepted shape.
func (imp Importer) decode(raw json.RawMessage, now func() (time.Time, string)) ([]importers.Alert, []badPart, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, nil, &alertjson.FieldError{Field: "", Reason: "not a JSON object; want " + wantShapes}
	}
	switch {
	case top["action"] != nil:
		a, err := webhookAlert(raw, imp.AppURL, now)
		if err != nil {
			return nil, nil, err
		}
		return []importers.Alert{a}, nil, nil
	case top["alert"] != nil && top["logs"] != nil:
		al, err := decodeAlert(top["alert"], "alert")
		if err != nil {
			return nil, nil, err
		}
		logs, field, err := listIn(top["logs"], "logs")
		if err != nil {
			return nil, nil, err
		}
		if len(logs) == 0 {
			out, err := alertAlerts(al, "alert", imp.AppURL)
			return out, nil, err
		}
		out, bad := logsAlerts(al, logs, field, imp.AppURL)
		return out, bad, nil
	case top["data"] != nil:
		d := trimmed(top["data"])
		if len(d) > 0 && d[0] == '{' {
			al, err := decodeAlert(d, "data")
			if err != nil {
				return nil, nil, err
			}
			out, err := alertAlerts(al, "data", imp.AppURL)
			return out, nil, err
		}
		items, _, err := listIn(d, "data")
		if err != nil {
			return nil, nil, err
		}
		var out []importers.Alert
		var bad []badPart
		for i, it := range items {
			at := "data[" + strconv.Itoa(i) + "]"
			var probe map[string]json.RawMessage
			if json.Unmarshal(it, &probe) == nil && probe["log"] != nil {
				return nil, nil, &alertjson.FieldError{Field: "data", Reason: `holds alert logs, which do not name their alert: save them as {"alert":…,"logs":[…]}`}
			}
			al, err := decodeAlert(it, at)
			if err == nil {
				var got []importers.Alert
				got, err = alertAlerts(al, at, imp.AppURL)
				out = append(out, got...)
			}
			var fe *alertjson.FieldError
			if errors.As(err, &fe) {
				bad = append(bad, badPart{*fe, i + 1})
			}
		}
		return out, bad, nil
	case top["id"] != nil && (top["message"] != nil || top["tinyId"] != nil):
		al, err := decodeAlert(raw, "")
		if err != nil {
			return nil, nil, err
		}
		out, err := alertAlerts(al, "", imp.AppURL)
		return out, nil, err
	}
	return nil, nil, &alertjson.FieldError{Field: "", Reason: "is none of the known shapes; want " + wantShapes}
}

// listIn reads a list, or the "data" list of an API answer; the field
// names where the items are.
func listIn(raw json.RawMessage, at string) ([]json.RawMessage, string, error) {
	raw = trimmed(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var wrap struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &wrap); err != nil {
			return nil, "", &alertjson.FieldError{Field: at, Reason: "is not a list"}
		}
		raw, at = trimmed(wrap.Data), at+".data"
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, "", &alertjson.FieldError{Field: at, Reason: "is not a list"}
	}
	return items, at, nil
}

func trimmed(raw json.RawMessage) json.RawMessage {
	return json.RawMessage(strings.TrimSpace(string(raw)))
}

func emit(alerts []importers.Alert, sink importers.Sink) error {
	for _, a := range alerts {
		if err := sink.Event(a.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}
