package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

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
	var after *cursor
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil {
			return Result{}, err
		}
		if c.Mode != mode || c.Of != searchHash(req, c.Fuzzy, c.Any, c.Literal) {
			return Result{}, errCursorOther()
		}
		after = &c
	}

	var res Result
	literalNotice := ""
	err := ix.reader(func(idx *shardIndex) error {
		idx = idx.forViewer(ctx, req.Viewer)
		// run searches full: the page after cursor c (nil: the first), and
		// the marks of the snapshots it read (nil unless one of each shard).
		run := func(full query.Query, c *cursor) (*bleve.SearchResult, []*bsearch.DocumentMatch, *facetCounters, snapMarks, error) {
			ix.runs.Add(1)
			before := idx.marks()
			// read is the marks of a search that read one snapshot of
			// each shard: those of before, when no shard changed since.
			read := func() snapMarks {
				if before.same(idx.marks()) {
					return before
				}
				return nil
			}
			var fc *facetCounters
			// By relevance, as a plan when it can (fastplan.go): scored
			// as bleve would, the page kept by the same handler, a cursor
			// anchored where the plan lists its incident.
			if mode == SortRelevance && !legacyShape(idx.version) && !ix.bleveOnly && planFastable(full) {
				if !req.NoFacets {
					fc = &facetCounters{}
				}
				stands := func() bool { // (asked with the plan's snapshots open)
					ok := before.stands(idx, c, idx.marks())
					if !ok {
						ix.anchors.Add(1)
					}
					return ok
				}
				r, page, err := idx.searchPlanned(ctx, full, limit+1, c, stands, ix.fcache, ix.posts, fc)
				if err == nil {
					ix.plans.Add(1)
					return r, page.hits(), fc, read(), nil
				}
				if !errors.Is(err, errNotPlanned) {
					return nil, nil, nil, nil, err
				}
				// A part only bleve searches (a word with many near
				// terms): bleve runs it all.
			}
			// bleve scores (or dates) and counts every match; the page is
			// kept by a handler of ours (page.go), in the order of mode.
			var start *pageHit
			if c != nil {
				// (The page's search opens its own snapshots, after.)
				stands := before.stands(idx, c, before)
				if !stands && mode == SortRelevance {
					ix.anchors.Add(1)
				}
				var err error
				if start, err = afterHit(ctx, idx, full, *c, stands); err != nil {
					return nil, nil, nil, nil, err
				}
			}
			sr := bleve.NewSearchRequestOptions(full, limit+1, 0, false)
			sr.Sort = sortOrder(mode)
			page := newPageResults(mode, limit+1, start)
			var handler bsearch.MakeDocumentMatchHandler = page.handler
			fc = nil
			if !req.NoFacets {
				// Every match is counted, those before the cursor too.
				fc = &facetCounters{}
				handler = ix.fcache.countingHandler(fc, handler)
			}
			r, err := idx.SearchInContext(context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, handler), sr)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			return r, page.hits(), fc, read(), nil
		}
		literal := false
		if after != nil {
			res.Fuzzy, res.AnyWord, literal = after.Fuzzy, after.Any, after.Literal
			if literal {
				q, _ = q.exclusionsAsText()
			}
		}
		// The search's Levenshtein automata, built once (fuzzy.go).
		fz := newFuzzyCache()
		if idx.restricted != nil {
			fz.shards = idx.parts // words every viewer may see (complete.go)
		}
		// try searches q (its words with typos, or any of them) after
		// cursor c.
		type attempt struct {
			sr   *bleve.SearchResult
			hits []*bsearch.DocumentMatch
			fc   *facetCounters
			snap snapMarks
			text query.Query
		}
		try := func(q Query, fuzzy, anyWord bool, c *cursor) (attempt, error) {
			full, text := ix.searchQueryIn(idx, q, req, fz, fuzzy, anyWord)
			sr, hits, fc, snap, err := run(full, c)
			return attempt{sr, hits, fc, snap, text}, err
		}
		got, err := try(q, res.Fuzzy, res.AnyWord, after)
		if err != nil {
			return err
		}
		// The first page falls back while it finds (next to) nothing.
		if got.text != nil && after == nil && got.sr.Total < fuzzyBelow {
			typos, err := try(q, true, false, nil)
			if err != nil {
				return err
			}
			if typos.sr.Total > got.sr.Total {
				got, res.Fuzzy = typos, true
			}
		}
		// Still nothing with every word: the incidents with most of them
		// ("clock skew" finds the clock incidents when none says skew).
		if got.text != nil && after == nil && got.sr.Total == 0 && len(q.Groups) > 1 {
			some, err := try(q, false, true, nil)
			if err != nil {
				return err
			}
			if some.sr.Total > 0 {
				got, res.Fuzzy, res.AnyWord = some, false, true
			}
		}
		// Still nothing, and short words were left out: a command
		// pasted ("rm -rf", "ps -ef") reads its flags as exclusions. The
		// text as written then, and the search says so.
		if after == nil && got.sr.Total == 0 {
			if lq, ok := q.exclusionsAsText(); ok {
				written, err := try(lq, false, false, nil)
				if err != nil {
					return err
				}
				if written.sr.Total > 0 {
					got, res.Fuzzy, res.AnyWord = written, false, false
					flags := flagsText(q)
					literalNotice = fmt.Sprintf("No incident matched with %s left out, so the search took %s as written", flags, flags)
					q, literal = lq, true
				}
			}
		}
		sr, hits, fc, snap, text := got.sr, got.hits, got.fc, got.snap, got.text
		res.Total = sr.Total
		res.Facets = map[string][]Count{}
		if fc != nil {
			res.Facets = fc.result()
		}
		// This search, as its cursors name it.
		this := cursor{Mode: mode, Of: searchHash(req, res.Fuzzy, res.AnyWord, literal), Fuzzy: res.Fuzzy,
			Any: res.AnyWord, Literal: literal}
		// Marks the snapshot an incident's score is of (snapmark.go).
		var mark func(id int64) string
		if mode == SortRelevance && snap != nil {
			mark = func(id int64) string { return snap.of(idx, id) }
		}
		if len(hits) > limit {
			hits = hits[:limit]
			// After the last hit found, shown or not (loadFields may leave
			// out one deleted meanwhile).
			if res.NextCursor, err = nextCursor(hits[limit-1], this, mark); err != nil {
				return err
			}
		}
		an := ix.builderFor(idx).an
		newM := func() *matcher {
			if text == nil {
				return nil
			}
			m := newMatcher(an, q, res.Fuzzy)
			if res.Fuzzy {
				m.addNear(fz.near)
			}
			return m
		}
		if hits, res.Items, err = pageItems(idx, hits, newM); err != nil {
			return err
		}
		if len(hits) > 0 {
			res.after = make([]cursor, len(hits))
			for i, h := range hits {
				if c, err := cursorAfter(h, this, mark); err == nil {
					res.after[i] = c // else CursorAfter says it cannot
				}
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	res.Query = q.String()
	res.Notices = notices(q)
	if literalNotice != "" {
		res.Notices = append(res.Notices, literalNotice)
	}
	res.Took = time.Since(start)
	res.TookMS = float64(res.Took.Microseconds()) / 1000
	return res, nil
}

// searchQuery is the query of a search in idx (a viewer's view): its
// text (nil when it has none; with typos allowed when fuzzy, any of the
// words when anyWord) and the whole query, the text with the exclusions,
// the filters and what the viewer may not see.
func (ix *Index) searchQuery(idx *shardIndex, q Query, req Request, fuzzy, anyWord bool) (full, text query.Query) {
	return ix.searchQueryIn(idx, q, req, nil, fuzzy, anyWord)
}

// searchQueryIn is searchQuery whose typo lookups share the automata of
// fz (nil: each builds its own).
func (ix *Index) searchQueryIn(idx *shardIndex, q Query, req Request, fz *fuzzyCache, fuzzy, anyWord bool) (full, text query.Query) {
	b := ix.builderFor(idx)
	b.fuzzy = fz
	text = b.text(q, fuzzy)
	if anyWord {
		text = b.anyOf(q)
	}
	var hidden query.Query
	if idx.mayHoldRestricted() {
		hidden = b.visibility(req.Viewer)
	}
	return b.combine(text, b.exclusions(q), b.filters(req.Filters, q), hidden), text
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

// pageWorkers is how many goroutines read and highlight a page's hits:
// a page's stored fields are read and its texts analysed one hit after
// the other otherwise, a good part of a search's time.
const pageWorkers = 2

// pageItems reads the stored fields of the page's hits (loadFields) and
// makes their Hits, highlighted by a matcher of newM's each (nil: none),
// on up to pageWorkers goroutines. It returns the hits still there and
// their Hits, in order.
func pageItems(idx *shardIndex, hits []*bsearch.DocumentMatch, newM func() *matcher) ([]*bsearch.DocumentMatch, []Hit, error) {
	workers := min(pageWorkers, len(hits))
	items := make([]Hit, len(hits))
	found := make([]bool, len(hits))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recoverInto(&errs[w])
			l := newHitLoader(idx)
			defer l.close()
			m := newM()
			for i := w; i < len(hits); i += workers {
				ok, err := l.load(hits[i])
				if err != nil {
					errs[w] = fmt.Errorf("search: read incident %s: %w", hits[i].ID, err)
					return
				}
				if found[i] = ok; ok {
					items[i] = hitOf(hits[i], m)
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	kept, keptItems := hits[:0], items[:0]
	for i, h := range hits {
		if found[i] {
			kept, keptItems = append(kept, h), append(keptItems, items[i])
		}
	}
	return kept, keptItems, nil
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
