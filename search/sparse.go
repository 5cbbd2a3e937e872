package search

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// sparseDisjunction is a disjunction whose alternatives mostly match
// nothing: a typed word is looked up as a word, as typed, as a key, a
// service and a tag, and is usually one or two of these. In each shard
// searched it leaves out the alternatives that match nothing there, so
// every match is not walked through a disjunction of empty searchers (a
// single one left is searched bare), and scores as the whole disjunction
// would: bleve scales a disjunction's sum by the share of its alternatives
// that matched, and normalises a query's scores by the weights of all its
// terms, matched or not.
type sparseDisjunction struct {
	alts []query.Query
}

// newSparseDisjunction is alts as a sparseDisjunction (the one query
// itself when there is only one).
func newSparseDisjunction(alts ...query.Query) query.Query {
	if len(alts) == 1 {
		return alts[0]
	}
	return &sparseDisjunction{alts: alts}
}

// Searcher implements query.Query.
func (q *sparseDisjunction) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping,
	options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	kept := make([]bsearch.Searcher, 0, len(q.alts))
	closeAll := func() {
		for _, s := range kept {
			_ = s.Close()
		}
	}
	var dropped float64 // the weight of the alternatives left out
	for _, a := range q.alts {
		s, err := a.Searcher(ctx, r, m, options)
		if err != nil {
			closeAll()
			return nil, err
		}
		if s.Count() == 0 {
			dropped += s.Weight()
			_ = s.Close()
			continue
		}
		kept = append(kept, s)
	}
	var inner bsearch.Searcher
	switch len(kept) {
	case 0:
		none, err := searcher.NewMatchNoneSearcher(r)
		if err != nil {
			return nil, err
		}
		// Wrapped all the same: bleve reads a bare match-none searcher
		// under a boolean query as no clause at all.
		return &scaledSearcher{Searcher: none, factor: 0, dropped: dropped}, nil
	case 1:
		inner = kept[0]
	default:
		var err error
		if inner, err = searcher.NewDisjunctionSearcher(ctx, r, kept, 0, options); err != nil {
			closeAll()
			return nil, err
		}
	}
	if len(kept) == len(q.alts) {
		return inner, nil
	}
	s := &scaledSearcher{Searcher: inner, factor: float64(len(kept)) / float64(len(q.alts)), dropped: dropped}
	// As bleve's disjunction searcher does for its own: the norm of the
	// weights of every alternative, dropped ones included. (A searcher
	// above this one sets it again, from the same weights.)
	if w := s.Weight(); w > 0 {
		s.SetQueryNorm(1 / math.Sqrt(w))
	}
	return s, nil
}

// scaledSearcher is a searcher whose scores are multiplied by factor and
// whose weight counts dropped alternatives too (see sparseDisjunction).
type scaledSearcher struct {
	bsearch.Searcher
	factor  float64
	dropped float64
}

// Next implements search.Searcher.
func (s *scaledSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if d != nil {
		d.Score *= s.factor
	}
	return d, err
}

// Advance implements search.Searcher.
func (s *scaledSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d != nil {
		d.Score *= s.factor
	}
	return d, err
}

// Weight implements search.Searcher.
func (s *scaledSearcher) Weight() float64 { return s.Searcher.Weight() + s.dropped }
