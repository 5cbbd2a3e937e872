package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// modeDocs are incidents that all match "failover" as typed, with ranks
// and ties, and none that holds "zebra".
func modeDocs() []Doc {
	var docs []Doc
	for id := int64(1); id <= 11; id++ {
		docs = append(docs, tfDoc(id, 1+int(id%3)))
	}
	return docs
}

// TestSearch_CursorKeepsHowWordsMatch checks that the pages after a
// first page that matched its words with typos, or any of them, match
// them so too and reach every hit once, and that a cursor edited to
// match them otherwise — typos or any-word matching turned on or off — is
// refused as another search's (review P P3-2: the flags were outside the
// hash, so a hand-made cursor could switch typo matching on for a search
// whose first page matched the words as typed).
func TestSearch_CursorKeepsHowWordsMatch(t *testing.T) {
	ctx := context.Background()
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, modeDocs())
		cases := []struct {
			name, q    string
			fuzzy, any bool
			hits       int
		}{
			{name: "as typed", q: "failover", hits: 11},
			{name: "with typos", q: "failovr", fuzzy: true, hits: 11},
			{name: "any of the words", q: "failover zebra", any: true, hits: 11},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%d shards, %s", shards, c.name), func(t *testing.T) {
				req := Request{Q: c.q, Limit: 3}
				// Every page matches the words as the first did, and the
				// pages reach every hit once.
				seen := map[int64]bool{}
				var first string
				for page := 0; ; page++ {
					r, err := ix.Search(ctx, req)
					if err != nil {
						t.Fatalf("page %d: %v", page, err)
					}
					if r.Fuzzy != c.fuzzy || r.AnyWord != c.any {
						t.Fatalf("page %d: fuzzy %v, any word %v; want %v, %v", page, r.Fuzzy, r.AnyWord, c.fuzzy, c.any)
					}
					for _, h := range r.Items {
						if seen[h.ID] {
							t.Fatalf("page %d repeats %d", page, h.ID)
						}
						seen[h.ID] = true
					}
					if page == 0 {
						first = r.NextCursor
					}
					if r.NextCursor == "" || page > 20 {
						break
					}
					req.Cursor = r.NextCursor
				}
				if len(seen) != c.hits {
					t.Fatalf("%d hits paged, want %d", len(seen), c.hits)
				}
				// The first page's cursor, edited to match the words
				// otherwise, is another search's.
				orig, err := decodeCursor(first)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range []struct {
					name       string
					fuzzy, any bool
				}{
					{"typos switched", !c.fuzzy, c.any},
					{"any word switched", c.fuzzy, !c.any},
					{"both switched", !c.fuzzy, !c.any},
				} {
					edited := orig
					edited.Fuzzy, edited.Any = e.fuzzy, e.any
					cur, err := encodeCursor(edited)
					if err != nil {
						t.Fatal(err)
					}
					req.Cursor = cur
					r, err := ix.Search(ctx, req)
					var ce *CursorError
					if !errors.Is(err, ErrBadCursor) || !errors.As(err, &ce) || !strings.Contains(ce.Reason, "another search") {
						t.Errorf("%s: fuzzy %v, any word %v, %d items, err %v; want the cursor refused as another search's",
							e.name, r.Fuzzy, r.AnyWord, len(r.Items), err)
					}
				}
			})
		}
	}
}
