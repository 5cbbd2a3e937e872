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
	"github.com/blevesearch/bleve/v2/search/query"
)

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

// TestAnchorScore_BitForBit checks that the last hit of a page is scored again
// exactly as the search scored it, bit for bit, for every kind of query
// (a score a bit lower would skip the hits between, a bit higher would
// show the hit again), in one shard and in several.
func TestAnchorScore_BitForBit(t *testing.T) {
	ctx := context.Background()
	docs := shardCorpus()
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, docs)
		for _, c := range []struct {
			name, q      string
			fuzzy, anyOf bool
			filters      Filters
			viewer       Viewer
		}{
			{name: "a word", q: "database"},
			{name: "two words", q: "failover timeout"},
			{name: "a phrase", q: `"went wrong"`},
			{name: "OR", q: "dns OR certificate"},
			{name: "an exclusion", q: "-database incident"},
			{name: "a field", q: "title:replica expired"},
			{name: "a filter in the text", q: "database service:svc1"},
			{name: "typos", q: "databse", fuzzy: true},
			{name: "any word", q: "database zebra", anyOf: true},
			{name: "filters", q: "disk", filters: Filters{Severities: []string{"sev1", "sev2"}}},
			{name: "restricted incidents seen", q: "disk", viewer: Viewer{All: true}},
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
					return fmt.Errorf("%s: only %d hits", c.name, len(r.Hits))
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
						return fmt.Errorf("%d shards, %s: incident %s scored %v, again %v", shards, c.name, h.ID, h.Score, s)
					}
				}
				// One it does not match keeps the score it had.
				stale := 0.5
				if s, err := anchorScore(ctx, idx, full, cursor{ID: 987654, Score: &stale}); err != nil || s != stale {
					return fmt.Errorf("%s: an incident it does not find scored %v (%v)", c.name, s, err)
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

// TestSearch_CursorAtAnotherGroupsIncident pages, as someone who may see
// the incidents restricted to legal, from cursors made by hand at
// incidents restricted to finance — which the restricted shard this
// viewer searches holds — with a score above every other, and with the
// snapshot mark of a cursor the server gave out (so the score stands):
// the page after lists every incident this viewer may see and no other,
// and the total counts no other (review P P3-7).
func TestSearch_CursorAtAnotherGroupsIncident(t *testing.T) {
	ctx := context.Background()
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d shards", shards), func(t *testing.T) {
			var docs []Doc
			group := map[int64]string{}
			for id := int64(1); id <= 18; id++ {
				d := tfDoc(id, 1+int(id%3))
				switch id % 3 {
				case 1:
					d.Visibility, d.RestrictedTo = "restricted", []string{"legal"}
				case 2:
					d.Visibility, d.RestrictedTo = "restricted", []string{"finance"}
				}
				group[id] = strings.Join(d.RestrictedTo, "")
				docs = append(docs, d)
			}
			ix, _ := openPaging(t, shards, docs)
			waitQuiet(t, ix)
			insider := Viewer{Principals: []string{"legal"}}
			req := Request{Q: "failover", Limit: 2, Viewer: insider}
			first, err := ix.Search(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			given, err := decodeCursor(first.NextCursor)
			if err != nil || given.Snap == "" {
				t.Fatalf("the cursor given out: %+v, %v", given, err)
			}
			req.Limit = 50
			for id, g := range group {
				if g != "finance" {
					continue
				}
				for _, mark := range []string{"", given.Snap} {
					score := 1e9
					c := cursor{V: cursorVersion, Mode: SortRelevance, Of: requestHash(req), ID: id, Score: &score, Snap: mark}
					if req.Cursor, err = encodeCursor(c); err != nil {
						t.Fatal(err)
					}
					r, err := ix.Search(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					if r.Total != 12 || len(r.Items) != 12 {
						t.Fatalf("after incident %d (mark %q): total %d, %d items; want the 12 this viewer may see", id, mark, r.Total, len(r.Items))
					}
					for _, h := range r.Items {
						if group[h.ID] == "finance" {
							t.Fatalf("after incident %d (mark %q): finance's incident %d shows", id, mark, h.ID)
						}
					}
				}
			}
		})
	}
}

// TestSearch_CursorAtDeletedIncident pages by relevance through incidents
// that tie in runs, deleting the last hit of each page before the next:
// the next page continues after the score that hit had — and after its
// id among the hits tied with it — so every other incident comes once,
// in order (review P P3-7: the fallback when the cursor's incident no
// longer matches). An incident like it is added in its place, and the
// shard merged, so that no score moves.
func TestSearch_CursorAtDeletedIncident(t *testing.T) {
	var docs []Doc
	initial := map[string]bool{}
	for id := int64(1); id <= 24; id++ {
		d := tfDoc(id, 1+int(id%3))
		docs = append(docs, d)
		initial[d.Key] = true
	}
	ix, src := openPaging(t, 1, docs)
	all := hitKeys(pageAll(t, ix, Request{Q: "failover", Limit: MaxLimit}, nil))
	scores := func() map[string]float64 {
		r, err := ix.Search(context.Background(), Request{Q: "failover", Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range r.Items {
			out[h.Key] = h.Score
		}
		return out
	}
	before := scores()
	deleted := 0
	between := func(page int, sofar []Hit) {
		last := sofar[len(sofar)-1]
		src.remove(last.ID)
		src.put(tfDoc(1000+int64(page), 1+int(last.ID%3)))
		deleted++
		catchUp(t, ix, src)
		forceMerge(t, ix)
	}
	// Limit 5 ends pages inside runs of eight tied incidents.
	got := hitKeys(pageAll(t, ix, Request{Q: "failover", Limit: 5}, between))
	if deleted < 3 {
		t.Fatalf("only %d pages", deleted+1)
	}
	// (The premise: no score moved.)
	for k, s := range scores() {
		if initial[k] && before[k] != s {
			t.Fatalf("the writes moved %s's score from %v to %v", k, before[k], s)
		}
	}
	checkOnce(t, got)
	if g := onlyKeys(got, initial); !slices.Equal(g, all) {
		t.Fatalf("paged %v\nwant %v", g, all)
	}
}

// TestSearch_CursorWithAnotherLimit pages through a search changing the
// page size from page to page (a cursor does not hold it): every hit
// comes once, in the order of one page holding them all.
func TestSearch_CursorWithAnotherLimit(t *testing.T) {
	var docs []Doc
	for id := int64(1); id <= 30; id++ {
		docs = append(docs, tfDoc(id, 1+int(id%4)))
	}
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, docs)
		for _, sortBy := range []string{SortRelevance, SortNewest, SortOldest} {
			want := hitKeys(pageAll(t, ix, Request{Q: "failover", Sort: sortBy, Limit: MaxLimit}, nil))
			req := Request{Q: "failover", Sort: sortBy, Limit: 1}
			var got []string
			for page := 0; page < 30; page++ {
				req.Limit = []int{1, 4, 2, 7, 3}[page%5]
				r, err := ix.Search(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, hitKeys(r.Items)...)
				if r.NextCursor == "" {
					break
				}
				req.Cursor = r.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d shards, %s: paged %v\nwant %v", shards, sortBy, got, want)
			}
		}
	}
}
