// Package redmine imports Redmine issues with their journals (notes,
// status, assignee, priority and custom field changes) as ticket events,
// from files of the REST API's JSON and by pulling issues with an API key.
//
// Files may hold one issue answer ({"issue": …}, as GET
// /issues/{id}.json?include=journals,attachments gives), an issue list
// ({"issues": […], "total_count", "offset", "limit"}), bare issue objects,
// a JSON array or JSON Lines of any of these. An issue answer may carry
// lookups of its own ("statuses" or "issue_statuses", "priorities" or
// "issue_priorities", "users", "base_url"), as Client.Pull builds them, so
// the ids in journal details read as names. Redmine has no webhooks of its
// own, so there is no hook parser. Private notes are skipped: a
// post-mortem timeline is shared wider than the tracker's private notes.
package redmine

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the importer's name.
const Source = "redmine"

const want = `a Redmine issue answer {"issue": …}, an issue list {"issues": […]}, issue objects, a JSON array or JSON Lines of them`

// Importer reads Redmine issue JSON.
type Importer struct{}

// New returns the Redmine importer.
func New() Importer { return Importer{} }

// Source returns "redmine".
func (Importer) Source() string { return Source }

// Unwindowed implements importers.Unwindowed: a ticket's changes belong to
// the incident whenever they happen.
func (Importer) Unwindowed() {}

// Parse reads the file of in and hands sink the events of every issue in it.
// An issue that cannot be read is rejected and the others kept.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, Source, want)
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
		answers, err := decodeRecord(rec.Data)
		if err != nil {
			if rec.Whole {
				var fe *alertjson.FieldError
				if errors.As(err, &fe) && fe.Field == "" {
					return errors.New(Source + ": " + in.Name + ": " + fe.Reason + "; want " + want)
				}
			}
			reject(sink, in.Name, rec.Index, "", err)
			continue
		}
		for i, a := range answers {
			prefix := ""
			if len(answers) > 1 || a.listed {
				prefix = "issues[" + strconv.Itoa(i) + "]"
			}
			evs, err := a.events(opts)
			if err != nil {
				reject(sink, in.Name, rec.Index, prefix, err)
				continue
			}
			for _, e := range evs {
				if err := sink.Event(e.Event(Source)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// reject reports err (a FieldError or a decoding error) under prefix.
func reject(sink importers.Sink, file string, line int, prefix string, err error) {
	var fe *alertjson.FieldError
	if !errors.As(err, &fe) {
		fe = alertjson.DecodeError(prefix, err)
	} else if prefix != "" {
		fe = &alertjson.FieldError{Field: alertjson.Join(prefix, fe.Field), Reason: fe.Reason}
	}
	sink.Reject(importers.Rejection{File: file, Line: line, Field: fe.Field, Reason: fe.Reason})
}

// envelope is every shape a record may have: an issue answer with its
// optional lookups, an issue list, or a bare issue (read separately).
type envelope struct {
	Issue         json.RawMessage   `json:"issue"`
	Issues        []json.RawMessage `json:"issues"`
	Statuses      []named           `json:"statuses"`
	IssueStatuses []named           `json:"issue_statuses"`
	Priorities    []named           `json:"priorities"`
	IssuePriors   []named           `json:"issue_priorities"`
	Users         []named           `json:"users"`
	BaseURL       alertjson.Text    `json:"base_url"`
}

// decodeRecord reads one record into the issues it holds, each with the
// record's lookups.
func decodeRecord(data json.RawMessage) ([]answer, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, &alertjson.FieldError{Reason: "not a JSON object"}
	}
	var env envelope
	if err := alertjson.Decode(data, &env); err != nil {
		return nil, err
	}
	lk := newLookups(env)
	var raws []json.RawMessage
	listed := false
	switch {
	case len(env.Issue) > 0 && string(env.Issue) != "null":
		raws = []json.RawMessage{env.Issue}
	case probe["issues"] != nil:
		raws, listed = env.Issues, true
	case probe["id"] != nil && (probe["subject"] != nil || probe["journals"] != nil || probe["created_on"] != nil):
		raws = []json.RawMessage{data}
	default:
		return nil, &alertjson.FieldError{Reason: "not a Redmine issue (no \"issue\", \"issues\" or issue \"id\" and \"subject\")"}
	}
	out := make([]answer, 0, len(raws))
	for _, raw := range raws {
		out = append(out, answer{raw: raw, lookups: lk, listed: listed})
	}
	return out, nil
}
