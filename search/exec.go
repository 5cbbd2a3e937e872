package search

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// ErrBadCursor says a cursor was not made by this search (or this sort).
var ErrBadCursor = errors.New("search: the cursor does not belong to this search")

// fuzzyBelow is how few exact matches make a search try again with typos
// allowed: only none, so a rare word typed right is never swamped by its
// near neighbours.
const fuzzyBelow = 1

// facets are the facets counted, the prefix of their values in the one
// facets field, and how many values each shows. All facets are read from
// one doc-values field, cached per segment (facetcache.go).
var facets = []struct {
	name, prefix string
	size         int
}{
	{FacetService, "s:", 15},
	{FacetSeverity, "v:", 10},
	{FacetTag, "t:", 15},
	{FacetCategory, "c:", 15},
	{FacetYear, "y:", 30},
}

// hitFields are the stored fields a page of hits loads.
var hitFields = storedFields

// Search runs one search: the query text and filters, restricted to what
// the viewer may see, ranked (or sorted by date), one page at a time, with
// facet counts over every match and highlighted fragments for the page.
// When the words match fewer than a few incidents, they are matched again
// with typos allowed and the result says so (Fuzzy).
func (ix *Index) Search(ctx context.Context, req Request) (Result, error) {
	start := time.Now()
	q := ParseQuery(req.Q, time.Now())
	limit := req.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	mode := req.Sort
	switch mode {
	case SortNewest, SortOldest, SortRelevance:
	case "", "score", "rank":
		mode = SortRelevance
	case "date", "-date", "new", "recent", "latest":
		mode = SortNewest
	case "+date", "old", "earliest":
		mode = SortOldest
	default:
		return Result{}, fmt.Errorf("%w: sort %q (use relevance, newest or oldest)", ErrBadRequest, req.Sort)
	}
	if mode == SortRelevance && !q.HasText() {
		mode = SortNewest
	}
	var (
		offset      int
		fuzzyCursor bool
		anyCursor   bool
	)
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil || c.Mode != mode || c.Of != requestHash(req) {
			return Result{}, ErrBadCursor
		}
		offset, fuzzyCursor, anyCursor = c.Offset, c.Fuzzy, c.Any
	}

	var res Result
	err := ix.reader(func(idx *shardIndex) error {
		idx = idx.forViewer(ctx, req.Viewer)
		b := ix.builderFor(idx)
		b.fuzzy = newFuzzyCache()
		run := func(fuzzy, anyWord bool) (*bleve.SearchResult, *facetCounters, query.Query, error) {
			text := b.text(q, fuzzy)
			if anyWord {
				text = b.anyOf(q)
			}
			var hidden query.Query
			if idx.mayHoldRestricted() {
				hidden = b.visibility(req.Viewer)
			}
			full := b.combine(text, b.exclusions(q), b.filters(req.Filters, q), hidden)
			sr := bleve.NewSearchRequestOptions(full, limit+1, offset, false)
			// Stored fields are loaded for the page only (loadFields): asked
			// of the search, every shard would load a page of its own.
			sr.Sort = sortOrder(mode)
			var fc *facetCounters
			if !req.NoFacets {
				fc = &facetCounters{}
			}
			if mode == SortRelevance && !b.legacy && !ix.bleveOnly && planFastable(full) {
				r, err := idx.searchPlanned(ctx, sr, ix.fcache, fc)
				if !errors.Is(err, errNotPlanned) {
					ix.plans.Add(1)
					return r, fc, text, err
				}
				// A part only bleve searches (a word with many near terms):
				// the facets are counted again.
				if fc != nil {
					fc = &facetCounters{}
				}
			}
			sctx := ctx
			if fc != nil {
				sctx = context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, ix.fcache.countingHandler(fc))
			}
			r, err := idx.SearchInContext(sctx, sr)
			return r, fc, text, err
		}
		sr, fc, text, err := run(fuzzyCursor, anyCursor)
		if err != nil {
			return err
		}
		res.Fuzzy, res.AnyWord = fuzzyCursor, anyCursor
		if text != nil && req.Cursor == "" && sr.Total < fuzzyBelow {
			fsr, ffc, ftext, err := run(true, false)
			if err != nil {
				return err
			}
			if fsr.Total > sr.Total {
				sr, fc, text, res.Fuzzy = fsr, ffc, ftext, true
			}
		}
		// Still nothing with every word: the incidents with most of them
		// ("clock skew" finds the clock incidents when none says skew).
		if text != nil && req.Cursor == "" && sr.Total == 0 && len(q.Groups) > 1 {
			asr, afc, atext, err := run(false, true)
			if err != nil {
				return err
			}
			if asr.Total > 0 {
				sr, fc, text, res.Fuzzy, res.AnyWord = asr, afc, atext, false, true
			}
		}
		res.Total = sr.Total
		res.Facets = map[string][]Count{}
		if fc != nil {
			res.Facets = fc.result()
		}
		hits := sr.Hits
		if len(hits) > limit {
			hits = hits[:limit]
			next := cursor{Mode: mode, Fuzzy: res.Fuzzy, Any: res.AnyWord, Offset: offset + limit, Of: requestHash(req)}
			if next.Offset <= maxOffset {
				res.NextCursor = encodeCursor(next)
			}
		}
		newM := func() *matcher {
			if text == nil {
				return nil
			}
			m := newMatcher(b.an, q, res.Fuzzy)
			if res.Fuzzy {
				m.addNear(b.fuzzy.near)
			}
			return m
		}
		res.Items, err = pageItems(idx, hits, newM)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	res.Query = q.String()
	res.Took = time.Since(start)
	res.TookMS = float64(res.Took.Microseconds()) / 1000
	return res, nil
}

// mayHoldRestricted reports whether the shards searched may hold a
// restricted incident: not when the restricted shard is left out of a view
// (forViewer), since no other shard of a generation that has one holds any.
// Without the clause hiding them, a search of a word is that word's searcher
// alone, with no boolean searcher around it.
func (s *shardIndex) mayHoldRestricted() bool {
	return s.restricted == nil || slices.Contains(s.searched, s.restricted)
}

// ErrBadRequest marks a search request that cannot be run as asked.
var ErrBadRequest = errors.New("search: bad request")

// sortOrder is the bleve sort of a mode; the document id breaks ties.
func sortOrder(mode string) bsearch.SortOrder {
	switch mode {
	case SortNewest:
		return bsearch.SortOrder{&bsearch.SortField{Field: FieldWhen, Type: bsearch.SortFieldAsDate, Desc: true}}
	case SortOldest:
		return bsearch.SortOrder{&bsearch.SortField{Field: FieldWhen, Type: bsearch.SortFieldAsDate}}
	}
	// By score alone: a tie is broken by the index's own document order,
	// stable within a snapshot; a document-id tie-break would look up every
	// match's id. (Relevance pages continue at an offset.)
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
}

// cursor is what a next_cursor carries: the sort and the offset the next
// page starts at. (Sort values would not do: scores move a little as the
// index merges its segments, and undated incidents have no date.)
type cursor struct {
	Mode   string `json:"m"`
	Offset int    `json:"o"`
	// Of identifies the search (query, filters, sort, viewer) the cursor
	// continues, so one cannot be used with another.
	Of string `json:"q"`
	// Fuzzy remembers that the first page fell back to typo matching, so
	// the next pages do too.
	Fuzzy bool `json:"f,omitempty"`
	// Any remembers that the first page fell back to any of the words.
	Any bool `json:"y,omitempty"`
}

// requestHash is a short hash of what makes a search the same search.
func requestHash(req Request) string {
	r := req
	r.Cursor, r.Limit, r.NoFacets = "", 0, false
	b, _ := json.Marshal(r)
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 36)
}

// maxOffset bounds paging by relevance (nobody reads the 10,001st match;
// deep offsets cost a collector of that size).
const maxOffset = 10_000

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	if c.Offset <= 0 || c.Offset > maxOffset {
		return c, ErrBadCursor
	}
	return c, nil
}

// loadFields reads the stored fields a hit shows (hitFields) into each
// of hits, as bleve would for a search asking for them, and returns the
// hits that still exist. They are read after the search, from the index
// as it is then: an incident deleted (or made restricted, for a viewer
// who does not search that shard) in between is left out rather than
// shown as a row without a key or title.
func loadFields(idx *shardIndex, hits []*bsearch.DocumentMatch) ([]*bsearch.DocumentMatch, error) {
	kept := hits[:0]
	for _, h := range hits {
		d, err := idx.Document(h.ID)
		if err != nil {
			return nil, fmt.Errorf("search: read incident %s: %w", h.ID, err)
		}
		if d == nil {
			continue
		}
		kept = append(kept, h)
		d.VisitFields(func(f index.Field) {
			name := f.Name()
			if !slices.Contains(hitFields, name) {
				return
			}
			switch f := f.(type) {
			case index.TextField:
				h.AddFieldValue(name, f.Text())
			case index.DateTimeField:
				if t, _, err := f.DateTime(); err == nil {
					h.AddFieldValue(name, t.Format(time.RFC3339Nano))
				}
			}
		})
	}
	return kept, nil
}

// pageWorkers is how many goroutines read and highlight a page's hits:
// a page's texts are read and analysed one hit after the other otherwise,
// a good part of a search's time.
const pageWorkers = 2

// pageItems reads the page's hits' stored fields (loadFields) and makes
// their Hits, highlighted by a matcher of newM's each (nil: none), on up
// to pageWorkers goroutines. The order is kept; a hit whose incident is
// gone is left out.
func pageItems(idx *shardIndex, hits []*bsearch.DocumentMatch, newM func() *matcher) ([]Hit, error) {
	workers := min(pageWorkers, len(hits))
	items := make([]Hit, len(hits))
	kept := make([]bool, len(hits))
	errs := make([]error, max(workers, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := newM()
			for i := w; i < len(hits); i += workers {
				got, err := loadFields(idx, hits[i:i+1])
				if err != nil {
					errs[w] = err
					return
				}
				if len(got) == 1 {
					items[i], kept[i] = hitOf(got[0], m), true
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := items[:0]
	for i := range items {
		if kept[i] {
			out = append(out, items[i])
		}
	}
	return out, nil
}

// hitOf makes a Hit from a bleve match with its stored fields, marking
// what m matched.
func hitOf(h *bsearch.DocumentMatch, m *matcher) Hit {
	id, _ := strconv.ParseInt(h.ID, 10, 64)
	out := Hit{
		ID: id, Score: finite(h.Score),
		Key:      strings.ToUpper(fieldString(h.Fields, FieldKey)),
		Title:    fieldString(h.Fields, FieldTitle),
		Severity: strings.ToUpper(fieldString(h.Fields, FieldSeverity)),
		Status:   fieldString(h.Fields, FieldStatus),
		Services: fieldStrings(h.Fields, FieldServices),
		Tags:     fieldStrings(h.Fields, FieldTags),
	}
	out.Published = fieldString(h.Fields, FieldPublished) == "t"
	if t, ok := parseWhen(fieldString(h.Fields, FieldWhen)); ok {
		out.StartedAt = &t
	}
	out.Highlights, out.Events = m.highlights(h.Fields)
	return out
}

// fieldString is a stored single value ("" when absent).
func fieldString(fields map[string]any, name string) string {
	switch v := fields[name].(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// fieldStrings is a stored array (a single value is an array of one).
func fieldStrings(fields map[string]any, name string) []string {
	switch v := fields[name].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

// parseWhen reads a stored date.
func parseWhen(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// finite is a score JSON can carry (encoding/json refuses NaN and
// infinities, which bleve can leave on hits it did not score).
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
