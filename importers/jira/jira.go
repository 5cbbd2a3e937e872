// Package jira imports Jira issues: REST API issue JSON (v2 with wiki
// markup bodies, Cloud v3 with Atlassian Document Format bodies) with
// comments, changelog and worklogs; search answers; webhook deliveries;
// and CSV exports. Every comment, changelog item and worklog becomes a
// ticket event whose id is stable, so a later pull of the same issue adds
// only what is new.
package jira

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is the source name of Jira events.
const Source = "jira"

// want says what a Jira file may hold, for errors.
const want = "a Jira issue (REST API v2/v3 JSON), a search answer {\"issues\":[…]}, a webhook payload, a JSON array or JSON Lines of them, or a Jira CSV export"

// Importer reads Jira files and webhook deliveries.
type Importer struct{}

// New returns the Jira importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Unwindowed implements importers.Unwindowed: a ticket's changes belong to
// the incident whenever they happen.
func (Importer) Unwindowed() {}

// Parse implements importers.Importer.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	data, err := alertjson.ReadBytes(in, Source, want)
	if err != nil {
		return err
	}
	if isCSV(data) {
		return parseCSV(ctx, data, in.Name, opts, sink)
	}
	recs, err := alertjson.Split(data, in.Name, Source, want)
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
		r := &collector{loc: opts.Location}
		v, err := alertjson.Value(rec.Data)
		if err != nil {
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Reason: "not readable JSON: " + err.Error()})
			continue
		}
		if err := r.record(v, ""); err != nil {
			if rec.Whole {
				return fmt.Errorf("%s: %s: %s; want %s", Source, in.Name, err, want)
			}
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Reason: err.Error()})
			continue
		}
		for _, rej := range r.rejects {
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Field: rej.Field, Reason: rej.Reason})
		}
		for _, e := range r.events {
			if err := sink.Event(e.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseDelivery implements importers.HookParser: one Jira webhook
// (jira:issue_created/updated/deleted, comment_created/updated/deleted,
// worklog_*). A field that cannot be read refuses the whole delivery.
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	v, err := alertjson.Value(d.Body)
	if err != nil {
		return fmt.Errorf("body: not JSON: %v; want a Jira webhook payload", err)
	}
	o, ok := alertjson.AsObject(v)
	if !ok || o.Str("webhookEvent") == "" {
		return fmt.Errorf("body: want a Jira webhook payload (an object with webhookEvent)")
	}
	r := &collector{delivery: &d}
	if err := r.webhook(o, ""); errors.Is(err, errNoIssue) {
		return nil // accepted; nothing to tie it to
	} else if err != nil {
		return err
	}
	if len(r.rejects) > 0 {
		return &r.rejects[0]
	}
	for _, e := range r.events {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := sink.Event(e.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}

// collector gathers the events of one record and what of it could not be
// read.
type collector struct {
	loc      *time.Location
	delivery *importers.Delivery
	events   []importers.TicketEvent
	rejects  []alertjson.FieldError
}

func (r *collector) reject(field, reason string) {
	r.rejects = append(r.rejects, alertjson.FieldError{Field: field, Reason: reason})
}

// record reads one JSON value: an issue, a search answer, a webhook or a
// list of them. A value of none of these shapes is an error.
func (r *collector) record(v any, prefix string) error {
	if list, ok := v.([]any); ok {
		for i, it := range list {
			if err := r.record(it, fmt.Sprintf("%s[%d]", prefix, i)); err != nil {
				r.reject(fmt.Sprintf("%s[%d]", prefix, i), err.Error())
			}
		}
		return nil
	}
	o, ok := alertjson.AsObject(v)
	if !ok {
		return fmt.Errorf("%snot a JSON object", at(prefix))
	}
	switch {
	case o.Str("webhookEvent") != "":
		return r.webhook(o, prefix)
	case o["issues"] != nil:
		issues, ok := o["issues"].([]any)
		if !ok {
			return fmt.Errorf("%s: not an array", alertjson.Join(prefix, "issues"))
		}
		for i, it := range issues {
			p := fmt.Sprintf("%s[%d]", alertjson.Join(prefix, "issues"), i)
			io, ok := alertjson.AsObject(it)
			if !ok {
				r.reject(p, "not a JSON object")
				continue
			}
			if err := r.issue(io, p); err != nil {
				r.reject(p, err.Error())
			}
		}
		return nil
	case o["key"] != nil || o["fields"] != nil:
		return r.issue(o, prefix)
	}
	if errs := o.List("errorMessages"); len(errs) > 0 {
		return fmt.Errorf("%sa Jira error answer: %s", at(prefix), alertjson.ValueText(errs[0]))
	}
	return fmt.Errorf("%snot a Jira issue, search answer or webhook (no key, issues or webhookEvent)", at(prefix))
}

func at(prefix string) string {
	if prefix == "" {
		return ""
	}
	return prefix + ": "
}

// ticket names the issue events belong to.
type ticket struct {
	key, url, title string
	incident        string
}

// ticketOf reads key, URL and title of an issue object.
func ticketOf(o alertjson.Object) ticket {
	fields, _ := alertjson.AsObject(o["fields"])
	t := ticket{key: alertjson.ID(o.Str("key")), title: plain(fields.Str("summary"))}
	if site := siteOf(o.Str("self")); site != "" && t.key != "" {
		t.url = alertjson.Link(site + "/browse/" + t.key)
	}
	var labels []string
	for _, l := range fields.List("labels") {
		labels = append(labels, alertjson.ValueText(l))
	}
	t.incident = alertjson.TagRef(labels)
	return t
}

// siteOf is the site of a REST "self" URL: https://acme.atlassian.net of
// https://acme.atlassian.net/rest/api/2/issue/10000.
func siteOf(self string) string {
	i := strings.Index(self, "/rest/")
	if i <= 0 {
		return ""
	}
	return alertjson.Link(self[:i])
}

// event fills the ticket's names into e and keeps it.
func (r *collector) add(t ticket, e importers.TicketEvent) {
	e.System, e.Key, e.URL, e.Title = Source, t.key, t.url, t.title
	e.ID = alertjson.ID(t.key + ":" + e.ID)
	if t.incident != "" {
		if e.Extra == nil {
			e.Extra = map[string]any{}
		}
		e.Extra["incident"] = t.incident
	}
	r.events = append(r.events, e)
}

// when reads a time field; the error names field.
func (r *collector) when(v any, field string) (time.Time, string, bool) {
	text := alertjson.ValueText(v)
	if text == "" {
		r.reject(field, "missing time")
		return time.Time{}, "", false
	}
	t, err := importers.ParseTime(text, r.loc)
	if d, derr := time.ParseInLocation("2006-01-02", text, orUTC(r.loc)); err != nil && derr == nil && incident.TimeInRange(d) {
		// A date-only field (an old export, a custom date): midnight local.
		t, err = d.UTC(), nil
	}
	if err != nil {
		r.reject(field, err.Error())
		return time.Time{}, "", false
	}
	return t, text, true
}

// person is the display name of a Jira user object (or a name string).
func person(v any) string {
	if s, ok := v.(string); ok {
		return alertjson.Name(s)
	}
	o, _ := alertjson.AsObject(v)
	return alertjson.Name(o.Str("displayName", "name", "emailAddress"))
}

// body converts a description or comment body: wiki markup (a string) or
// ADF (an object); rendered is the HTML of renderedFields, used when the
// body is missing.
func body(v any, rendered string) string {
	var s string
	switch x := v.(type) {
	case string:
		s = WikiToMarkdown(x)
	case map[string]any:
		s = adfMarkdown(x)
	}
	if strings.TrimSpace(s) == "" && rendered != "" {
		s = chatmarkup.Markdown(rendered)
	}
	return clip(s)
}

func clip(s string) string {
	if r := []rune(s); len(r) > alertjson.MaxText {
		return string(r[:alertjson.MaxText])
	}
	return s
}

// short caps a changed value (a whole old description, say) for the
// event's head line.
func short(s string) string {
	s = plain(s)
	if r := []rune(s); len(r) > 500 {
		return string(r[:500]) + "…"
	}
	return s
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// plain is a title or changed value as plain text that cannot open an HTML
// tag: it lands in the event's head line.
func plain(s string) string {
	return chatmarkup.Escape(clip(importers.NormalizeText(s)))
}
