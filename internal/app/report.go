package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/report"
	"github.com/hindsightrca/hindsight/internal/store"
)

// maxReportEvents bounds the key events one report shows.
const maxReportEvents = 5000

// Report composes the incident's RCA for an audience (see report.Build),
// with each section's HTML rendered through the sanitizing pipeline. An
// incident without an RCA gives a document without sections.
//
// Public and customer-success readers get the latest published version of
// the RCA: while a published RCA is amended, they keep reading what was
// published. An RCA never published reaches them as the current draft,
// marked as such (Document.Draft). Internal readers get the current text.
//
// A section too large for the Markdown pipeline is an error wrapping
// markdown.ErrTooLarge.
func (a *App) Report(ctx context.Context, ref string, audience incident.Audience) (report.Document, error) {
	d, err := a.document(ctx, ref, audience)
	if err != nil {
		return report.Document{}, err
	}
	if err := report.RenderSectionsHTML(&d, a.md); err != nil {
		return report.Document{}, err
	}
	return d, nil
}

// document composes the report of Report without rendering its HTML.
func (a *App) document(ctx context.Context, ref string, audience incident.Audience) (report.Document, error) {
	if !audience.Valid() {
		return report.Document{}, incident.Invalid("audience", "must be one of public, customer_success, internal")
	}
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return report.Document{}, err
	}
	rca, err := a.store.RCA(ctx, inc.ID)
	if err != nil && !errors.Is(err, incident.ErrNotFound) {
		return report.Document{}, err
	}
	if audience != incident.AudienceInternal {
		if rca, err = a.publishedRCA(ctx, rca); err != nil {
			return report.Document{}, err
		}
	}
	causes, err := a.store.RootCauses(ctx, inc.ID)
	if err != nil {
		return report.Document{}, err
	}
	events, err := a.reportEvents(ctx, inc.ID, causes)
	if err != nil {
		return report.Document{}, err
	}
	actions, err := a.allActions(ctx, inc.ID)
	if err != nil {
		return report.Document{}, err
	}
	return report.Build(inc, rca, events, causes, actions, audience), nil
}

// revisionPage is how many revisions publishedRCA reads at a time.
const revisionPage = 50

// publishedRCA returns the RCA as it was last published: cur itself when it
// is published or was never published, else cur with the sections of its
// latest published revision.
func (a *App) publishedRCA(ctx context.Context, cur incident.RCA) (incident.RCA, error) {
	if cur.ID == 0 || cur.Status == incident.RCAPublished || cur.PublishedAt == nil {
		return cur, nil
	}
	for before := 0; ; {
		revs, err := a.store.RCARevisionsPage(ctx, cur.ID, before, revisionPage)
		if err != nil {
			return incident.RCA{}, err
		}
		for _, rev := range revs {
			if rev.Status == incident.RCAPublished {
				out := cur
				out.Status, out.Sections, out.Version = incident.RCAPublished, rev.Sections, rev.Version
				return out, nil
			}
		}
		if len(revs) < revisionPage {
			return cur, nil // no published revision kept: the draft, marked so
		}
		before = revs[len(revs)-1].Version
	}
}

// reportEvents loads the key events and the events the root causes cite.
func (a *App) reportEvents(ctx context.Context, incidentID int64, causes []incident.RootCause) ([]incident.TimelineEvent, error) {
	var out []incident.TimelineEvent
	f := incident.TimelineFilter{IncidentID: incidentID, KeyOnly: true, Limit: incident.MaxLimit}
	for len(out) < maxReportEvents {
		items, _, err := a.store.TimelineEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(items) <= f.Limit {
			out = append(out, items...)
			break
		}
		out = append(out, items[:f.Limit]...)
		c := store.EventCursor(items[f.Limit-1])
		f.Cursor = &c
	}
	have := make(map[int64]bool, len(out))
	for _, e := range out {
		have[e.ID] = true
	}
	for _, rc := range causes {
		for _, id := range rc.EvidenceEventIDs {
			if have[id] {
				continue
			}
			have[id] = true
			e, err := a.store.TimelineEvent(ctx, id)
			if errors.Is(err, incident.ErrNotFound) || (err == nil && e.IncidentID != incidentID) {
				continue // deleted since it was cited
			}
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// allActions loads every corrective action of an incident.
func (a *App) allActions(ctx context.Context, incidentID int64) ([]incident.CorrectiveAction, error) {
	var out []incident.CorrectiveAction
	f := incident.ActionFilter{IncidentID: incidentID, Limit: incident.MaxLimit, Today: a.Today(), Viewer: viewerFrom(ctx)}
	for {
		items, _, err := a.store.Actions(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(items) <= f.Limit {
			return append(out, items...), nil
		}
		out = append(out, items[:f.Limit]...)
		c := store.ActionCursor(items[f.Limit-1])
		f.Cursor = &c
	}
}

// Export renders the incident's report for an audience in a format (md,
// html, pdf or json). PDF needs Chromium: without it the error wraps
// report.ErrPDFUnavailable.
func (a *App) Export(ctx context.Context, ref, format string, audience incident.Audience) (report.Export, error) {
	format, err := report.ParseFormat(format)
	if err != nil {
		return report.Export{}, err
	}
	chromium := ""
	if format == report.FormatPDF { // fail fast, before any work
		if chromium, err = report.FindChromium(a.chromium); err != nil {
			return report.Export{}, err
		}
	}
	// Markdown and JSON carry the Markdown: only HTML and PDF render it.
	d, err := a.document(ctx, ref, audience)
	if err != nil {
		return report.Export{}, err
	}
	var data []byte
	switch format {
	case report.FormatMarkdown:
		data, err = report.RenderMarkdown(d)
	case report.FormatJSON:
		data, err = report.RenderJSON(d)
	case report.FormatHTML, report.FormatPDF:
		data, err = report.RenderHTML(d, a.md) // renders the sections' HTML
		if err == nil && format == report.FormatPDF {
			data, err = report.PDF(ctx, chromium, data)
		}
	}
	if err != nil {
		return report.Export{}, err
	}
	return report.Export{FileName: report.FileName(d.Incident, format), ContentType: report.ContentType(format), Data: data}, nil
}

// ImportDocument creates a new incident from an imported Markdown export,
// with its RCA, timeline events, root causes and corrective actions, all in
// one transaction: either everything is there afterwards or nothing is.
// The incident gets the next key of this database.
func (a *App) ImportDocument(ctx context.Context, imp report.Imported) (incident.Incident, error) {
	return a.importDocument(ctx, imp, nil, nil)
}

// importDocument is ImportDocument with steps of the same transaction run
// before the incident is made and after (with it).
func (a *App) importDocument(ctx context.Context, imp report.Imported, before func(tx *store.Store) error, after func(tx *store.Store, inc incident.Incident) error) (incident.Incident, error) {
	inc := imp.Incident
	inc.ID, inc.Key, inc.Version = 0, "", 0
	inc.Normalize()
	if err := inc.Validate(); err != nil {
		return incident.Incident{}, err
	}
	if err := checkRestriction(ctx, inc); err != nil {
		return incident.Incident{}, err
	}
	var rca *incident.RCA
	var downgraded []string // required sections left empty in a "published" file
	if imp.RCA != nil {
		r := incident.RCA{Template: imp.RCA.Template, Status: imp.RCA.Status, Sections: imp.RCA.Sections}
		if r.Status == incident.RCAInReview {
			r.Status = incident.RCADraft // its reviewers live in the other database
		}
		if r.Status == incident.RCAPublished {
			if missing := unfilledRequired(r, imp); len(missing) > 0 {
				r.Status, downgraded = incident.RCADraft, missing
			}
		}
		r.Normalize()
		if err := r.Validate(); err != nil {
			return incident.Incident{}, err
		}
		rca = &r
	}
	actor := incident.ActorFrom(ctx).Name
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		now := a.Now()
		inc.CreatedAt, inc.UpdatedAt = now, now
		if err := tx.CreateIncident(ctx, &inc); err != nil {
			return err
		}
		ids, err := importEvents(ctx, tx, inc, imp.Events, now)
		if err != nil {
			return err
		}
		// The outbox learns of every object made here, so the index does.
		change := func(object string, id int64) incident.Change {
			return incident.Change{ObjectType: object, ObjectID: id, IncidentID: inc.ID, Op: incident.OpUpsert, CreatedAt: now}
		}
		var changes []incident.Change
		if len(imp.Events) > 0 {
			changes = append(changes, change(incident.ObjectTimelineEvent, 0))
		}
		for i, in := range imp.RootCauses {
			rc := incident.RootCause{Category: in.Category, Description: in.Description, IncidentID: inc.ID, CreatedAt: now, UpdatedAt: now}
			for _, old := range in.EvidenceEventIDs {
				id, ok := ids[old]
				if !ok {
					return incident.Invalid("root_causes["+strconv.Itoa(i)+"].evidence", "event "+strconv.FormatInt(old, 10)+" is not in the imported timeline")
				}
				rc.EvidenceEventIDs = append(rc.EvidenceEventIDs, id)
			}
			rc.Normalize()
			if err := rc.Validate(); err != nil {
				return err
			}
			if err := tx.CreateRootCause(ctx, &rc); err != nil {
				return err
			}
			changes = append(changes, change(incident.ObjectRootCause, rc.ID))
		}
		for _, in := range imp.Actions {
			act := in
			act.ID, act.Version, act.IncidentID, act.IncidentKey = 0, 0, inc.ID, inc.Key
			act.CreatedAt, act.UpdatedAt, act.CompletedAt = now, now, nil
			act.Normalize()
			if err := act.Validate(); err != nil {
				return err
			}
			if act.Status.Closed() {
				act.CompletedAt = &now
			}
			if err := tx.CreateAction(ctx, &act); err != nil {
				return err
			}
			changes = append(changes, change(incident.ObjectAction, act.ID))
		}
		if rca != nil {
			rca.IncidentID, rca.UpdatedBy, rca.CreatedAt, rca.UpdatedAt = inc.ID, actor, now, now
			if err := tx.CreateRCA(ctx, rca); err != nil {
				return err
			}
			if rca.Status == incident.RCAPublished {
				// Published where it came from: published here by the import.
				if err := tx.SetRCAPublished(ctx, rca.ID, now, actor); err != nil {
					return err
				}
			}
			reason := "imported"
			if imp.SourceKey != "" {
				reason = "imported from " + imp.SourceKey
			}
			if len(downgraded) > 0 {
				reason += " as draft: published in the file, but required sections are empty: " + strings.Join(downgraded, ", ")
			}
			if err := tx.AddRCARevision(ctx, incident.RCARevision{
				RCAID: rca.ID, Version: rca.Version, Status: rca.Status, Sections: rca.Sections,
				Author: actor, CreatedAt: now, Reason: reason,
			}); err != nil {
				return err
			}
			changes = append(changes, change(incident.ObjectRCA, rca.ID))
		}
		if len(changes) > 0 {
			if err := tx.AppendChanges(ctx, changes...); err != nil {
				return err
			}
		}
		detail := inc.Key + " " + inc.Title
		if imp.SourceKey != "" {
			detail += " (imported from " + imp.SourceKey + ")"
		}
		if after != nil {
			if err := after(tx, inc); err != nil {
				return err
			}
		}
		return a.record(ctx, tx, "incident.import", incident.ObjectIncident, inc.ID, inc.ID, incident.OpUpsert, detail)
	})
	if err != nil {
		return incident.Incident{}, err
	}
	return inc, nil
}

// importEvents adds the imported events one by one and maps their ids in
// the exporting database to the new ones; an event repeating an earlier
// one's source and external id maps to that earlier event.
func importEvents(ctx context.Context, tx *store.Store, inc incident.Incident, evs []incident.TimelineEvent, now time.Time) (map[int64]int64, error) {
	ids := make(map[int64]int64, len(evs))
	byKey := map[string]int64{}
	for i, in := range evs {
		e := incident.TimelineEvent{
			OccurredAt: in.OccurredAt, Source: in.Source, Kind: in.Kind, Actor: in.Actor, Body: in.Body,
			Link: in.Link, ExternalID: in.ExternalID, KeyEvent: in.KeyEvent, CreatedAt: now, UpdatedAt: now,
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			v := &incident.ValidationError{}
			v.Merge("timeline["+strconv.Itoa(i)+"].", err.(*incident.ValidationError))
			return nil, v
		}
		if k, ok := e.DedupeKey(); ok {
			if id, dup := byKey[k]; dup {
				ids[in.ID] = id
				continue
			}
		}
		added, _, err := tx.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{e})
		if err != nil {
			return nil, err
		}
		if len(added) != 1 {
			return nil, errors.New("app: import: timeline event " + strconv.Itoa(i) + " was not stored")
		}
		ids[in.ID] = added[0].ID
		if k, ok := e.DedupeKey(); ok {
			byKey[k] = added[0].ID
		}
	}
	return ids, nil
}

// unfilledRequired lists the required sections of an imported RCA that are
// not filled: blank, and for a section with a block, no record of the file
// fills that block either (the rule PublishRCA applies). An imported RCA
// marked published with such sections is imported as a draft.
func unfilledRequired(r incident.RCA, imp report.Imported) []string {
	has := map[incident.Block]bool{
		incident.BlockRootCauses: len(imp.RootCauses) > 0,
		incident.BlockActions:    len(imp.Actions) > 0,
	}
	for _, e := range imp.Events {
		if e.KeyEvent && !e.Hidden {
			has[incident.BlockTimeline] = true
		}
	}
	var out []string
	for _, s := range r.Sections {
		if s.Required && strings.TrimSpace(s.Body) == "" && !(s.Block != incident.BlockNone && has[s.Block]) {
			out = append(out, s.Key)
		}
	}
	return out
}
