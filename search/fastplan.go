package search

import (
	"errors"
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The first page of a search ranked by relevance is run by this package
// on each shard's segments directly (fastexec.go) rather than by bleve's
// searchers when its query is made only of what the query builder makes of
// words, phrases and typos: term and fuzzy queries under conjunctions,
// disjunctions, sparse disjunctions and boolean queries (with must-not
// clauses and filters). bleve hands every match up a tree of searchers, each
// level comparing document ids as byte strings and passing a pooled match
// up; at 100k incidents a common word's tens of thousands of matches spent
// most of a search there. Here a match is a number in a segment and its
// score a float.
//
// The plan mirrors what bleve builds of the same query, searcher by
// searcher (query.*.Searcher, searcher.New*Searcher, scorer.*): the same
// statistics, weights and query norms, children in the same order, sums
// taken in that order, and bleve's searchers' moves to the letter (a
// boolean searcher advances its should clause past its current match,
// which loses the clause's score for some matches of a conjunction; the
// plan does too). Scores are therefore bit for bit bleve's, and so are
// totals, pages (page.go keeps them) and facets (fastexec_test.go compares
// the two on every kind of query). Anything else (date ranges, match-all,
// a typo with more near terms than a slice disjunction takes, pages after
// a cursor) is left to bleve.

// errNotPlanned says a query has a part the plan does not mirror; the
// search then runs through bleve.
var errNotPlanned = errors.New("search: query not planned")

// planShard is what planning a query needs of one shard's snapshot.
type planShard struct {
	snap     *scorch.IndexSnapshot
	segs     []*scorch.SegmentSnapshot
	docTotal uint64
	bm25     bool
	dicts    map[string][]segment.TermDictionary
	// offsets are each segment's first global document number (scorch
	// numbers documents across segments by their full counts).
	offsets []uint64
	// posts holds the decoded postings and length tables (postcache.go);
	// dels are each segment's deleted documents (nil: none).
	posts *postingsCache
	dels  []*roaring.Bitmap
	// owner is the shard planned on (nil: unknown).
	owner *scorch.Scorch
	// decodeLeft is how many bytes of postings the search may still
	// decode in this shard (searchDecodeBudget).
	decodeLeft int
}

// newPlanShard plans on snap, reading postings through posts (nil: a
// cache of the plan's own).
func newPlanShard(snap *scorch.IndexSnapshot, bm25 bool, posts *postingsCache) (*planShard, error) {
	n, err := snap.DocCount()
	if err != nil {
		return nil, err
	}
	if posts == nil {
		posts = newPostingsCache()
	}
	p := &planShard{snap: snap, segs: snap.Segments(), docTotal: n, bm25: bm25,
		dicts: map[string][]segment.TermDictionary{}, posts: posts, decodeLeft: posts.decodeBudget}
	var running uint64
	p.dels = make([]*roaring.Bitmap, len(p.segs))
	for i, s := range p.segs {
		p.offsets = append(p.offsets, running)
		running += s.Segment().Count()
		if d := s.Deleted(); d != nil && !d.IsEmpty() {
			p.dels[i] = d
		}
	}
	return p, nil
}

// dictsOf is field's term dictionary in each segment.
func (p *planShard) dictsOf(field string) ([]segment.TermDictionary, error) {
	if d, ok := p.dicts[field]; ok {
		return d, nil
	}
	d := make([]segment.TermDictionary, len(p.segs))
	for i, s := range p.segs {
		var err error
		if d[i], err = s.Segment().Dictionary(field); err != nil {
			return nil, err
		}
	}
	p.dicts[field] = d
	return d, nil
}

// planNode is a searcher of the plan: bleve's Count, Weight and
// SetQueryNorm, and the searcher that walks its matches.
type planNode interface {
	count() uint64
	weight() float64
	setNorm(qn float64)
	searcher(p *planShard, e *iterErr) docSearcher
}

// planFastable reports whether q is made only of the queries a plan
// mirrors (checked before any shard is planned, so a search is planned on
// every shard or none).
func planFastable(q query.Query) bool {
	switch q := q.(type) {
	case *query.TermQuery:
		return q.FieldVal != ""
	case *cachedFuzzy:
		// Planned as bleve's fuzzy searcher, unless the word has more
		// near terms than a slice disjunction takes (then plan fails
		// with errNotPlanned and bleve searches).
		return q.FieldVal != "" && q.Fuzziness >= 0 && q.Fuzziness <= searcher.MaxFuzziness
	case *sparseDisjunction:
		for _, a := range q.alts {
			if !planFastable(a) {
				return false
			}
		}
		return len(q.alts) > 0
	case *query.DisjunctionQuery:
		// Past DisjunctionHeapTakeover bleve merges with a heap, which
		// sums a match's scores in another order.
		if len(q.Disjuncts) == 0 || len(q.Disjuncts) > disjunctionSliceMax || q.Min > 1 {
			return false
		}
		for _, a := range q.Disjuncts {
			if !planFastable(a) {
				return false
			}
		}
		return true
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) == 0 {
			return false
		}
		for _, a := range q.Conjuncts {
			if !planFastable(a) {
				return false
			}
		}
		return true
	case *query.BooleanQuery:
		// A boolean query without a must clause is a match-all or a
		// should-only search (not built for words).
		if q.Must == nil || !planFastable(q.Must) {
			return false
		}
		for _, c := range []query.Query{q.Should, q.MustNot, q.Filter} {
			if c != nil && !planFastable(c) {
				return false
			}
		}
		if d, ok := q.Should.(*query.DisjunctionQuery); ok && d.Min > 0 {
			return false
		}
		return true
	}
	return false
}

// disjunctionSliceMax is bleve's searcher.DisjunctionHeapTakeover.
const disjunctionSliceMax = 10

// plan mirrors q.Searcher on the shard. scoring is false under a filter,
// whose matches are only tested.
func (p *planShard) plan(q query.Query, scoring bool) (planNode, error) {
	switch q := q.(type) {
	case *query.TermQuery:
		return p.term(q.FieldVal, q.Term, q.BoostVal.Value(), scoring)
	case *cachedFuzzy:
		return p.fuzzy(q, scoring)
	case *sparseDisjunction:
		return p.sparse(q, scoring)
	case *query.DisjunctionQuery:
		kids, err := p.planAll(q.Disjuncts, scoring)
		if err != nil {
			return nil, err
		}
		return newPlanDisj(kids, len(kids)), nil
	case *query.ConjunctionQuery:
		kids, err := p.planAll(q.Conjuncts, scoring)
		if err != nil {
			return nil, err
		}
		return newPlanConj(kids), nil
	case *query.BooleanQuery:
		return p.boolean(q, scoring)
	}
	return nil, errNotPlanned
}

func (p *planShard) planAll(qs []query.Query, scoring bool) ([]planNode, error) {
	out := make([]planNode, 0, len(qs))
	for _, q := range qs {
		n, err := p.plan(q, scoring)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// sparse mirrors sparseDisjunction.Searcher.
func (p *planShard) sparse(q *sparseDisjunction, scoring bool) (planNode, error) {
	kept := make([]planNode, 0, len(q.alts))
	var dropped float64
	for _, a := range q.alts {
		n, err := p.plan(a, scoring)
		if err != nil {
			return nil, err
		}
		if n.count() == 0 {
			dropped += n.weight()
			continue
		}
		kept = append(kept, n)
	}
	var inner planNode
	switch len(kept) {
	case 0:
		return &planScaled{inner: planNone{}, factor: 0, dropped: dropped}, nil
	case 1:
		inner = kept[0]
	default:
		if len(kept) > disjunctionSliceMax {
			return nil, errNotPlanned
		}
		inner = newPlanDisj(kept, len(kept))
	}
	if len(kept) == len(q.alts) {
		return inner, nil
	}
	s := &planScaled{inner: inner, factor: float64(len(kept)) / float64(len(q.alts)), dropped: dropped}
	if w := s.weight(); w > 0 {
		s.setNorm(1 / math.Sqrt(w))
	}
	return s, nil
}

// boolean mirrors query.BooleanQuery.Searcher for a query with a must
// clause (planFastable).
func (p *planShard) boolean(q *query.BooleanQuery, scoring bool) (planNode, error) {
	var must, should, not, filter planNode
	var err error
	if q.MustNot != nil {
		if not, err = p.plan(q.MustNot, false); err != nil {
			return nil, err
		}
	}
	if must, err = p.plan(q.Must, scoring); err != nil {
		return nil, err
	}
	if q.Should != nil {
		if should, err = p.plan(q.Should, scoring); err != nil {
			return nil, err
		}
	}
	if q.Filter != nil {
		if filter, err = p.plan(q.Filter, false); err != nil {
			return nil, err
		}
	}
	if should == nil && not == nil && filter == nil {
		return must, nil
	}
	b := &planBool{must: must, should: should, not: not, filter: filter}
	b.setNorm(1 / math.Sqrt(b.weight()))
	return b, nil
}

// fuzzy mirrors searcher.NewFuzzySearcher: the term's near terms (with
// the search's automaton), each a term searcher boosted down by its edits,
// under a disjunction.
func (p *planShard) fuzzy(q *cachedFuzzy, scoring bool) (planNode, error) {
	boost := q.BoostVal.Value()
	if q.Fuzziness == 0 {
		return p.term(q.FieldVal, q.Term, boost, scoring)
	}
	prefix := q.Term
	for i := range q.Term {
		if i >= q.Prefix {
			prefix = q.Term[:i]
			break
		}
	}
	fd, _, err := q.cache.dict(p.snap, q.FieldVal, q.Term, q.Fuzziness, prefix)
	if err != nil {
		return nil, err
	}
	entries, err := readDict(fd)
	if err != nil {
		return nil, err
	}
	terms, edits := make([]string, len(entries)), make([]uint8, len(entries))
	for i, e := range entries {
		terms[i], edits[i] = e.Term, e.EditDistance
	}
	if len(terms) == 0 || (len(terms) == 1 && terms[0] == q.Term) {
		return p.term(q.FieldVal, q.Term, boost, scoring)
	}
	if len(terms) > disjunctionSliceMax {
		return nil, errNotPlanned
	}
	kids := make([]planNode, 0, len(terms))
	for i, t := range terms {
		n, err := p.term(q.FieldVal, t, boost*(1/float64(edits[i]+1)), scoring)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	return newPlanDisj(kids, len(kids)), nil
}

// planNone matches nothing (searcher.MatchNoneSearcher).
type planNone struct{}

func (planNone) count() uint64                             { return 0 }
func (planNone) weight() float64                           { return 0 }
func (planNone) setNorm(float64)                           {}
func (planNone) searcher(*planShard, *iterErr) docSearcher { return noneSearcher{} }

// planScaled is a scaledSearcher (sparse.go).
type planScaled struct {
	inner   planNode
	factor  float64
	dropped float64
}

func (s *planScaled) count() uint64      { return s.inner.count() }
func (s *planScaled) weight() float64    { return s.inner.weight() + s.dropped }
func (s *planScaled) setNorm(qn float64) { s.inner.setNorm(qn) }

// byCount orders searchers as searcher.OrderedSearcherList does (sort.Sort
// with the same comparisons gives the same order).
type byCount []planNode

func (b byCount) Len() int           { return len(b) }
func (b byCount) Less(i, j int) bool { return b[i].count() < b[j].count() }
func (b byCount) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

// planKids are a disjunction's or conjunction's searchers, ordered by
// count as bleve orders them, with the counts, weights and norms both
// searchers take from their children alike.
type planKids struct{ kids []planNode }

// newPlanKids orders kids and sets their norm from their weights.
func newPlanKids(kids []planNode) planKids {
	k := planKids{kids: append(byCount(nil), kids...)}
	sort.Sort(byCount(k.kids))
	k.setNorm(1.0 / math.Sqrt(k.weight()))
	return k
}

func (k planKids) count() uint64 {
	var n uint64
	for _, c := range k.kids {
		n += c.count()
	}
	return n
}

func (k planKids) weight() float64 {
	var w float64
	for _, c := range k.kids {
		w += c.weight()
	}
	return w
}

func (k planKids) setNorm(qn float64) {
	for _, c := range k.kids {
		c.setNorm(qn)
	}
}

// planDisj is a searcher.DisjunctionSliceSearcher (with min 0 or 1).
type planDisj struct {
	planKids
	total int // the searchers the coordination factor divides by
}

func newPlanDisj(kids []planNode, total int) *planDisj {
	return &planDisj{planKids: newPlanKids(kids), total: total}
}

// planConj is a searcher.ConjunctionSearcher.
type planConj struct{ planKids }

func newPlanConj(kids []planNode) *planConj { return &planConj{planKids: newPlanKids(kids)} }

// planBool is a searcher.BooleanSearcher with a must clause, filtered by
// filter when set (searcher.FilteringSearcher).
type planBool struct {
	must, should, not, filter planNode
}

func (b *planBool) count() uint64 {
	n := b.must.count()
	if b.should != nil {
		n += b.should.count()
	}
	return n
}

func (b *planBool) weight() float64 {
	var w float64
	w += b.must.weight()
	if b.should != nil {
		w += b.should.weight()
	}
	return w
}

func (b *planBool) setNorm(qn float64) {
	b.must.setNorm(qn)
	if b.should != nil {
		b.should.setNorm(qn)
	}
}
