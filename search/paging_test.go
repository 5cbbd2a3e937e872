package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
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
					req.Cursor = unmarked(t, res.NextCursor) // (scored again: snapmark.go)
				}
				if uint64(len(seen)) != total || n != len(seen) {
					t.Errorf("%d shards, %q as %+v: %d hits counted, %d paged, %d of them distinct", shards, q, v, total, n, len(seen))
				}
			}
		}
	}
}

// openPaging builds an index of docs in shards shards (and the
// restricted shard) and returns it with its source, for writes.
func openPaging(t *testing.T, shards int, docs []Doc) (*Index, *memSource) {
	t.Helper()
	src := newMemSource(docs...)
	ix, err := Open(t.TempDir(), Options{Shards: shards, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return ix, src
}

// forceMerge merges every shard's segments into one, as a background
// merge would at some point: deleted documents leave the word statistics.
func forceMerge(t *testing.T, ix *Index) {
	t.Helper()
	eachScorch(t, ix, func(s *scorch.Scorch) error { return s.ForceMerge(context.Background(), nil) })
}

// eachScorch calls fn with each shard of ix's generation, as the scorch
// index it is, and fails the test on an error.
func eachScorch(t *testing.T, ix *Index, fn func(s *scorch.Scorch) error) {
	t.Helper()
	err := ix.reader(func(idx *shardIndex) error {
		for _, p := range idx.all() {
			adv, err := p.Advanced()
			if err != nil {
				return err
			}
			s, ok := adv.(*scorch.Scorch)
			if !ok {
				return fmt.Errorf("a shard is a %T, not scorch", adv)
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// catchUp applies the source's changes to the index.
func catchUp(t *testing.T, ix *Index, src *memSource) {
	t.Helper()
	if _, err := ix.CatchUp(context.Background(), src); err != nil {
		t.Fatal(err)
	}
}

// pageAll pages through req (Limit per page) and returns the hits in
// order. After page k it calls between(k, the hits so far), which may
// change the index.
// Every page's total and facets must be those of the same search asked
// afresh: paging changes neither.
func pageAll(t *testing.T, ix *Index, req Request, between func(page int, sofar []Hit)) []Hit {
	t.Helper()
	ctx := context.Background()
	var got []Hit
	for page := 1; ; page++ {
		r, err := ix.Search(ctx, req)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		fresh := req
		fresh.Cursor = ""
		f, err := ix.Search(ctx, fresh)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != f.Total || fmt.Sprint(r.Facets) != fmt.Sprint(f.Facets) {
			t.Fatalf("page %d: total %d, facets %v; the search afresh: %d, %v", page, r.Total, r.Facets, f.Total, f.Facets)
		}
		got = append(got, r.Items...)
		if r.NextCursor == "" {
			return got
		}
		if page > 500 {
			t.Fatal("paging does not end")
		}
		if between != nil {
			between(page, got)
		}
		req.Cursor = r.NextCursor
	}
}

func hitKeys(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Key
	}
	return out
}

// onlyKeys is keys without those not in keep, in order.
func onlyKeys(keys []string, keep map[string]bool) []string {
	var out []string
	for _, k := range keys {
		if keep[k] {
			out = append(out, k)
		}
	}
	return out
}

// tfDoc is an incident whose title holds "failover" k times among eight
// words: every such title is as long, so incidents rank by k, whatever
// the word statistics, and those with the same k tie.
func tfDoc(id int64, k int) Doc {
	words := slices.Repeat([]string{"failover"}, k)
	words = append(words, []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}[:8-k]...)
	return Doc{ID: id, Key: "INC-" + itoa(id), Title: strings.Join(words, " "), Visibility: "internal",
		Severity: "SEV" + itoa(1+id%3), Status: "resolved", StartedAt: at("2023-03-01T00:00:00Z")}
}

// quietDoc is an incident that does not match "failover".
func quietDoc(id int64, title string) Doc {
	return Doc{ID: id, Key: "INC-" + itoa(id), Title: title, Visibility: "internal", Status: "resolved",
		StartedAt: at("2022-01-01T00:00:00Z")}
}

// TestSearch_PagesContinueAfterWritesAndMerges pages through a search by
// relevance while incidents are added, edited and deleted and the shards
// merged between pages — each of which changes the word statistics, and
// with them every score: each incident that was there all along and kept
// its rank comes exactly once, in the order of one page holding them all.
// (An offset cursor repeated a hit after one was added ahead of it and
// skipped one after a deletion; a cursor carrying the score alone skipped
// the hits tied with the last one once the scores moved.)
//
// bleve scores with each shard's own statistics, so that ranks stay put
// with three shards the shards are alike — the same numbers of incidents
// of each rank — and every write changes each of them alike: incidents
// come in threes with consecutive ids, one to a shard, and the shards are
// merged after each write (deleted incidents count in a shard's
// statistics until a merge leaves them out, and shards merge in the
// background each at its own time). Otherwise a write to one shard
// re-ranks its incidents among the other shards' — they move, and may
// then be shown twice or missed.
func TestSearch_PagesContinueAfterWritesAndMerges(t *testing.T) {
	rank := func(id int64) int { return 1 + int(id/3)%3 }
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d shards", shards), func(t *testing.T) {
			var docs []Doc
			initial := map[string]bool{}
			for id := int64(3); id < 48; id++ {
				d := tfDoc(id, rank(id))
				docs = append(docs, d)
				initial[d.Key] = true
			}
			for id := int64(1002); id < 1011; id++ {
				docs = append(docs, quietDoc(id, "a quiet night where nothing happened at all"))
			}
			ix, src := openPaging(t, shards, docs)
			req := Request{Q: "failover", Limit: 4}

			all := Request{Q: "failover", Limit: MaxLimit}
			first := pageAll(t, ix, all, nil)
			order0 := hitKeys(first)
			// By score, ties by id.
			var want []string
			for k := 3; k >= 1; k-- {
				for id := int64(3); id < 48; id++ {
					if rank(id) == k {
						want = append(want, "INC-"+itoa(id))
					}
				}
			}
			if !slices.Equal(order0, want) {
				t.Fatalf("one page: %v\nwant %v", order0, want)
			}

			deleted := map[string]bool{}
			three := func(base int64, doc func(id int64) Doc) {
				for id := base; id < base+3; id++ {
					src.put(doc(id))
				}
			}
			between := func(page int, sofar []Hit) {
				p := int64(page)
				switch page % 5 {
				case 1: // incidents that do not match: more documents, other lengths
					three(1102+30*p, func(id int64) Doc { return quietDoc(id, "routine maintenance window") })
				case 2: // new incidents ranked first, ahead of the cursor
					three(2001+3*p, func(id int64) Doc { return tfDoc(id, 4) })
				case 3: // three seen deleted (one in each shard, of one rank), and three that do not match
					for _, h := range sofar {
						if first := h.ID - h.ID%3; initial[h.Key] && !deleted[h.Key] && slices.ContainsFunc(sofar, func(x Hit) bool { return x.ID == first+2 }) {
							for id := first; id < first+3; id++ {
								deleted["INC-"+itoa(id)] = true
								src.remove(id)
							}
							break
						}
					}
					for id := int64(1002) + 3*(p%3); id < 1005+3*(p%3); id++ {
						src.remove(id)
					}
				case 4: // the shards merged: deleted incidents leave the statistics
					forceMerge(t, ix)
					return
				case 0: // new incidents ranked last, and edits of some that do not match
					three(3001+3*p, func(id int64) Doc { return tfDoc(id, 1) })
					three(1005, func(id int64) Doc {
						return quietDoc(id, "a quiet night, then a long and tedious review of nothing "+itoa(p))
					})
				}
				catchUp(t, ix, src)
				if shards > 1 {
					forceMerge(t, ix)
				}
			}
			got := hitKeys(pageAll(t, ix, req, between))
			checkOnce(t, got)
			if g := onlyKeys(got, initial); !slices.Equal(g, order0) {
				t.Fatalf("incidents there all along, paged:\n%v\nwant\n%v", g, order0)
			}
			if len(deleted) < 6 {
				t.Fatalf("only %d deletions between pages", len(deleted))
			}
			// The writes did not re-rank them (the premise of the test).
			now := onlyKeys(hitKeys(pageAll(t, ix, all, nil)), initial)
			if w := onlyKeys(order0, notIn(initial, deleted)); !slices.Equal(now, w) {
				t.Fatalf("the writes re-ranked the incidents: %v", now)
			}
		})
	}
}

// checkOnce fails when a key comes twice.
func checkOnce(t *testing.T, keys []string) {
	t.Helper()
	seen := map[string]bool{}
	for i, k := range keys {
		if seen[k] {
			t.Fatalf("%s comes twice (again at %d): %v", k, i, keys)
		}
		seen[k] = true
	}
}

// notIn is the keys of a that are not in b.
func notIn(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	return out
}

// TestSearch_TiesBrokenByID pages through incidents that all score the
// same (and all started at the same moment) while some are indexed again
// between pages, which moves them within the index: they come by
// incident id — ascending by relevance and oldest first, descending
// newest first — each exactly once.
func TestSearch_TiesBrokenByID(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d shards", shards), func(t *testing.T) {
			var docs []Doc
			var asc []string
			for id := int64(1); id <= 30; id++ {
				docs = append(docs, Doc{ID: id, Key: "INC-" + itoa(id), Title: "database failover drill",
					Visibility: "internal", Status: "resolved", StartedAt: at("2024-02-02T10:00:00Z")})
				asc = append(asc, "INC-"+itoa(id))
			}
			ix, src := openPaging(t, shards, docs)
			desc := slices.Clone(asc)
			slices.Reverse(desc)
			for _, c := range []struct {
				name, sort string
				want       []string
			}{
				{name: "by relevance, ascending ids", sort: SortRelevance, want: asc},
				{name: "oldest first, ascending ids", sort: SortOldest, want: asc},
				{name: "newest first, descending ids", sort: SortNewest, want: desc},
			} {
				between := func(page int, sofar []Hit) {
					// Indexed again: a seen incident, one not seen yet, and
					// the last one seen (the cursor's).
					last := sofar[len(sofar)-1].ID
					for _, id := range []int64{int64(page), int64(31 - page), last} {
						d := docs[id-1]
						d.Status = []string{"open", "resolved"}[page%2]
						src.put(d)
					}
					catchUp(t, ix, src)
				}
				got := hitKeys(pageAll(t, ix, Request{Q: "failover", Sort: c.sort, Limit: 7}, between))
				if !slices.Equal(got, c.want) {
					t.Errorf("%s: %v\nwant %v", c.name, got, c.want)
				}
			}
		})
	}
}

// TestSearch_DatePagesContinueAfterWrites pages through a search by date,
// newest and oldest first, with incidents on the same day and undated
// ones (last), while incidents are added ahead of and behind the cursor,
// deleted and merged away between pages: each incident there all along
// comes once, in order.
func TestSearch_DatePagesContinueAfterWrites(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d shards", shards), func(t *testing.T) {
			var docs []Doc
			for id := int64(1); id <= 40; id++ {
				d := Doc{ID: id, Key: "INC-" + itoa(id), Title: "payment errors " + itoa(id), Visibility: "internal",
					Status: "resolved"}
				if id%7 != 0 {
					// Four incidents a day, at the same moment.
					when := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC).AddDate(0, 0, int(id%10))
					d.StartedAt = &when
				}
				docs = append(docs, d)
			}
			dateOf := func(d Doc) (time.Time, bool) { return d.When() }
			for _, sortBy := range []string{SortNewest, SortOldest} {
				t.Run(sortBy, func(t *testing.T) {
					ix, src := openPaging(t, shards, docs)
					want := slices.Clone(docs)
					slices.SortFunc(want, func(a, b Doc) int {
						ta, oka := dateOf(a)
						tb, okb := dateOf(b)
						switch {
						case oka != okb: // undated last
							if oka {
								return -1
							}
							return 1
						case sortBy == SortNewest:
							if c := tb.Compare(ta); c != 0 {
								return c
							}
							return int(b.ID - a.ID)
						}
						if c := ta.Compare(tb); c != 0 {
							return c
						}
						return int(a.ID - b.ID)
					})
					var wantKeys []string
					initial := map[string]bool{}
					for _, d := range want {
						wantKeys = append(wantKeys, d.Key)
						initial[d.Key] = true
					}
					req := Request{Q: "payment", Sort: sortBy, Limit: 4}
					if got := hitKeys(pageAll(t, ix, Request{Q: "payment", Sort: sortBy, Limit: MaxLimit}, nil)); !slices.Equal(got, wantKeys) {
						t.Fatalf("one page: %v\nwant %v", got, wantKeys)
					}
					deleted := map[string]bool{}
					between := func(page int, sofar []Hit) {
						switch page % 4 {
						case 1: // one newer than all, one older than all
							newer := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, page)
							older := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -page)
							src.put(Doc{ID: int64(500 + page), Key: "INC-" + itoa(int64(500+page)), Title: "payment errors",
								Visibility: "internal", StartedAt: &newer})
							src.put(Doc{ID: int64(600 + page), Key: "INC-" + itoa(int64(600+page)), Title: "payment errors",
								Visibility: "internal", StartedAt: &older})
						case 2: // a seen one deleted
							h := sofar[0]
							for _, x := range sofar {
								if !deleted[x.Key] {
									h = x
									break
								}
							}
							deleted[h.Key] = true
							src.remove(h.ID)
						case 3:
							forceMerge(t, ix)
							return
						case 0: // an undated one, with a higher id than all
							src.put(Doc{ID: int64(700 + page), Key: "INC-" + itoa(int64(700+page)), Title: "payment errors",
								Visibility: "internal"})
						}
						catchUp(t, ix, src)
					}
					got := hitKeys(pageAll(t, ix, req, between))
					checkOnce(t, got)
					if g := onlyKeys(got, initial); !slices.Equal(g, wantKeys) {
						t.Fatalf("paged:\n%v\nwant\n%v", g, wantKeys)
					}
				})
			}
		})
	}
}
