package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// ErrSearchUnavailable says this process has no search index (a command
// that does not open one).
var ErrSearchUnavailable = errors.New("search is not available in this process")

// SearchSource is the database as the search index reads it: the change
// feed and incidents as search documents.
func (a *App) SearchSource() search.Source { return searchSource{s: a.store} }

// searchSource implements search.Source (and Counter, and Notifier on
// PostgreSQL) over the store.
type searchSource struct{ s *store.Store }

func (src searchSource) LastSeq(ctx context.Context) (int64, error) { return src.s.LastChangeSeq(ctx) }

func (src searchSource) Changes(ctx context.Context, after int64, limit int) ([]incident.Change, error) {
	return src.s.Changes(ctx, after, limit)
}

func (src searchSource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	return src.s.IncidentIDsAfter(ctx, after, limit)
}

func (src searchSource) Count(ctx context.Context) (int64, error) { return src.s.CountIncidents(ctx) }

func (src searchSource) Docs(ctx context.Context, ids []int64) (map[int64]search.Doc, error) {
	bs, err := src.s.Bundles(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]search.Doc, len(bs))
	for id, b := range bs {
		out[id] = docOf(b)
	}
	return out, nil
}

// Notify listens to the change feed's notifications (PostgreSQL only).
func (src searchSource) Notify(ctx context.Context) (<-chan struct{}, error) {
	if src.s.Dialect() != store.DialectPostgres {
		return nil, errors.New("polling: notifications need PostgreSQL")
	}
	return src.s.ListenChanges(ctx)
}

// docOf is the search document of an incident.
func docOf(b *store.Bundle) search.Doc {
	inc := b.Incident
	d := search.Doc{
		ID: inc.ID, Key: inc.Key, Title: inc.Title, Summary: inc.Summary, CustomerImpact: inc.CustomerImpact,
		Severity: string(inc.Severity), Status: string(inc.Status), Services: inc.Services, Teams: inc.Teams,
		Tags: inc.Tags, Commander: inc.Commander, Visibility: string(inc.Visibility), RestrictedTo: inc.RestrictedTo,
		StartedAt: inc.StartedAt, ResolvedAt: inc.ResolvedAt, CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt,
	}
	if b.RCA != nil {
		d.Published = b.RCA.Status == incident.RCAPublished || b.RCA.PublishedAt != nil
		for _, s := range b.RCA.Sections {
			d.Sections = append(d.Sections, search.Section{Key: s.Key, Title: s.Title, Body: s.Body, Audience: string(s.Audience)})
		}
	}
	for _, rc := range b.RootCauses {
		d.RootCauses = append(d.RootCauses, search.RootCause{Category: string(rc.Category), Description: rc.Description})
	}
	for _, ac := range b.Actions {
		d.Actions = append(d.Actions, search.Action{Title: ac.Title, Description: ac.Description, Status: string(ac.Status)})
	}
	for _, e := range b.Events {
		d.Events = append(d.Events, search.Event{ID: e.ID, At: e.OccurredAt, Source: e.Source, Kind: string(e.Kind),
			Actor: e.Actor, Body: e.Body})
	}
	return d
}

// index returns the search index or ErrSearchUnavailable.
func (a *App) index() (*search.Index, error) {
	if a.search == nil {
		return nil, ErrSearchUnavailable
	}
	return a.search, nil
}

// Search runs a search as the caller.
func (a *App) Search(ctx context.Context, req search.Request) (search.Result, error) {
	ix, err := a.index()
	if err != nil {
		return search.Result{}, err
	}
	req.Viewer = viewerFrom(ctx)
	// The index filters by visibility itself; the database has the last
	// word while the index catches up with a restriction just written.
	// The cursor of a page whose last items are left out would name the
	// last one (its id, and its score or date): the list continues after
	// the last item shown instead, and a page with none to show is passed
	// over (its cursor never leaves the server) — up to hiddenPages pages:
	// past those the index is far behind, and the caller is told to try
	// again shortly.
	for passed := 0; ; passed++ {
		if passed > hiddenPages {
			return search.Result{}, search.ErrNotReady
		}
		res, err := ix.Search(ctx, req)
		if err != nil {
			return search.Result{}, err
		}
		ids := make([]int64, len(res.Items))
		for i, h := range res.Items {
			ids[i] = h.ID
		}
		ok, err := a.visibleIDs(ctx, ids)
		if err != nil {
			return search.Result{}, err
		}
		last := -1 // the last item kept, as res.Items numbers them
		for i, h := range res.Items {
			if ok[h.ID] {
				last = i
			} else if res.Total > 0 {
				res.Total--
			}
		}
		switch {
		case last == len(res.Items)-1 || res.NextCursor == "":
			// The cursor names an item shown, or there is none.
		case last >= 0:
			if res.NextCursor, err = res.CursorAfter(last); err != nil {
				return search.Result{}, err
			}
		default:
			req.Cursor = res.NextCursor
			continue
		}
		kept := res.Items[:0]
		for _, h := range res.Items {
			if ok[h.ID] {
				kept = append(kept, h)
			}
		}
		res.Items = kept
		return res, nil
	}
}

// hiddenPages is how many pages of incidents the database hides (the
// index not having taken in their restriction yet) a search passes over.
const hiddenPages = 20

// visibleIDs returns which of ids (from the search index) the caller may
// see according to the database; for a caller who sees everything, all.
func (a *App) visibleIDs(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	v := viewerFrom(ctx)
	if v.All {
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	got, err := a.store.VisibleIncidentIDs(ctx, ids, v)
	if err != nil {
		return nil, err
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// Suggest completes what the caller has typed: incident titles, services
// and tags.
func (a *App) Suggest(ctx context.Context, prefix string, limit int) ([]search.Suggestion, error) {
	ix, err := a.index()
	if err != nil {
		return nil, err
	}
	sugs, err := ix.Suggest(ctx, prefix, limit, viewerFrom(ctx))
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, s := range sugs {
		if s.ID != 0 {
			ids = append(ids, s.ID)
		}
	}
	ok, err := a.visibleIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	kept := sugs[:0]
	for _, s := range sugs {
		if s.ID == 0 || ok[s.ID] {
			kept = append(kept, s)
		}
	}
	return kept, nil
}

// SimilarIncident is a similar incident with where its corrective actions
// stand.
type SimilarIncident struct {
	search.Similar
	Actions ActionsSummary `json:"actions"`
}

// ActionsSummary counts an incident's corrective actions by state.
type ActionsSummary struct {
	Total  int `json:"total"`
	Open   int `json:"open"`
	Done   int `json:"done"`
	WontDo int `json:"wont_do"`
	// AllClosed is true when there are actions and none is left to do.
	AllClosed bool `json:"all_closed"`
}

// Similar returns the incidents most like the one ref names (from its
// current state in the database, so a write not yet indexed counts).
func (a *App) Similar(ctx context.Context, ref string, limit int) ([]SimilarIncident, error) {
	ix, err := a.index()
	if err != nil {
		return nil, err
	}
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	v := viewerFrom(ctx)
	bs, err := a.store.Bundles(ctx, []int64{inc.ID})
	if err != nil {
		return nil, err
	}
	b, ok := bs[inc.ID]
	if !ok {
		return nil, incident.NotFound("incident", ref)
	}
	d := docOf(b)
	sims, err := ix.Similar(ctx, search.SimilarRequest{ID: inc.ID, Doc: &d, Limit: limit, Viewer: v})
	if err != nil {
		return nil, err
	}
	return a.withActions(ctx, sims)
}

// SimilarText returns the incidents most like a piece of text, such as a
// pasted alert.
func (a *App) SimilarText(ctx context.Context, text string, limit int) ([]SimilarIncident, error) {
	ix, err := a.index()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		v := &incident.ValidationError{}
		v.Add("text", "is required: paste an alert, an error message or a description")
		return nil, v.Err()
	}
	if len(text) > maxSimilarText {
		v := &incident.ValidationError{}
		v.Add("text", fmt.Sprintf("must be at most %d bytes", maxSimilarText))
		return nil, v.Err()
	}
	// A pasted incident key ("INC-42") means that incident.
	if _, ok := incident.ParseKey(strings.TrimSpace(text)); ok {
		if sims, err := a.Similar(ctx, strings.TrimSpace(text), limit); !errors.Is(err, incident.ErrNotFound) {
			return sims, err
		}
	}
	sims, err := ix.Similar(ctx, search.SimilarRequest{Text: text, Limit: limit, Viewer: viewerFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return a.withActions(ctx, sims)
}

// maxSimilarText bounds the text of a similar-incidents request.
const maxSimilarText = 100_000

// withActions adds the actions' state to each similar incident, leaving
// out any the caller may not see by the database (the index may lag a
// restriction just written).
func (a *App) withActions(ctx context.Context, sims []search.Similar) ([]SimilarIncident, error) {
	ids := make([]int64, len(sims))
	for i, s := range sims {
		ids[i] = s.ID
	}
	ok, err := a.visibleIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	counts, err := a.store.ActionStatusCounts(ctx, ids, viewerFrom(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]SimilarIncident, 0, len(sims))
	for _, s := range sims {
		if ok[s.ID] {
			out = append(out, SimilarIncident{Similar: s, Actions: summarize(counts[s.ID])})
		}
	}
	return out, nil
}

// summarize counts actions by state.
func summarize(byStatus map[incident.ActionStatus]int) ActionsSummary {
	var s ActionsSummary
	for st, n := range byStatus {
		s.Total += n
		switch st {
		case incident.ActionDone:
			s.Done += n
		case incident.ActionWontDo:
			s.WontDo += n
		default:
			s.Open += n
		}
	}
	s.AllClosed = s.Total > 0 && s.Open == 0
	return s
}

// SearchStatus says what the index holds.
func (a *App) SearchStatus(ctx context.Context) (search.Status, error) {
	ix, err := a.index()
	if err != nil {
		return search.Status{}, err
	}
	return ix.Status(), nil
}

// Reindex asks the indexer to rebuild the index from the database; the
// current index answers until the new one is ready.
func (a *App) Reindex(ctx context.Context) (search.Status, error) {
	ix, err := a.index()
	if err != nil {
		return search.Status{}, err
	}
	ix.RequestRebuild()
	if err := a.store.AppendAudit(ctx, incident.AuditEntry{Actor: incident.ActorFrom(ctx).Name, Action: "search.reindex",
		ObjectType: "search_index", CreatedAt: a.Now(), RemoteAddr: incident.ActorFrom(ctx).RemoteAddr,
		RequestID: incident.ActorFrom(ctx).RequestID}); err != nil {
		return search.Status{}, err
	}
	st := ix.Status()
	st.Building = true
	return st, nil
}
