// Package github imports GitHub issues: the REST API's issue, comment and
// issue-event (or timeline) JSON, a combined file {"issue", "comments",
// "events"} as "hindsight pull github" reads it, and the "issues" and
// "issue_comment" webhook payloads, as ticket events.
package github

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the events' source.
const Source = "github"

// SignatureHeader carries the webhook's HMAC-SHA256 of the body.
const SignatureHeader = "X-Hub-Signature-256"

// EventHeader names the webhook's event ("issues", "issue_comment", "ping").
const EventHeader = "X-GitHub-Event"

// want describes the accepted files in errors.
const want = "a GitHub issue, comment or issue-event JSON object, an array or JSON Lines of them, a combined {\"issue\", \"comments\", \"events\"} file, or issues / issue_comment webhook payloads"

// Importer reads GitHub issue JSON and webhooks.
type Importer struct{}

// New returns the GitHub importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Unwindowed implements importers.Unwindowed: a ticket's changes belong to
// the incident whenever they happen.
func (Importer) Unwindowed() {}

// Parse implements importers.Importer. Each record is read on its own;
// issue events carry no issue of their own, so a file holding them must
// also hold exactly one issue (JSON Lines of an issue and its events, or
// the combined file); otherwise they are rejected.
func (Importer) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, Source, want)
	if err != nil {
		return err
	}
	type rec struct {
		line int
		o    alertjson.Object
	}
	var objs []rec
	keys := map[string]issueRef{}
	for _, r := range recs {
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
		if ref, ok := recordIssue(o); ok {
			keys[ref.Key] = ref
		}
		objs = append(objs, rec{r.Index, o})
	}
	var only *issueRef
	if len(keys) == 1 {
		for _, ref := range keys {
			only = &ref
		}
	}
	for _, r := range objs {
		if err := ctx.Err(); err != nil {
			return err
		}
		evs, err := record(r.o, only, importers.Delivery{})
		var fe *alertjson.FieldError
		if errors.As(err, &fe) {
			sink.Reject(importers.Rejection{File: in.Name, Line: r.line, Field: fe.Field, Reason: fe.Reason})
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

// ParseDelivery implements importers.HookParser for the "issues" and
// "issue_comment" webhooks (other events are kept as "other" when they
// name an issue, else refused).
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	switch ev := strings.TrimSpace(d.Header.Get(EventHeader)); ev {
	case "ping":
		return nil // sent once when the webhook is created: nothing happened
	case "", "issues", "issue_comment":
	default:
		return &alertjson.FieldError{Field: EventHeader, Reason: strconv.Quote(ev) + " deliveries are not read; send issues and issue_comment events"}
	}
	recs, err := alertjson.SplitBody(d.Body, "a GitHub issues or issue_comment webhook payload")
	if err != nil {
		return err
	}
	var all []importers.TicketEvent
	for _, r := range recs {
		prefix := ""
		if !r.Whole {
			prefix = fmt.Sprintf("[%d]", r.Index-1)
		}
		if r.Err != "" {
			return &alertjson.FieldError{Field: prefix, Reason: r.Err}
		}
		v, err := alertjson.Value(r.Data)
		o, ok := alertjson.AsObject(v)
		if err != nil || !ok {
			return &alertjson.FieldError{Field: prefix, Reason: "not a JSON object"}
		}
		if _, ok := o["action"]; !ok {
			return &alertjson.FieldError{Field: alertjson.Join(prefix, "action"), Reason: "is missing; want an issues or issue_comment webhook payload"}
		}
		evs, err := record(o, nil, d)
		if err != nil {
			var fe *alertjson.FieldError
			if errors.As(err, &fe) {
				return &alertjson.FieldError{Field: alertjson.Join(prefix, fe.Field), Reason: fe.Reason}
			}
			return err
		}
		all = append(all, evs...)
	}
	for _, t := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := sink.Event(t.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}

// VerifySignature implements importers.SignatureVerifier: the
// X-Hub-Signature-256 header is "sha256=" and the hex HMAC-SHA256 of the
// body under the webhook's secret.
func (Importer) VerifySignature(d importers.Delivery, secret string) error {
	if secret == "" {
		return fmt.Errorf("%w: no signing secret is configured", importers.ErrBadSignature)
	}
	h := strings.TrimSpace(d.Header.Get(SignatureHeader))
	if h == "" {
		return fmt.Errorf("%w: the %s header is missing", importers.ErrBadSignature, SignatureHeader)
	}
	v, ok := strings.CutPrefix(h, "sha256=")
	got, err := hex.DecodeString(v)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.Body)
	if !ok || err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%w: %s does not match the body", importers.ErrBadSignature, SignatureHeader)
	}
	return nil
}
