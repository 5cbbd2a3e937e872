package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/search"
)

// searchService is what the search routes need from the app.
type searchService interface {
	Search(ctx context.Context, req search.Request) (search.Result, error)
	Suggest(ctx context.Context, prefix string, limit int) ([]search.Suggestion, error)
	Similar(ctx context.Context, ref string, limit int) ([]app.SimilarIncident, error)
	SimilarText(ctx context.Context, text string, limit int) ([]app.SimilarIncident, error)
	SearchStatus(ctx context.Context) (search.Status, error)
	Reindex(ctx context.Context) (search.Status, error)
}

// maxSearchQuery bounds the q parameter: longer is not something a person
// typed, and the parser would cut it anyway.
const maxSearchQuery = 4000

// searchSorts are the accepted values of sort.
var searchSorts = []string{search.SortRelevance, search.SortNewest, search.SortOldest}

// searchIncidents handles GET /search: the query text, filters as
// parameters, sort, a page of hits with highlights, and facets.
func (s *server) searchIncidents(c *gin.Context) {
	q := newQuery(c)
	req := search.Request{
		Q: q.str("q"),
		Filters: search.Filters{
			Services:   q.list("service"),
			Severities: q.list("severity"),
			Statuses:   q.list("status"),
			Tags:       q.list("tag"),
			Teams:      q.list("team"),
			Categories: q.list("category"),
			After:      q.time("after"),
			Before:     q.time("before"),
			Published:  q.optBool("published"),
		},
		Sort:   enum(q, "sort", searchSorts),
		Limit:  q.intIn("limit", 1, search.MaxLimit, search.DefaultLimit),
		Cursor: q.str("cursor"),
	}
	if len(req.Q) > maxSearchQuery {
		q.verr.Add("q", "must be at most "+strconv.Itoa(maxSearchQuery)+" bytes")
	}
	if f := q.optBool("facets"); f != nil {
		req.NoFacets = !*f
	}
	if err := badParams(q.err()); err != nil {
		s.renderError(c, err)
		return
	}
	res, err := s.svc.Search(c.Request.Context(), req)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if res.Items == nil {
		res.Items = []search.Hit{}
	}
	if res.Facets == nil {
		res.Facets = map[string][]search.Count{}
	}
	c.JSON(http.StatusOK, res)
}

// suggestJSON is the answer of GET /search/suggest.
type suggestJSON struct {
	Items []search.Suggestion `json:"items"`
}

// suggestSearch handles GET /search/suggest: completions of what was typed
// (incident keys, services, tags, titles).
func (s *server) suggestSearch(c *gin.Context) {
	q := newQuery(c)
	prefix := q.c.Query("q") // spaces matter: "disk f" completes a title
	limit := q.intIn("limit", 1, search.MaxLimit, search.DefaultSuggestions)
	if err := badParams(q.err()); err != nil {
		s.renderError(c, err)
		return
	}
	items, err := s.svc.Suggest(c.Request.Context(), prefix, limit)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if items == nil {
		items = []search.Suggestion{}
	}
	c.JSON(http.StatusOK, suggestJSON{Items: items})
}

// searchStatusBrief is the index's status for a caller who does not see
// every incident: the index counts restricted incidents too, so its
// document count would tell how many are hidden, and its sequence number,
// which moves on every change, would show activity on them.
type searchStatusBrief struct {
	Ready    bool `json:"ready"`
	Building bool `json:"building"`
	Stale    bool `json:"stale"`
	Pending  bool `json:"pending"`
}

// searchStatus handles GET /search/status: everything for an admin, whether
// the index answers for anyone else.
func (s *server) searchStatus(c *gin.Context) {
	st, err := s.svc.SearchStatus(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	if p := principalOf(c); p.User == nil || !viewerOf(*p.User).All {
		c.JSON(http.StatusOK, searchStatusBrief{Ready: st.Ready, Building: st.Building, Stale: st.Stale, Pending: st.Pending})
		return
	}
	c.JSON(http.StatusOK, st)
}

// reindexSearch handles POST /search/reindex: the index is rebuilt from the
// database in the background while the current one keeps answering, so
// the answer is 202 with the status.
func (s *server) reindexSearch(c *gin.Context) {
	st, err := s.svc.Reindex(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, st)
}

// similarJSON is the answer of both similar-incident routes.
type similarJSON struct {
	Items []app.SimilarIncident `json:"items"`
}

// similarIncidents handles GET /incidents/:id/similar: the past incidents
// most like this one, with the reasons.
func (s *server) similarIncidents(c *gin.Context) {
	q := newQuery(c)
	limit := q.intIn("limit", 1, search.MaxSimilar, search.DefaultSimilar)
	if err := badParams(q.err()); err != nil {
		s.renderError(c, err)
		return
	}
	items, err := s.svc.Similar(c.Request.Context(), c.Param("id"), limit)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderSimilar(c, items)
}

// similarTextRequest is the body of POST /similar.
type similarTextRequest struct {
	Text  string `json:"text"`
	Limit *int   `json:"limit"`
}

// similarText handles POST /similar: the incidents most like a piece of
// text, such as a pasted alert or error message.
func (s *server) similarText(c *gin.Context) {
	var req similarTextRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	limit := search.DefaultSimilar
	if req.Limit != nil {
		limit = *req.Limit
		if limit < 1 || limit > search.MaxSimilar {
			v := &incident.ValidationError{}
			v.Add("limit", "must be an integer from 1 to "+strconv.Itoa(search.MaxSimilar))
			s.renderError(c, v)
			return
		}
	}
	items, err := s.svc.SimilarText(c.Request.Context(), req.Text, limit)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.renderSimilar(c, items)
}

func (s *server) renderSimilar(c *gin.Context, items []app.SimilarIncident) {
	if items == nil {
		items = []app.SimilarIncident{}
	}
	for i := range items {
		if items[i].Reasons == nil {
			items[i].Reasons = []search.Reason{}
		}
	}
	c.JSON(http.StatusOK, similarJSON{Items: items})
}

// optBool reads true/false (also 1/0); absent is nil.
func (q *query) optBool(name string) *bool {
	if q.str(name) == "" {
		return nil
	}
	b := q.boolean(name)
	return &b
}

// intIn reads an integer parameter from lo to hi, def when absent.
func (q *query) intIn(name string, lo, hi, def int) int {
	v := q.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		q.verr.Add(name, "must be an integer from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return def
	}
	return n
}

// badParams turns problems with query parameters into a 400 bad_parameter
// whose fields name the parameters. The older list routes answer 422 for
// theirs; the search contract asks for 400, since nothing is wrong with
// any object, only with how the search was asked.
func badParams(err error) error {
	if err == nil {
		return nil
	}
	verr, ok := err.(*incident.ValidationError)
	if !ok {
		return err
	}
	return &httpError{Status: http.StatusBadRequest, Code: "bad_parameter", Message: verr.Error(), Fields: verr.Fields}
}
