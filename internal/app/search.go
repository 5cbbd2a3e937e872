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

// viewerKey carries the search viewer in a context.
type viewerKey struct{}

// WithViewer returns ctx carrying who is asking, for search's visibility
// filter. The auth layer sets it on every request.
func WithViewer(ctx context.Context, v search.Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// viewerFrom is the viewer ctx carries. Without one — the command line on
// the data dir, and every request until sign-in exists — the caller sees
// every incident, as the incident list does.
func viewerFrom(ctx context.Context) search.Viewer {
	if v, ok := ctx.Value(viewerKey{}).(search.Viewer); ok {
		return v
	}
	return search.Viewer{All: true}
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
	return ix.Search(ctx, req)
}

// Suggest completes what the caller has typed: incident titles, services
// and tags.
func (a *App) Suggest(ctx context.Context, prefix string, limit int) ([]search.Suggestion, error) {
	ix, err := a.index()
	if err != nil {
		return nil, err
	}
	return ix.Suggest(ctx, prefix, limit, viewerFrom(ctx))
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
	if !visibleTo(inc, v) {
		return nil, incident.NotFound("incident", ref)
	}
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

// withActions adds the actions' state to each similar incident.
func (a *App) withActions(ctx context.Context, sims []search.Similar) ([]SimilarIncident, error) {
	ids := make([]int64, len(sims))
	for i, s := range sims {
		ids[i] = s.ID
	}
	counts, err := a.store.ActionStatusCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]SimilarIncident, len(sims))
	for i, s := range sims {
		out[i] = SimilarIncident{Similar: s, Actions: summarize(counts[s.ID])}
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

// visibleTo reports whether v may see inc.
func visibleTo(inc incident.Incident, v search.Viewer) bool {
	if v.All || inc.Visibility != incident.VisibilityRestricted {
		return true
	}
	for _, p := range v.Principals {
		for _, r := range inc.RestrictedTo {
			if strings.EqualFold(strings.TrimSpace(p), strings.TrimSpace(r)) {
				return true
			}
		}
	}
	return false
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
