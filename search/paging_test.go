package search

import (
	"context"
	"math/rand/v2"
	"testing"
)

// TestSearch_PagesReachEveryHit pages through searches (of planDoc's
// incidents) of one and several words, OR and fields, a page of a few hits at a time, on one and three
// shards, for viewers who see everything, some or none of the restricted
// incidents: every hit the first page counts comes once. (The next page
// continues below the score the last hit has now, found by scoring it
// exactly as the page's search scored it: bleve's searchers score a
// document reached by a jump (Advance) differently from one reached
// walking (Next) when a query's ranking clauses are optional, and an
// anchor scored by a jump let pages skip up to a third of the hits.)
func TestSearch_PagesReachEveryHit(t *testing.T) {
	ctx := context.Background()
	for _, shards := range []int{1, 3} {
		r := rand.New(rand.NewPCG(uint64(shards), 3))
		docs := make([]Doc, 0, 300)
		for id := int64(1); id <= 300; id++ {
			docs = append(docs, planDoc(r, id))
		}
		ix, _ := openPaging(t, shards, docs)
		for _, q := range []string{"database", "outage", "checkout OR http", "dns OR bgp", "database failover",
			"\"connection pool\" latency", "service:dns memory", "-outage timeout"} {
			for _, v := range []Viewer{{All: true}, {Principals: []string{"user:1"}}, {}} {
				seen := map[int64]int{}
				n := 0
				req := Request{Q: q, Viewer: v, Limit: 7}
				var total uint64
				for page := 0; ; page++ {
					if page > 100 {
						t.Fatalf("%d shards, %q: the list does not end", shards, q)
					}
					res, err := ix.Search(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					if page == 0 {
						total = res.Total
					}
					for _, h := range res.Items {
						seen[h.ID]++
						n++
					}
					if res.NextCursor == "" {
						break
					}
					req.Cursor = res.NextCursor
				}
				if uint64(len(seen)) != total || n != len(seen) {
					t.Errorf("%d shards, %q as %+v: %d hits counted, %d paged, %d of them distinct", shards, q, v, total, n, len(seen))
				}
			}
		}
	}
}
