package search

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"strings"
	"sync"

	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// A page of hits is kept by a document-match handler of ours rather than
// by bleve's top-N collector. The order is total — score (or date), then
// incident id — and the page starts after a position (cursor.go). bleve
// can sort by id and continue after a position (SearchAfter), but it then
// reads the id of every match before sorting it, which made a search of a
// common word three times slower (38k matches of "dns" in 100k incidents:
// 3.9 ms → 11.3 ms). The handler reads an id only when two hits it
// compares have the same score or date: almost never by relevance, and
// for the hits of one moment by date.
//
// bleve still scores (or reads the date of) every match and counts it in
// the total, and the facet counter sees every match before this handler
// (facetcache.go); bleve's own collector is handed nothing.

// pageHit is a hit's place in a page's order.
type pageHit struct {
	score float64
	// when is bleve's sort value of the date (date sorts): prefix-coded,
	// or bleve's value for a missing date.
	when     string
	internal index.IndexInternalID
	// id is the incident id, read when first needed.
	id string
}

// pageOrder compares two hits in the order of mode (-1: a comes first)
// when their ids are known or not needed; need says the ids decide and
// one of them is not read yet.
func pageOrder(mode string, a, b *pageHit) (c int, need bool) {
	switch mode {
	case SortRelevance:
		if a.score != b.score {
			// (A NaN, which bleve can leave, is -Inf: the order stays
			// strict and weak, and a cursor can carry the score.)
			if x, y := orderScore(a.score), orderScore(b.score); x > y {
				return -1, false
			} else if x < y {
				return 1, false
			}
		}
	case SortNewest:
		if c := strings.Compare(b.when, a.when); c != 0 {
			return c, false
		}
	default:
		if c := strings.Compare(a.when, b.when); c != 0 {
			return c, false
		}
	}
	if a.id == "" || b.id == "" {
		return 0, true
	}
	c = compareIDs(a.id, b.id)
	if mode == SortNewest {
		c = -c
	}
	return c, false
}

// orderScore is a score as a page orders it: NaN is -Inf.
func orderScore(s float64) float64 {
	if s != s { // NaN
		return math.Inf(-1)
	}
	return s
}

// compareIDs compares incident ids as numbers (document ids are the
// decimal incident ids; anything else, which no document has, comes after
// them, as text).
func compareIDs(a, b string) int {
	na, nb := decimalID(a), decimalID(b)
	switch {
	case na && nb:
		if len(a) != len(b) {
			return cmp.Compare(len(a), len(b))
		}
	case na:
		return -1
	case nb:
		return 1
	}
	return strings.Compare(a, b)
}

// decimalID reports whether s is a non-negative number written plainly.
func decimalID(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pageResults gathers the page of one search: the first n hits after
// after (nil: from the start) in the order of mode, from every shard
// searched (each shard's search makes its own pageCollector).
type pageResults struct {
	mode  string
	n     int
	after *pageHit
	mu    sync.Mutex
	found [][]*pageHit
}

func newPageResults(mode string, n int, after *pageHit) *pageResults {
	return &pageResults{mode: mode, n: n, after: after}
}

// handler is a bleve document-match handler maker for the search's
// context (bsearch.MakeDocumentMatchHandlerKey).
func (p *pageResults) handler(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
	c := &pageCollector{page: p, reader: sctx.IndexReader}
	return func(d *bsearch.DocumentMatch) error {
		if d == nil {
			return c.finish()
		}
		err := c.add(d)
		sctx.DocumentMatchPool.Put(d)
		return err
	}, false, nil
}

// hits are the page: the first n hits of every shard's, in order, with
// their ids, scores and (date sorts) sort values.
func (p *pageResults) hits() []*bsearch.DocumentMatch {
	var all []*pageHit
	for _, f := range p.found {
		all = append(all, f...)
	}
	slices.SortFunc(all, func(a, b *pageHit) int {
		c, _ := pageOrder(p.mode, a, b) // (every id is read by now)
		return c
	})
	all = all[:min(len(all), p.n)]
	out := make([]*bsearch.DocumentMatch, len(all))
	for i, h := range all {
		out[i] = &bsearch.DocumentMatch{ID: h.id, Score: h.score, Sort: []string{h.when}}
	}
	return out
}

// pageCollector keeps the first n hits of one shard's search: a heap
// whose root is the last of them.
type pageCollector struct {
	page   *pageResults
	reader index.IndexReader
	kept   []*pageHit
	err    error
	// floor is the root's score as pages order it, once the heap is full
	// of hits ranked by relevance (full): a match scored below it is
	// left out without more ado (below).
	floor float64
	full  bool
}

// below reports whether a match scored score is left out by the page
// whatever its id: ranked by relevance, the page full and its last hit
// scored higher.
func (c *pageCollector) below(score float64) bool {
	return c.full && orderScore(score) < c.floor
}

// settle notes the root's score once the heap is full (see floor).
func (c *pageCollector) settle() {
	if c.page.mode == SortRelevance && len(c.kept) == c.page.n && c.page.n > 0 {
		c.full, c.floor = true, orderScore(c.kept[0].score)
	}
}

// add considers one match. (d goes back to bleve's pool after: what is
// kept is copied.)
func (c *pageCollector) add(d *bsearch.DocumentMatch) error {
	h := pageHit{score: d.Score, internal: d.IndexInternalID}
	if c.page.mode != SortRelevance && len(d.Sort) > 0 {
		h.when = d.Sort[0]
	}
	if a := c.page.after; a != nil && c.compare(&h, a) <= 0 {
		return c.err
	}
	if len(c.kept) == c.page.n {
		if c.compare(&h, c.kept[0]) >= 0 {
			return c.err
		}
		// The root leaves: h takes its place, and its memory. (Under
		// newest first over incidents indexed in date order, as real ones
		// are, every match beats the root: two allocations a match made
		// such a search twice as slow.)
		old := c.kept[0]
		buf := old.internal[:0]
		*old = h
		old.internal = append(buf, h.internal...)
		heap.Fix(c, 0)
		c.settle()
		return c.err
	}
	heap.Push(c, h.own())
	c.settle()
	return c.err
}

// own is h with a copy of its internal id (bleve reuses the match's).
func (h pageHit) own() *pageHit {
	h.internal = append(index.IndexInternalID(nil), h.internal...)
	return &h
}

// compare is pageOrder, reading the ids it needs.
func (c *pageCollector) compare(a, b *pageHit) int {
	r, need := pageOrder(c.page.mode, a, b)
	if !need {
		return r
	}
	c.readID(a)
	c.readID(b)
	r, _ = pageOrder(c.page.mode, a, b)
	return r
}

func (c *pageCollector) readID(h *pageHit) {
	if h.id != "" || c.err != nil {
		return
	}
	h.id, c.err = c.reader.ExternalID(h.internal)
	if c.err == nil && h.id == "" {
		h.id = "~" // (no document has an empty id)
	}
}

// finish reads the ids of the hits kept and hands them to the page.
func (c *pageCollector) finish() error {
	for _, h := range c.kept {
		c.readID(h)
	}
	if c.err != nil {
		return c.err
	}
	c.page.mu.Lock()
	c.page.found = append(c.page.found, c.kept)
	c.page.mu.Unlock()
	return nil
}

// heap.Interface: the root is the hit that comes last.
func (c *pageCollector) Len() int           { return len(c.kept) }
func (c *pageCollector) Less(i, j int) bool { return c.compare(c.kept[i], c.kept[j]) > 0 }
func (c *pageCollector) Swap(i, j int)      { c.kept[i], c.kept[j] = c.kept[j], c.kept[i] }
func (c *pageCollector) Push(x any)         { c.kept = append(c.kept, x.(*pageHit)) }
func (c *pageCollector) Pop() any {
	h := c.kept[len(c.kept)-1]
	c.kept = c.kept[:len(c.kept)-1]
	return h
}
