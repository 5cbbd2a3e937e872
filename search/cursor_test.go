package search

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

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
			if err := s.ForceMerge(context.Background(), nil); err != nil {
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
				sort string
				want []string
			}{{SortRelevance, asc}, {SortOldest, asc}, {SortNewest, desc}} {
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
					t.Errorf("%s: %v\nwant %v", c.sort, got, c.want)
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

// TestSearch_BadCursor checks that a cursor this search did not give out
// is refused with ErrBadCursor and a reason, never run.
func TestSearch_BadCursor(t *testing.T) {
	ix, _ := openPaging(t, 1, []Doc{tfDoc(1, 1), tfDoc(2, 2), tfDoc(3, 3)})
	ctx := context.Background()
	req := Request{Q: "failover", Limit: 1}
	r, err := ix.Search(ctx, req)
	if err != nil || r.NextCursor == "" {
		t.Fatalf("%v, next %q", err, r.NextCursor)
	}
	good := r.NextCursor
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	of := requestHash(req)
	cases := []struct {
		name, cursor, why string
		req               Request
	}{
		{name: "not base64", cursor: "not a cursor!", why: "is not a cursor"},
		{name: "not JSON", cursor: enc("{nope"), why: "is not a cursor"},
		{name: "JSON and more", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5}{}`), why: "is not a cursor"},
		{name: "JSON and a bracket", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5}]`), why: "is not a cursor"},
		{name: "JSON and a brace", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5}}`), why: "is not a cursor"},
		{name: "keys in capitals", cursor: enc(`{"V":2,"M":"relevance","Q":"` + of + `","I":2,"S":1.5}`), why: "is not a cursor"},
		{name: "a key in capitals", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","I":2,"s":1.5}`), why: "is not a cursor"},
		{name: "a key twice", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"i":3,"s":1.5}`), why: "is not a cursor"},
		{name: "a key twice, once in capitals", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5,"S":9}`), why: "is not a cursor"},
		{name: "an array for a score", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":[1.5]}`), why: "is not a cursor"},
		{name: "an array", cursor: enc(`[{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5}]`), why: "is not a cursor"},
		{name: "a cursor and spaces", cursor: enc(` {"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5} `), why: ""},
		{name: "an offset cursor of version 1", cursor: enc(`{"m":"relevance","o":10,"q":"` + of + `"}`), why: "earlier version"},
		{name: "an unknown version", cursor: enc(`{"v":3,"m":"relevance","q":"` + of + `","i":2,"s":1.5}`), why: "is not a cursor"},
		{name: "an unknown field", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5,"x":1}`), why: "is not a cursor"},
		{name: "no id", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","s":1.5}`), why: "is not a cursor"},
		{name: "a negative id", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":-4,"s":1.5}`), why: "is not a cursor"},
		{name: "an id as text", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":"2","s":1.5}`), why: "is not a cursor"},
		{name: "relevance without a score", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2}`), why: "is not a cursor"},
		{name: "a score too large", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1e999}`), why: "is not a cursor"},
		{name: "a score and an infinity", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5,"n":1}`), why: "is not a cursor"},
		{name: "an infinity neither + nor -", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"n":2}`), why: "is not a cursor"},
		{name: "a date sort with an infinity", cursor: enc(`{"v":2,"m":"newest","q":"` + of + `","i":2,"n":-1}`), why: "is not a cursor"},
		{name: "relevance with a date", cursor: enc(`{"v":2,"m":"relevance","q":"` + of + `","i":2,"s":1.5,"w":5}`), why: "is not a cursor"},
		{name: "a date sort with a score", cursor: enc(`{"v":2,"m":"newest","q":"` + of + `","i":2,"s":1.5}`), why: "is not a cursor"},
		{name: "an unknown sort", cursor: enc(`{"v":2,"m":"best","q":"` + of + `","i":2,"s":1.5}`), why: "is not a cursor"},
		{name: "another search's", cursor: good, req: Request{Q: "failover alpha", Limit: 1}, why: "another search"},
		{name: "another sort's", cursor: good, req: Request{Q: "failover", Sort: SortOldest, Limit: 1}, why: "another search"},
		{name: "another viewer's", cursor: good, req: Request{Q: "failover", Limit: 1, Viewer: Viewer{All: true}}, why: "another search"},
		{name: "another filter's", cursor: good, req: Request{Q: "failover", Limit: 1, Filters: Filters{Severities: []string{"sev1"}}}, why: "another search"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rq := c.req
			if rq.Q == "" {
				rq = req
			}
			rq.Cursor = c.cursor
			_, err := ix.Search(ctx, rq)
			if c.why == "" {
				if err != nil {
					t.Fatalf("got %v, want the cursor taken", err)
				}
				return
			}
			var ce *CursorError
			if !errors.Is(err, ErrBadCursor) || !errors.As(err, &ce) || !strings.Contains(ce.Reason, c.why) {
				t.Fatalf("got %v, want a CursorError saying %q", err, c.why)
			}
		})
	}
	// A cursor that is whole but points anywhere (edited by hand) is only a
	// place to start: it is served, and a page size of its own is fine.
	rq := req
	rq.Limit = 2
	rq.Cursor = enc(`{"v":2,"m":"relevance","q":"` + of + `","i":99,"s":1e300}`)
	if r, err := ix.Search(ctx, rq); err != nil || r.Total != 3 || len(r.Items) != 2 {
		t.Fatalf("a hand-made cursor: %v, total %d, %d items", err, r.Total, len(r.Items))
	}
	// One past a hit scored -Inf (one that is not there) lists nothing.
	rq.Cursor = enc(`{"v":2,"m":"relevance","q":"` + of + `","i":99,"n":-1}`)
	if r, err := ix.Search(ctx, rq); err != nil || r.Total != 3 || len(r.Items) != 0 || r.NextCursor != "" {
		t.Fatalf("a cursor past -Inf: %v, total %d, %d items, next %q", err, r.Total, len(r.Items), r.NextCursor)
	}
}

// TestSearch_CursorErrorsAreTheirOwn checks that changing the error a
// refused cursor gave changes nothing for the next one refused (review P
// P3-4: the errors were shared values whose Reason any caller could
// write to).
func TestSearch_CursorErrorsAreTheirOwn(t *testing.T) {
	ix, _ := openPaging(t, 1, []Doc{tfDoc(1, 1), tfDoc(2, 2)})
	ctx := context.Background()
	req := Request{Q: "failover", Limit: 1}
	r, err := ix.Search(ctx, req)
	if err != nil || r.NextCursor == "" {
		t.Fatalf("%v, next %q", err, r.NextCursor)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name string
		req  Request
	}{
		{name: "not a cursor", req: Request{Q: "failover", Cursor: "x"}},
		{name: "an earlier version's", req: Request{Q: "failover", Cursor: enc(`{"m":"relevance","o":10,"q":"x"}`)}},
		{name: "another search's", req: Request{Q: "failover alpha", Cursor: r.NextCursor}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reason := func() string {
				_, err := ix.Search(ctx, c.req)
				var ce *CursorError
				if !errors.As(err, &ce) {
					t.Fatalf("got %v, want a CursorError", err)
				}
				r := ce.Reason
				ce.Reason = "was changed by the last caller"
				return r
			}
			if first, again := reason(), reason(); first != again {
				t.Fatalf("first %q, then %q", first, again)
			}
		})
	}
}

// TestSearch_PagesHideRestricted pages as someone who may not see the
// restricted incidents — through all of them, while an incident becomes
// restricted between pages, and from a cursor made by hand at a
// restricted incident: no page shows one, and the total never counts one.
func TestSearch_PagesHideRestricted(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d shards", shards), func(t *testing.T) {
			var docs []Doc
			for id := int64(1); id <= 40; id++ {
				d := tfDoc(id, 1+int(id%3))
				if id%4 == 0 {
					d.Visibility, d.RestrictedTo = "restricted", []string{"legal"}
				}
				docs = append(docs, d)
			}
			ix, src := openPaging(t, shards, docs)
			hidden := func(key string) bool {
				var id int64
				fmt.Sscanf(key, "INC-%d", &id)
				d, ok := src.docs[id]
				return ok && d.restricted()
			}
			insider := Viewer{Principals: []string{"legal"}}
			if got := pageAll(t, ix, Request{Q: "failover", Limit: 6, Viewer: insider}, nil); len(got) != 40 {
				t.Fatalf("the insider pages through %d, want 40", len(got))
			}
			noneHidden := func(what string, got []Hit) {
				t.Helper()
				checkOnce(t, hitKeys(got))
				for _, h := range got {
					if hidden(h.Key) {
						t.Fatalf("%s: the restricted %s shows", what, h.Key)
					}
				}
			}
			for _, sortBy := range []string{SortRelevance, SortNewest} {
				got := pageAll(t, ix, Request{Q: "failover", Sort: sortBy, Limit: 4}, nil)
				noneHidden(sortBy, got)
				if len(got) != 30 {
					t.Fatalf("%s: %d incidents, want the 30 internal ones", sortBy, len(got))
				}
			}
			// An internal incident not shown yet becomes restricted after
			// the second page. (By date: a write to one shard re-ranks its
			// incidents among the other shards' by relevance.)
			var restricting Doc
			between := func(page int, sofar []Hit) {
				if page != 2 {
					return
				}
				for _, d := range docs {
					if !d.restricted() && !slices.Contains(hitKeys(sofar), d.Key) {
						restricting = d
						break
					}
				}
				d := restricting
				d.Visibility, d.RestrictedTo = "restricted", []string{"legal"}
				src.put(d)
				catchUp(t, ix, src)
			}
			got := pageAll(t, ix, Request{Q: "failover", Sort: SortNewest, Limit: 4}, between)
			if restricting.ID == 0 {
				t.Fatal("no third page")
			}
			noneHidden("restricted meanwhile", got)
			if len(got) != 29 {
				t.Fatalf("%d incidents, want the 29 still internal", len(got))
			}
			src.put(restricting)
			catchUp(t, ix, src)

			// A cursor at a restricted incident, with its score: the page
			// after it leaves the restricted ones out still.
			req := Request{Q: "failover", Limit: 50}
			c := cursor{V: cursorVersion, Mode: SortRelevance, Of: requestHash(req), ID: 8}
			score := 1e9
			c.Score = &score
			cur, err := encodeCursor(c)
			if err != nil {
				t.Fatal(err)
			}
			req.Cursor = cur
			r, err := ix.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != 30 || len(r.Items) != 30 {
				t.Fatalf("after a hand-made cursor: total %d, %d items", r.Total, len(r.Items))
			}
			for _, h := range r.Items {
				if hidden(h.Key) {
					t.Fatalf("the restricted %s shows", h.Key)
				}
			}
		})
	}
}

// TestAnchorScore checks that the last hit of a page is scored again
// exactly as the search scored it, bit for bit, for every kind of query
// (a score a bit lower would skip the hits between, a bit higher would
// show the hit again), in one shard and in several.
func TestAnchorScore(t *testing.T) {
	ctx := context.Background()
	docs := shardCorpus()
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, docs)
		for _, c := range []struct {
			q            string
			fuzzy, anyOf bool
			filters      Filters
			viewer       Viewer
		}{
			{q: "database"},
			{q: "failover timeout"},
			{q: `"went wrong"`},
			{q: "dns OR certificate"},
			{q: "-database incident"},
			{q: "title:replica expired"},
			{q: "database service:svc1"},
			{q: "databse", fuzzy: true},
			{q: "database zebra", anyOf: true},
			{q: "disk", filters: Filters{Severities: []string{"sev1", "sev2"}}},
			{q: "disk", viewer: Viewer{All: true}},
		} {
			req := Request{Q: c.q, Filters: c.filters, Viewer: c.viewer}
			q := ParseQuery(c.q, time.Now())
			err := ix.reader(func(idx *shardIndex) error {
				idx = idx.forViewer(ctx, c.viewer)
				full, _ := ix.searchQuery(idx, q, req, c.fuzzy, c.anyOf)
				r, err := idx.SearchInContext(ctx, searchRequestFor(full, 60))
				if err != nil {
					return err
				}
				if len(r.Hits) < 5 {
					return fmt.Errorf("%q: only %d hits", c.q, len(r.Hits))
				}
				for _, h := range r.Hits {
					var id int64
					fmt.Sscanf(h.ID, "%d", &id)
					stale := -1.0
					s, err := anchorScore(ctx, idx, full, cursor{ID: id, Score: &stale})
					if err != nil {
						return err
					}
					if s != h.Score {
						return fmt.Errorf("%d shards, %q: incident %s scored %v, again %v", shards, c.q, h.ID, h.Score, s)
					}
				}
				// One it does not match keeps the score it had.
				stale := 0.5
				if s, err := anchorScore(ctx, idx, full, cursor{ID: 987654, Score: &stale}); err != nil || s != stale {
					return fmt.Errorf("%q: an incident it does not find scored %v (%v)", c.q, s, err)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}
	}
}

// searchRequestFor is the request of the first page of n hits of full
// by relevance.
func searchRequestFor(full query.Query, n int) *bleve.SearchRequest {
	r := bleve.NewSearchRequestOptions(full, n, 0, false)
	r.Sort = sortOrder(SortRelevance)
	return r
}

func TestPageOrder(t *testing.T) {
	day := func(n int64) string { return string(numeric.MustNewPrefixCodedInt64(n, 0)) }
	cases := []struct {
		name, mode string
		a, b       pageHit
		want       int
		need       bool
	}{
		{name: "higher score first", mode: SortRelevance, a: pageHit{score: 2}, b: pageHit{score: 1}, want: -1},
		{name: "lower score after", mode: SortRelevance, a: pageHit{score: 1, id: "1"}, b: pageHit{score: 2, id: "2"}, want: 1},
		{name: "a tie needs the ids", mode: SortRelevance, a: pageHit{score: 1, id: "3"}, b: pageHit{score: 1}, need: true},
		{name: "a tie by id, as numbers", mode: SortRelevance, a: pageHit{score: 1, id: "9"}, b: pageHit{score: 1, id: "10"}, want: -1},
		{name: "the same hit", mode: SortRelevance, a: pageHit{score: 1, id: "10"}, b: pageHit{score: 1, id: "10"}, want: 0},
		{name: "an id not a number last", mode: SortRelevance, a: pageHit{score: 1, id: "x"}, b: pageHit{score: 1, id: "99"}, want: 1},
		{name: "newest first", mode: SortNewest, a: pageHit{when: day(2)}, b: pageHit{when: day(1)}, want: -1},
		{name: "newest: undated last", mode: SortNewest, a: pageHit{when: bsearch.LowTerm}, b: pageHit{when: day(1)}, want: 1},
		{name: "newest: a tie, higher id first", mode: SortNewest, a: pageHit{when: day(1), id: "10"}, b: pageHit{when: day(1), id: "9"}, want: -1},
		{name: "oldest first", mode: SortOldest, a: pageHit{when: day(1)}, b: pageHit{when: day(2)}, want: -1},
		{name: "oldest: undated last", mode: SortOldest, a: pageHit{when: bsearch.HighTerm}, b: pageHit{when: day(2)}, want: 1},
		{name: "oldest: a tie, lower id first", mode: SortOldest, a: pageHit{when: day(1), id: "9"}, b: pageHit{when: day(1), id: "10"}, want: -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, need := pageOrder(c.mode, &c.a, &c.b)
			if need != c.need || (!need && got != c.want) {
				t.Fatalf("got %d (need ids %v), want %d (%v)", got, need, c.want, c.need)
			}
		})
	}
}
