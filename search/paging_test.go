package search

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pagingWords are the words of pagingDoc's texts: common and rare ones,
// some sharing a stem, some identifiers.
var pagingWords = strings.Fields(`outage outages database databases failover timeout latency dns bgp route
	leak certificate expired disk full power loss memory connection pool checkout payment replication
	lag deadlock config change rollback retry storm http 502 us-east-1 ERR_CONN_RESET the of during after`)

// pagingText is n words drawn with a skew towards the first ones.
func pagingText(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = pagingWords[int(float64(len(pagingWords))*r.Float64()*r.Float64())]
	}
	return strings.Join(ws, " ")
}

// pagingDoc is a random incident with every text field (so the short
// fields' ranking clauses score), labels, and sometimes restricted.
func pagingDoc(r *rand.Rand, id int64) Doc {
	when := time.Date(2019+r.IntN(5), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
	d := Doc{ID: id, Key: "INC-" + strconv.FormatInt(id, 10), Title: pagingText(r, 2+r.IntN(5)),
		Summary: pagingText(r, r.IntN(12)), Severity: "SEV" + strconv.Itoa(1+r.IntN(3)), Status: "resolved",
		Services: []string{[]string{"checkout", "dns", "edge proxy"}[r.IntN(3)]}, StartedAt: &when}
	for range r.IntN(3) {
		d.RootCauses = append(d.RootCauses, RootCause{Category: "cat" + strconv.Itoa(r.IntN(3)), Description: pagingText(r, 3+r.IntN(6))})
	}
	if r.IntN(2) == 0 {
		d.Sections = []Section{{Key: "impact", Title: "Impact", Body: pagingText(r, 5+r.IntN(20))}}
	}
	for k := range r.IntN(6) {
		d.Events = append(d.Events, Event{ID: id*100 + int64(k), Body: pagingText(r, 3+r.IntN(15))})
	}
	if r.IntN(4) == 0 {
		d.Visibility, d.RestrictedTo = "restricted", []string{"user:" + strconv.Itoa(r.IntN(3))}
	}
	return d
}

// TestSearch_PagesReachEveryHit pages through searches of one and several
// words, OR and fields, a page of a few hits at a time, on one and three
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
			docs = append(docs, pagingDoc(r, id))
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
