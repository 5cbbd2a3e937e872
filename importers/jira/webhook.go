package jira

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// errNoIssue is a worklog or comment delivery without its issue (Jira
// Cloud sends worklog_* with only worklog.issueId): it cannot be tied to
// an issue key, so a hook accepts it with no events and a file import
// rejects it.
var errNoIssue = errors.New("the delivery names no issue (Jira sends some worklog and comment events without it); pull the issue instead")

// webhook reads one webhook payload: jira:issue_created/updated/deleted
// with the issue and, for updates, "changelog":{"id","items"};
// comment_created/updated/deleted with "comment" and "issue";
// worklog_created/updated with "worklog". Other events are kept as
// subtype other.
func (r *collector) webhook(o alertjson.Object, prefix string) error {
	event := o.Str("webhookEvent")
	issue, ok := alertjson.AsObject(o["issue"])
	if !ok && (strings.HasPrefix(event, "worklog_") || strings.HasPrefix(event, "comment_")) {
		return errNoIssue
	}
	if !ok {
		return &alertjson.FieldError{Field: alertjson.Join(prefix, "issue"), Reason: "missing; a Jira webhook names its issue"}
	}
	t := ticketOf(issue)
	if t.key == "" {
		return &alertjson.FieldError{Field: alertjson.Join(prefix, "issue.key"), Reason: "missing"}
	}
	at, text, ok := r.hookTime(o, issue, prefix)
	if !ok {
		return nil
	}
	actor := person(o["user"])
	changed := false
	if cl, ok := alertjson.AsObject(o["changelog"]); ok && len(cl.List("items")) > 0 {
		if id := cl.Str("id"); id != "" {
			r.items(t, id, cl.List("items"), actor, at, text, alertjson.Join(prefix, "changelog.items"))
			changed = true
		}
	}
	switch {
	case event == "jira:issue_created":
		sub := *r
		sub.events, sub.rejects = nil, nil
		_ = sub.issue(issue, alertjson.Join(prefix, "issue"))
		// Only the creation: comments and history of the issue object come
		// with their own deliveries.
		created := false
		for _, e := range sub.events {
			if e.Subtype == importers.TicketCreated {
				r.events = append(r.events, e)
				created = true
			}
		}
		r.rejects = append(r.rejects, sub.rejects...)
		if !created && len(sub.rejects) == 0 {
			// An issue object without its created time: the delivery's.
			r.add(t, importers.TicketEvent{ID: importers.TicketCreated, At: at, AtText: text, Subtype: importers.TicketCreated, Actor: actor})
		}
		return nil
	case strings.HasPrefix(event, "comment_") && event != "comment_deleted":
		co, ok := alertjson.AsObject(o["comment"])
		if !ok {
			return &alertjson.FieldError{Field: alertjson.Join(prefix, "comment"), Reason: "missing"}
		}
		r.comment(t, co, "", alertjson.Join(prefix, "comment"), event == "comment_updated")
		return nil
	case strings.HasPrefix(event, "worklog_") || event == "jira:worklog_updated":
		if wo, ok := alertjson.AsObject(o["worklog"]); ok && event != "worklog_deleted" {
			r.worklog(t, wo, alertjson.Join(prefix, "worklog"))
			return nil
		}
	case event == "jira:issue_updated":
		// Jira Server sends comments inside issue_updated
		// (issue_event_type_name issue_commented).
		if co, ok := alertjson.AsObject(o["comment"]); ok {
			r.comment(t, co, "", alertjson.Join(prefix, "comment"), o.Str("issue_event_type_name") == "issue_comment_edited")
			return nil
		}
	}
	if changed {
		return nil
	}
	what := strings.TrimPrefix(event, "jira:")
	if typ := o.Str("issue_event_type_name"); typ != "" && event == "jira:issue_updated" {
		what = typ
	}
	r.add(t, importers.TicketEvent{ID: "event:" + what + ":" + importers.IDTime(text), At: at, AtText: text,
		Subtype: importers.TicketOther, Actor: actor, Body: plain(strings.ReplaceAll(what, "_", " ")),
		Extra: map[string]any{"webhook_event": event}})
	return nil
}

// hookTime is the delivery's time: "timestamp" (Unix ms), else the issue's
// updated time, else when the delivery was received.
func (r *collector) hookTime(o, issue alertjson.Object, prefix string) (time.Time, string, bool) {
	if o["timestamp"] != nil {
		return r.when(o["timestamp"], alertjson.Join(prefix, "timestamp"))
	}
	if r.delivery != nil {
		at, text := importers.DeliveryTime(*r.delivery)
		return at, text, true
	}
	fields, _ := alertjson.AsObject(issue["fields"])
	return r.when(fields["updated"], alertjson.Join(prefix, "issue.fields.updated"))
}

// SignatureHeader carries the HMAC-SHA256 of the body ("sha256=<hex>")
// that Jira Cloud sends when an admin webhook has a secret.
const SignatureHeader = "X-Hub-Signature"

// VerifySignature implements importers.SignatureVerifier: the body's
// HMAC-SHA256 with secret must match the X-Hub-Signature header.
func (Importer) VerifySignature(d importers.Delivery, secret string) error {
	if secret == "" {
		return fmt.Errorf("%w: no signing secret is configured", importers.ErrBadSignature)
	}
	h := strings.TrimSpace(d.Header.Get(SignatureHeader))
	if h == "" {
		return fmt.Errorf("%w: the %s header is missing", importers.ErrBadSignature, SignatureHeader)
	}
	v, found := strings.CutPrefix(h, "sha256=")
	if !found {
		return fmt.Errorf("%w: %s is not \"sha256=<hex>\"", importers.ErrBadSignature, SignatureHeader)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.Body)
	got, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%w: the %s does not match", importers.ErrBadSignature, SignatureHeader)
	}
	return nil
}
