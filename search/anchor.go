package search

import (
	"context"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// anchorScore is the score the incident c ends a page with has now for
// the search full: the page after it continues below that, whatever the
// writes and merges since have done to the word statistics (see
// cursor.go). The incident is scored by the very searcher the page's
// search builds, walked to it as that search walks, in its own shard:
// exactly the score it has in that search. (Not moved straight to it:
// bleve's searchers score a document reached by a jump differently from
// one reached walking when a query's ranking clauses are optional — a
// boolean searcher's Advance moves its should clause without the guard
// its Next has — and such an anchor let pages skip up to a third of the
// hits.) The walk costs about what the page's own search does. When the
// incident no longer matches (deleted, edited, hidden from the viewer),
// the score it had stands.
func anchorScore(ctx context.Context, idx *shardIndex, full query.Query, c cursor) (float64, error) {
	req := bleve.NewSearchRequestOptions(&anchorQuery{inner: full, id: strconv.FormatInt(c.ID, 10)}, 1, 0, false)
	req.Sort = bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
	var r *bleve.SearchResult
	var err error
	if home := idx.homesOf(c.ID); len(home) == 1 {
		r, err = home[0].SearchInContext(ctx, req)
	} else {
		view := *idx
		view.searched = home
		r, err = view.SearchInContext(ctx, req)
	}
	if err != nil {
		return 0, err
	}
	if len(r.Hits) == 0 {
		return c.score(), nil
	}
	return r.Hits[0].Score, nil
}

// homesOf are the searched shards that may hold incident id: its shard
// of internal incidents and the restricted shard.
func (s *shardIndex) homesOf(id int64) []bleve.Index {
	var out []bleve.Index
	for _, p := range []bleve.Index{s.parts[s.shardOf(id)], s.restricted} {
		if p == nil {
			continue
		}
		for _, q := range s.searched {
			if q == p {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// anchorQuery matches one incident when inner does, scored as inner
// scores it. Its searcher is inner's own searcher walked to that
// incident: nothing is put above it (a conjunction would normalise the
// query's weights again, which can change a score in its last bit).
type anchorQuery struct {
	inner query.Query
	id    string
}

// Searcher implements query.Query.
func (q *anchorQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping,
	options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	target, err := r.InternalID(q.id)
	if err != nil {
		return nil, err
	}
	inner, err := q.inner.Searcher(ctx, r, m, options)
	if err != nil {
		return nil, err
	}
	// (A shard without the incident gives no target: nothing to find.)
	return &anchorSearcher{Searcher: inner, target: target, done: len(target) == 0}, nil
}

// anchorSearcher is a searcher that finds at most its target.
type anchorSearcher struct {
	bsearch.Searcher
	target index.IndexInternalID
	done   bool
}

// Next implements search.Searcher.
func (s *anchorSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	for {
		d, err := s.Searcher.Next(ctx)
		if err != nil || d == nil {
			return nil, err
		}
		switch c := d.IndexInternalID.Compare(s.target); {
		case c == 0:
			return d, nil
		case c > 0:
			ctx.DocumentMatchPool.Put(d)
			return nil, nil
		}
		ctx.DocumentMatchPool.Put(d)
	}
}

// Advance implements search.Searcher.
func (s *anchorSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	if s.done || id.Compare(s.target) > 0 {
		s.done = true
		return nil, nil
	}
	return s.Next(ctx)
}

// Count implements search.Searcher.
func (s *anchorSearcher) Count() uint64 { return 1 }
