package main

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/search"
)

// genSource is a search.Source over generated incidents 1..n, made on
// demand so that a corpus of 100k incidents never sits in memory: the
// index's rebuild pays for generating them, as it would pay for reading
// them from a database. It has no change feed.
type genSource struct {
	n   int
	doc func(i int) search.Doc
}

func (s genSource) LastSeq(context.Context) (int64, error) { return 0, nil }

func (s genSource) Changes(context.Context, int64, int) ([]incident.Change, error) { return nil, nil }

func (s genSource) Count(context.Context) (int64, error) { return int64(s.n), nil }

func (s genSource) IDs(_ context.Context, after int64, limit int) ([]int64, error) {
	var ids []int64
	for id := max(after+1, 1); id <= int64(s.n) && len(ids) < limit; id++ {
		ids = append(ids, id)
	}
	return ids, nil
}

func (s genSource) Docs(_ context.Context, ids []int64) (map[int64]search.Doc, error) {
	m := make(map[int64]search.Doc, len(ids))
	for _, id := range ids {
		if id >= 1 && id <= int64(s.n) {
			m[id] = s.doc(int(id - 1))
		}
	}
	return m, nil
}

// sliceSource is a search.Source over documents held in memory (the real
// post-mortems of the relevance check), with ids 1..len(docs).
type sliceSource []search.Doc

func (s sliceSource) LastSeq(context.Context) (int64, error) { return 0, nil }

func (s sliceSource) Changes(context.Context, int64, int) ([]incident.Change, error) { return nil, nil }

func (s sliceSource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	return genSource{n: len(s)}.IDs(ctx, after, limit)
}

func (s sliceSource) Docs(ctx context.Context, ids []int64) (map[int64]search.Doc, error) {
	return genSource{n: len(s), doc: func(i int) search.Doc { return s[i] }}.Docs(ctx, ids)
}
