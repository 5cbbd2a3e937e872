// Package pagerduty reads PagerDuty incident activity: webhooks v3 (live,
// signed with X-PagerDuty-Signature), legacy v2 webhooks ({"messages":
// [...]}), and the REST API's log entries ({"log_entries": [...]} lists,
// newest first, and single {"log_entry": {...}} answers), and pulls log
// entries by incident id or time window.
//
// Every event is an alert event whose thread is the PagerDuty incident id.
// Its dedupe key is the webhook v3 event id, the v2 message id or the log
// entry id, so a redelivered webhook or a repeated pull adds nothing; the
// three ways of reading do not share keys, so one incident read by webhook
// and by pull keeps both copies.
//
// A Hindsight incident is named only by explicit fields, never guessed
// from text such as the title: an incident custom field, or a custom
// detail of the triggering event (Events API custom_details, seen as the
// trigger log entry's channel.details or the alert body's
// cef_details.details), named "incident" or "hindsight_incident" (any
// case) with a value such as "INC-7". Within one file, delivery or pull,
// the ref found on any event of a PagerDuty incident is given to all its
// events.
package pagerduty

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
const Source = "pagerduty"

// SignatureHeader carries a webhook v3 delivery's signatures.
const SignatureHeader = "X-PagerDuty-Signature"

const wantShapes = `a PagerDuty webhook v3 payload {"event":…}, a v2 webhook {"messages":[…]}, a REST log_entries answer {"log_entries":[…]} or {"log_entry":…}, a JSON array or JSON Lines of these`

// Importer reads PagerDuty files and webhook deliveries.
type Importer struct{}

// New returns the PagerDuty importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer: one payload or API answer, a JSON
// array of them, or JSON Lines (one per line).
func (Importer) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, Source, wantShapes)
	if err != nil {
		return err
	}
	var out []importers.Alert
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if rec.Err != "" {
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Reason: rec.Err})
			continue
		}
		alerts, bad, err := decode(rec.Data, nil, true)
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
		out = append(out, alerts...)
	}
	return emit(out, sink)
}

// ParseDelivery implements importers.HookParser for webhook v3 and v2
// deliveries. Any part that cannot be read refuses the whole delivery.
func (Importer) ParseDelivery(_ context.Context, d importers.Delivery, sink importers.Sink) error {
	if !json.Valid(d.Body) {
		return errors.New(`body: not JSON; want a PagerDuty webhook v3 {"event":…} or v2 {"messages":[…]} payload`)
	}
	now := func() (time.Time, string) { return importers.DeliveryTime(d) }
	alerts, bad, err := decode(d.Body, now, false)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return &bad[0].FieldError
	}
	return emit(alerts, sink)
}

// VerifySignature implements importers.SignatureVerifier: the header holds
// one or more comma-separated "v1=<hex HMAC-SHA256 of the body>" (several
// while a secret is rotated); one match is enough.
func (Importer) VerifySignature(d importers.Delivery, secret string) error {
	if secret == "" {
		return fmt.Errorf("%w: no signing secret is configured", importers.ErrBadSignature)
	}
	h := strings.TrimSpace(strings.Join(d.Header.Values(SignatureHeader), ","))
	if h == "" {
		return fmt.Errorf("%w: the %s header is missing", importers.ErrBadSignature, SignatureHeader)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.Body)
	want := mac.Sum(nil)
	ok := false
	for _, sig := range strings.Split(h, ",") {
		v, found := strings.CutPrefix(strings.TrimSpace(sig), "v1=")
		if !found {
			continue
		}
		got, err := hex.DecodeString(strings.TrimSpace(v))
		if err == nil && hmac.Equal(got, want) {
			ok = true // keep going: the time taken does not say which matched
		}
	}
	if !ok {
		return fmt.Errorf("%w: no v1 signature in %s matches", importers.ErrBadSignature, SignatureHeader)
	}
	return nil
}

// badPart is one unreadable part of a payload (a v2 message, a log entry)
// when the rest can be read; index is its 1-based position.
type badPart struct {
	alertjson.FieldError
	index int
}

// decode reads one JSON value of any accepted shape. Unreadable parts of
// lists come back in bad; an unknown shape or an unreadable single event
// is an error. apiShapes admits the REST answers (files and pulls).
func decode(raw json.RawMessage, now func() (time.Time, string), apiShapes bool) ([]importers.Alert, []badPart, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, nil, &alertjson.FieldError{Field: "", Reason: "not a JSON object; want " + wantShapes}
	}
	list := func(key string, one func(json.RawMessage, string) (importers.Alert, error)) ([]importers.Alert, []badPart, error) {
		var items []json.RawMessage
		if err := json.Unmarshal(top[key], &items); err != nil {
			return nil, nil, &alertjson.FieldError{Field: key, Reason: "is not a list"}
		}
		var out []importers.Alert
		var bad []badPart
		for i, it := range items {
			a, err := one(it, key+"["+strconv.Itoa(i)+"]")
			var fe *alertjson.FieldError
			if errors.As(err, &fe) {
				bad = append(bad, badPart{*fe, i + 1})
				continue
			}
			out = append(out, a)
		}
		return out, bad, nil
	}
	switch {
	case top["event"] != nil:
		a, err := v3Alert(raw, now)
		if err != nil {
			return nil, nil, err
		}
		return []importers.Alert{a}, nil, nil
	case top["messages"] != nil:
		return list("messages", v2Alert)
	case apiShapes && top["log_entries"] != nil:
		return list("log_entries", logAlert)
	case apiShapes && top["log_entry"] != nil:
		a, err := logAlert(top["log_entry"], "log_entry")
		if err != nil {
			return nil, nil, err
		}
		return []importers.Alert{a}, nil, nil
	case apiShapes && strings.HasSuffix(alertjson.Scalar(top["type"]), "_log_entry"):
		a, err := logAlert(raw, "")
		if err != nil {
			return nil, nil, err
		}
		return []importers.Alert{a}, nil, nil
	}
	if !apiShapes {
		return nil, nil, &alertjson.FieldError{Field: "event", Reason: `is missing; want a PagerDuty webhook v3 {"event":…} or v2 {"messages":[…]} payload`}
	}
	return nil, nil, &alertjson.FieldError{Field: "", Reason: "is none of the known shapes; want " + wantShapes}
}

// emit gives every event of a PagerDuty incident the Hindsight incident
// ref any of them names, then hands them to sink.
func emit(alerts []importers.Alert, sink importers.Sink) error {
	refs := map[string]string{}
	for _, a := range alerts {
		if a.AlertID != "" && a.IncidentRef != "" && refs[a.AlertID] == "" {
			refs[a.AlertID] = a.IncidentRef
		}
	}
	for _, a := range alerts {
		if a.IncidentRef == "" {
			a.IncidentRef = refs[a.AlertID]
		}
		if err := sink.Event(a.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}
