// Package bugzilla imports Bugzilla bugs with their comments and change
// history as ticket events, from files of the REST API's JSON and by
// pulling bugs with an API key.
//
// A file may hold any of the REST answers alone — GET /rest/bug/{id}
// ({"bugs": [bug]}), GET /rest/bug/{id}/comment ({"bugs": {"<id>":
// {"comments": […]}}}), GET /rest/bug/{id}/history ({"bugs": [{"id",
// "history": […]}]}) — a combined record {"bug": …, "comments": […],
// "history": […], "base_url": …} as Client.Pull builds it, bare bug
// objects, or a JSON array or JSON Lines of these; the records of one
// file are merged per bug, so comments name the bug's summary. Comment 0
// is the bug's description and becomes the body of its "created" event.
// Private comments (is_private) are skipped: a post-mortem timeline is
// shared wider than a tracker's insiders group. Bugzilla has no webhooks
// of its own, so there is no hook parser.
package bugzilla

import (
	"context"
	"errors"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// Source is the importer's name.
const Source = "bugzilla"

const want = `Bugzilla REST answers (/rest/bug/{id}, its /comment or /history), a combined {"bug", "comments", "history"} record, a JSON array or JSON Lines of them`

// Importer reads Bugzilla REST JSON.
type Importer struct{}

// New returns the Bugzilla importer.
func New() Importer { return Importer{} }

// Source returns "bugzilla".
func (Importer) Source() string { return Source }

// Unwindowed implements importers.Unwindowed: a ticket's changes belong to
// the incident whenever they happen.
func (Importer) Unwindowed() {}

// Parse reads the file of in, merges what it holds per bug and hands sink
// every bug's events. Records that cannot be read are rejected and the
// others kept.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	recs, err := alertjson.Read(in, Source, want)
	if err != nil {
		return err
	}
	set := newBugSet()
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if rec.Err != "" {
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Reason: rec.Err})
			continue
		}
		if err := set.add(rec.Data, rec.Index); err != nil {
			var fe *alertjson.FieldError
			if !errors.As(err, &fe) {
				fe = alertjson.DecodeError("", err)
			}
			if rec.Whole && fe.Field == "" {
				return errors.New(Source + ": " + in.Name + ": " + fe.Reason + "; want " + want)
			}
			sink.Reject(importers.Rejection{File: in.Name, Line: rec.Index, Field: fe.Field, Reason: fe.Reason})
		}
	}
	return set.emit(opts, func(line int, f *alertjson.FieldError) {
		sink.Reject(importers.Rejection{File: in.Name, Line: line, Field: f.Field, Reason: f.Reason})
	}, sink)
}
