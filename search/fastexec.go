package search

import (
	"context"
	"errors"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The planned search (see fastplan.go): bleve's searchers ported onto
// global document numbers and float scores, each match counted, its
// facets counted and offered to the page (page.go).

// noDoc is an exhausted searcher's document.
const noDoc = math.MaxUint64

// docSearcher is a bleve searcher of the plan, on global document numbers:
// next and advance return a match and its score (noDoc when none is
// left), with bleve's semantics to the letter — including where they are
// odd, such as a boolean searcher advancing its should clause even when
// it is past the target (a disjunction then skips its current match), and
// an exhausted term searcher starting over when advanced to a document it
// has passed — since scores depend on them.
type docSearcher interface {
	next() (uint64, float64)
	advance(id uint64) (uint64, float64)
}

// iterErr holds the first error a search's searchers met; a searcher that
// fails is exhausted.
type iterErr struct{ err error }

func (e *iterErr) set(err error) {
	if e.err == nil {
		e.err = err
	}
}

type noneSearcher struct{}

func (noneSearcher) next() (uint64, float64)          { return noDoc, 0 }
func (noneSearcher) advance(uint64) (uint64, float64) { return noDoc, 0 }

// termSearcher is searcher.TermSearcher over scorch's term field reader:
// the term's postings segment after segment.
type termSearcher struct {
	t   *planTerm
	p   *planShard
	its []segment.PostingsIterator
	seg int
	// cur is the last posting read (has says there was one; it stays
	// after the postings run out).
	cur uint64
	has bool
	e   *iterErr
}

func (t *planTerm) searcher(p *planShard, e *iterErr) docSearcher {
	if t.lists != nil {
		return &listSearcher{t: t, p: p, pos: make([]int, len(t.lists))}
	}
	x := &termSearcher{t: t, p: p, its: make([]segment.PostingsIterator, len(t.pls)), e: e}
	x.reset()
	return x
}

// reset starts over (scorch opens a new reader).
func (x *termSearcher) reset() {
	for i, pl := range x.t.pls {
		x.its[i] = pl.Iterator(x.t.scoring, x.t.scoring, false, x.its[i])
	}
	x.seg, x.has = 0, false
}

func (x *termSearcher) hit(p segment.Posting, seg int) (uint64, float64) {
	x.cur, x.has = p.Number()+x.p.offsets[seg], true
	if !x.t.scoring {
		return x.cur, 0
	}
	if x.t.lengths != nil {
		if z, ok := p.(normBits); ok {
			return x.cur, x.t.scoreLength(p.Frequency(), z.NormUint64())
		}
	}
	return x.cur, x.t.score(p.Frequency(), p.Norm())
}

// normBits is a posting that hands out its field length as stored (zap's).
type normBits interface{ NormUint64() uint64 }

func (x *termSearcher) next() (uint64, float64) {
	for x.seg < len(x.its) {
		p, err := x.its[x.seg].Next()
		if err != nil {
			x.e.set(err)
			return noDoc, 0
		}
		if p != nil {
			return x.hit(p, x.seg)
		}
		x.seg++
	}
	return noDoc, 0
}

func (x *termSearcher) advance(id uint64) (uint64, float64) {
	if x.has && x.cur >= id {
		x.reset()
	}
	seg := sort.Search(len(x.p.offsets), func(i int) bool { return x.p.offsets[i] > id }) - 1
	if seg < 0 || seg >= len(x.its) {
		return noDoc, 0 // (a snapshot without segments)
	}
	x.seg = seg
	p, err := x.its[seg].Advance(id - x.p.offsets[seg])
	if err != nil {
		x.e.set(err)
		return noDoc, 0
	}
	if p == nil {
		return x.next()
	}
	return x.hit(p, seg)
}

// scaledDocSearcher is scaledSearcher (sparse.go).
type scaledDocSearcher struct {
	inner  docSearcher
	factor float64
}

func (s *scaledDocSearcher) next() (uint64, float64) {
	d, sc := s.inner.next()
	return d, sc * s.factor
}

func (s *scaledDocSearcher) advance(id uint64) (uint64, float64) {
	d, sc := s.inner.advance(id)
	return d, sc * s.factor
}

// disjSearcher is searcher.DisjunctionSliceSearcher (min 0 or 1).
type disjSearcher struct {
	kids     []docSearcher
	currs    []uint64
	scores   []float64
	matching []int
	// coords are the coordination factors by matching kids, n/total.
	coords []float64
	init   bool
}

func (d *disjSearcher) start() {
	for i, k := range d.kids {
		d.currs[i], d.scores[i] = k.next()
	}
	d.update()
	d.init = true
}

// update finds the kids at the lowest document (none when all are
// exhausted), in order.
func (d *disjSearcher) update() {
	m := d.matching[:0]
	low := uint64(noDoc)
	for i, c := range d.currs {
		switch {
		case c < low:
			low = c
			m = append(m[:0], i)
		case c == low && c != noDoc:
			m = append(m, i)
		}
	}
	d.matching = m
}

func (d *disjSearcher) next() (uint64, float64) {
	if !d.init {
		d.start()
	}
	if len(d.matching) == 0 {
		return noDoc, 0
	}
	var sum float64
	for _, i := range d.matching {
		sum += d.scores[i]
	}
	rv, score := d.currs[d.matching[0]], sum*d.coords[len(d.matching)]
	for _, i := range d.matching {
		d.currs[i], d.scores[i] = d.kids[i].next()
	}
	d.update()
	return rv, score
}

func (d *disjSearcher) advance(id uint64) (uint64, float64) {
	if !d.init {
		d.start()
	}
	moved := false
	for i, k := range d.kids {
		if d.currs[i] != noDoc && d.currs[i] >= id {
			continue
		}
		d.currs[i], d.scores[i] = k.advance(id)
		moved = true
	}
	if moved { // (else the kids at the lowest document are as they were)
		d.update()
	}
	return d.next()
}

// conjSearcher is searcher.ConjunctionSearcher.
type conjSearcher struct {
	kids   []docSearcher
	currs  []uint64
	scores []float64
	maxIdx int
	init   bool
}

func (c *conjSearcher) start() {
	for i, k := range c.kids {
		c.currs[i], c.scores[i] = k.next()
	}
	c.init = true
}

func (c *conjSearcher) next() (uint64, float64) {
	if !c.init {
		c.start()
	}
outer:
	for c.maxIdx < len(c.currs) && c.currs[c.maxIdx] != noDoc {
		maxID := c.currs[c.maxIdx]
		for i := 0; i < len(c.currs); {
			if c.currs[i] == noDoc {
				return noDoc, 0
			}
			if i == c.maxIdx || c.currs[i] == maxID {
				i++
				continue
			}
			if maxID < c.currs[i] {
				c.maxIdx = i
				maxID = c.currs[i]
				for x := 0; x < i; x++ {
					c.currs[x], c.scores[x] = c.kids[x].advance(maxID)
				}
				continue outer
			}
			c.currs[i], c.scores[i] = c.kids[i].advance(maxID)
		}
		var sum float64
		for _, s := range c.scores {
			sum += s
		}
		for i, k := range c.kids {
			c.currs[i], c.scores[i] = k.next()
		}
		return maxID, sum
	}
	return noDoc, 0
}

func (c *conjSearcher) advance(id uint64) (uint64, float64) {
	if !c.init {
		c.start()
	}
	for i, k := range c.kids {
		if c.currs[i] != noDoc && c.currs[i] >= id {
			continue
		}
		c.currs[i], c.scores[i] = k.advance(id)
	}
	return c.next()
}

// member tests documents, in order, against a searcher's matches (a
// boolean searcher's must-not clause, a filter).
type member struct {
	s       docSearcher
	cur     uint64
	started bool
}

func (m *member) has(d uint64) bool {
	if !m.started {
		m.cur, _ = m.s.next()
		m.started = true
	}
	if m.cur < d {
		m.cur, _ = m.s.advance(d)
	}
	return m.cur == d
}

// boolSearcher is searcher.BooleanSearcher with a must clause, filtered as
// searcher.FilteringSearcher does when filter is set.
type boolSearcher struct {
	must, should         docSearcher
	not, filter          *member
	currMust, currShould uint64
	scMust, scShould     float64
	current              uint64
	init, done           bool
}

func (b *boolSearcher) start() {
	b.currMust, b.scMust = b.must.next()
	if b.should != nil {
		b.currShould, b.scShould = b.should.next()
	}
	if b.not != nil {
		b.not.has(0)
	}
	b.current = b.currMust
	b.init = true
}

func (b *boolSearcher) nextMust() {
	b.currMust, b.scMust = b.must.next()
	b.current = b.currMust
}

// match is BooleanSearcher.Next.
func (b *boolSearcher) match() (uint64, float64) {
	if b.done {
		return noDoc, 0
	}
	if !b.init {
		b.start()
	}
	for b.current != noDoc {
		if b.not != nil && b.not.has(b.current) {
			b.nextMust()
			continue
		}
		var sum float64
		sum += b.scMust
		if b.should != nil && b.currShould != noDoc {
			if b.currShould < b.current {
				b.currShould, b.scShould = b.should.advance(b.current)
			}
			if b.currShould == b.current {
				sum += b.scShould
			}
		}
		rv := b.current
		b.nextMust()
		return rv, sum
	}
	b.done = true
	return noDoc, 0
}

// skip is BooleanSearcher.Advance.
func (b *boolSearcher) skip(id uint64) (uint64, float64) {
	if b.done {
		return noDoc, 0
	}
	if !b.init {
		b.start()
	}
	if b.current == noDoc || b.current < id {
		b.currMust, b.scMust = b.must.advance(id)
		if b.should != nil {
			b.currShould, b.scShould = b.should.advance(id)
		}
		b.current = b.currMust
	}
	return b.match()
}

func (b *boolSearcher) next() (uint64, float64) {
	d, s := b.match()
	for b.filter != nil && d != noDoc && !b.filter.has(d) {
		d, s = b.match()
	}
	return d, s
}

func (b *boolSearcher) advance(id uint64) (uint64, float64) {
	d, s := b.skip(id)
	if d == noDoc || b.filter == nil || b.filter.has(d) {
		return d, s
	}
	return b.next()
}

func (s *planScaled) searcher(p *planShard, e *iterErr) docSearcher {
	inner := s.inner.searcher(p, e)
	if l, ok := inner.(*listSearcher); ok {
		// The factor applied by the term's searcher itself (one call a
		// match fewer), after any it applies already, as the wrappers
		// would in turn.
		l.factors = append(l.factors, s.factor)
		return l
	}
	return &scaledDocSearcher{inner: inner, factor: s.factor}
}

func (d *planDisj) searcher(p *planShard, e *iterErr) docSearcher {
	n := len(d.kids)
	x := &disjSearcher{kids: make([]docSearcher, n), currs: make([]uint64, n), scores: make([]float64, n),
		matching: make([]int, 0, n), coords: make([]float64, n+1)}
	for k := range x.coords {
		x.coords[k] = float64(k) / float64(d.total)
	}
	for i, k := range d.kids {
		x.kids[i] = k.searcher(p, e)
	}
	return x
}

func (c *planConj) searcher(p *planShard, e *iterErr) docSearcher {
	n := len(c.kids)
	x := &conjSearcher{kids: make([]docSearcher, n), currs: make([]uint64, n), scores: make([]float64, n)}
	for i, k := range c.kids {
		x.kids[i] = k.searcher(p, e)
	}
	return x
}

func (b *planBool) searcher(p *planShard, e *iterErr) docSearcher {
	x := &boolSearcher{must: b.must.searcher(p, e)}
	if b.should != nil {
		x.should = b.should.searcher(p, e)
	}
	if b.not != nil {
		x.not = &member{s: b.not.searcher(p, e)}
	}
	if b.filter != nil {
		x.filter = &member{s: b.filter.searcher(p, e)}
	}
	return x
}

// errBadSnapshot says a shard's reader is not a scorch snapshot.
var errBadSnapshot = errors.New("search: the shard's reader is not a scorch snapshot")

// planIn opens a snapshot of shard p and plans q on it, reading postings
// through posts (nil: none kept); close the snapshot when done.
func planIn(p bleve.Index, q query.Query, posts *postingsCache) (*planShard, planNode, func(), error) {
	adv, err := p.Advanced()
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, nil, nil, err
	}
	closeIt := func() { _ = r.Close() }
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		closeIt()
		return nil, nil, nil, errBadSnapshot
	}
	bm25 := false
	if m, ok := p.Mapping().(*mapping.IndexMappingImpl); ok {
		bm25 = m.ScoringModel == index.BM25Scoring
	}
	ps, err := newPlanShard(snap, bm25, posts)
	if err != nil {
		closeIt()
		return nil, nil, nil, err
	}
	ps.owner = scorchOf(p)
	ps.posts.observe(ps.owner, ps.segs)
	root, err := ps.plan(q, true)
	if err != nil {
		closeIt()
		return nil, nil, nil, err
	}
	return ps, root, closeIt, nil
}

// anchorIn is the score the plan root gives incident id in ps's snapshot
// where it lists it: the walk that lists a page, stopped at the incident
// (ok false when it does not match there). A page after a cursor continues
// below that score, exactly the one the incident is listed with, however
// bleve would score it reached by a jump (anchor.go).
func anchorIn(ctx context.Context, ps *planShard, root planNode, id string) (float64, bool, error) {
	target, err := ps.snap.InternalID(id)
	if err != nil || len(target) != 8 {
		return 0, false, err
	}
	t := target.Value()
	var e iterErr
	top := root.searcher(ps, &e)
	n := 0
	for d, s := top.next(); d != noDoc && d <= t; d, s = top.next() {
		if d == t {
			return s, true, e.err
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, false, err
			}
		}
	}
	return 0, false, e.err
}

// walkPlanned walks the plan root of one shard: every match is counted,
// its facets counted into fc (when set), and offered to page. It returns
// how many matched.
func (fcache *facetCache) walkPlanned(ctx context.Context, ps *planShard, root planNode, page *pageResults,
	fc *facetCounters) (uint64, error) {
	snap := ps.snap
	var counter *facetCounter
	if fc != nil {
		sf, err := fcache.forSnapshot(snap)
		if err != nil {
			return 0, err
		}
		fcache.mu.Lock()
		n := len(fcache.values)
		fcache.mu.Unlock()
		counter = &facetCounter{cache: fcache, snap: sf, counts: make([]uint32, n)}
		fc.add(counter)
	}

	keep := &pageCollector{page: page, reader: snap}
	var hits uint64
	var e iterErr
	// One match handed to the page (which copies what it keeps).
	d := &bsearch.DocumentMatch{IndexInternalID: make(index.IndexInternalID, 8)}
	a, giveBack := useArena()
	defer giveBack()
	if streamable(ps, root) {
		s := rootStream(a, ps, root, &e)
		if e.err != nil {
			return 0, e.err
		}
		if counter != nil {
			counter.countAll(s.docs)
		}
		hits = uint64(len(s.docs))
		for i, doc := range s.docs {
			if i%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return 0, err
				}
			}
			if keep.below(s.scores[i]) {
				continue
			}
			d.Score = s.scores[i]
			d.IndexInternalID.SetValue(uint64(doc))
			if err := keep.add(d); err != nil {
				return 0, err
			}
		}
		if err := keep.finish(); err != nil {
			return 0, err
		}
		return hits, nil
	}
	top := root.searcher(ps, &e)
	// The matches' facets are counted at the end, all at once (countAll),
	// when their numbers fit in 32 bits.
	var matched []uint32
	if counter != nil && fits32(ps) {
		matched = a.docs32(int(min(root.count(), ps.docTotal)))
	}
	for doc, s := top.next(); doc != noDoc; doc, s = top.next() {
		hits++
		if hits%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if counter != nil {
			if matched != nil && len(matched) < cap(matched) {
				matched = append(matched, uint32(doc))
			} else {
				counter.count(doc)
			}
		}
		if keep.below(s) {
			continue
		}
		d.Score = s
		d.IndexInternalID.SetValue(doc)
		if err := keep.add(d); err != nil {
			return 0, err
		}
	}
	if e.err != nil {
		return 0, e.err
	}
	if len(matched) > 0 {
		counter.countAll(matched)
	}
	if err := keep.finish(); err != nil {
		return 0, err
	}
	return hits, nil
}
