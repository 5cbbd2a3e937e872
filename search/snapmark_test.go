package search

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// TestSearch_AnchorScoredAgainOnlyWhenChanged pages through searches by
// relevance — as typed and with typos, as a plan and through bleve — and
// checks that a page after a cursor scores the cursor's incident again
// only when its shard changed since the cursor was made (review P P2-1:
// every page after the first of a typo search built the typo expansion
// again just for that), and that every hit comes once either way. Between
// pages the index is left alone, written to (incidents that do not match,
// which moves every score: one in each shard, so ranks stay put) and
// merged, or rebuilt (a new generation, whose root epochs start again).
func TestSearch_AnchorScoredAgainOnlyWhenChanged(t *testing.T) {
	ctx := context.Background()
	for _, shards := range []int{1, 3} {
		var docs []Doc
		for id := int64(3); id < 36; id++ {
			docs = append(docs, tfDoc(id, 1+int(id/3)%3))
		}
		ix, src := openPaging(t, shards, docs)
		// write adds an incident that does not match to each shard, and
		// merges the shards (always when there are several: shards merge
		// in the background each at its own time, which re-ranks their
		// incidents among each other's; see
		// TestSearch_PagesContinueAfterWritesAndMerges).
		next := int64(1000)
		write := func(title string, merge bool) {
			for range 3 {
				src.put(quietDoc(next, title))
				next++
			}
			catchUp(t, ix, src)
			if merge || shards > 1 {
				forceMerge(t, ix)
			}
		}
		cases := []struct {
			name string
			// between changes the index between pages (nil: nothing).
			between   func()
			rescored  bool
			bleveOnly bool
		}{
			{name: "unchanged"},
			{name: "unchanged, through bleve", bleveOnly: true},
			{name: "written to", rescored: true, between: func() { write("routine maintenance window", false) }},
			{name: "written to, through bleve", bleveOnly: true, rescored: true, between: func() {
				write("a quiet night where nothing happened at all", false)
			}},
			{name: "written to and merged", rescored: true, between: func() { write("routine maintenance", true) }},
			{name: "rebuilt", rescored: true, between: func() {
				if err := ix.Rebuild(ctx, src); err != nil {
					t.Fatal(err)
				}
			}},
		}
		for _, c := range cases {
			for _, q := range []string{"failover", "failovr"} {
				if c.name == "rebuilt" && q != "failover" {
					continue // (a rebuild a page is slow)
				}
				t.Run(fmt.Sprintf("%d shards, %s, %q", shards, c.name, q), func(t *testing.T) {
					ix.bleveOnly = c.bleveOnly
					defer func() { ix.bleveOnly = false }()
					waitQuiet(t, ix)
					req := Request{Q: q, Limit: 6}
					var got []string
					pages := 0
					for ; ; pages++ {
						before := ix.anchors.Load()
						r, err := ix.Search(ctx, req)
						if err != nil {
							t.Fatal(err)
						}
						if pages == 0 && r.Fuzzy != (q == "failovr") {
							t.Fatalf("fuzzy %v", r.Fuzzy)
						}
						if n := ix.anchors.Load() - before; pages > 0 && n != map[bool]int64{true: 1}[c.rescored] {
							t.Fatalf("page %d scored the cursor's incident again %d times, want %v", pages, n, c.rescored)
						}
						got = append(got, hitKeys(r.Items)...)
						if r.NextCursor == "" || pages > 20 {
							break
						}
						if c.between != nil {
							c.between()
						} else {
							waitQuiet(t, ix) // (a merge of the build may still run: it changes the shard)
						}
						req.Cursor = r.NextCursor
					}
					checkOnce(t, got)
					var want []string
					for _, d := range docs {
						want = append(want, d.Key)
					}
					if pages < 5 || !sameSet(got, want) {
						t.Fatalf("%d pages of %v\nwant every one of %v", pages+1, got, want)
					}
				})
			}
		}
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestSearch_CursorWithoutMarkScoredAgain checks that a cursor whose mark
// is missing (made before marks were) or not the index's (another
// server's, or edited) has its incident scored again.
func TestSearch_CursorWithoutMarkScoredAgain(t *testing.T) {
	ctx := context.Background()
	ix, _ := openPaging(t, 1, []Doc{tfDoc(1, 1), tfDoc(2, 2), tfDoc(3, 3), tfDoc(4, 1)})
	waitQuiet(t, ix)
	req := Request{Q: "failover", Limit: 2}
	r, err := ix.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	c, err := decodeCursor(r.NextCursor)
	if err != nil || c.Snap == "" {
		t.Fatalf("the cursor %+v (%v) has no mark", c, err)
	}
	for _, mark := range []string{c.Snap, "", "0", "zzzzzzzzzzzzz"} {
		e := c
		e.Snap = mark
		s, err := encodeCursor(e)
		if err != nil {
			t.Fatal(err)
		}
		req.Cursor = s
		before := ix.anchors.Load()
		r, err := ix.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if n := ix.anchors.Load() - before; (n == 0) != (mark == c.Snap) || len(r.Items) != 2 {
			t.Errorf("mark %q (the index's: %q): scored again %d times, %d items", mark, c.Snap, n, len(r.Items))
		}
	}
	// A mark longer than any the server makes is no mark of its.
	e := c
	e.Snap = "zzzzzzzzzzzzzz"
	s, _ := encodeCursor(e)
	if _, err := ix.Search(ctx, Request{Q: "failover", Limit: 2, Cursor: s}); err == nil {
		t.Error("a mark of 14 characters was taken")
	}
}

// unmarked is cursor s without its snapshot mark: the page after it
// scores the cursor's incident again whether or not the index changed
// (for tests of that score, in an index left alone).
func unmarked(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		return ""
	}
	c, err := decodeCursor(s)
	if err != nil {
		t.Fatal(err)
	}
	c.Snap = ""
	out, err := encodeCursor(c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// shardEpochs are the root epochs of ix's shards (every write, persist and
// merge makes a new root), and whether every shard's background work is
// done with its root — persisted and considered for merging, much as
// bleve's own index_bgthreads_active says.
func shardEpochs(t *testing.T, ix *Index) (epochs []uint64, quiet bool) {
	t.Helper()
	quiet = true
	eachScorch(t, ix, func(s *scorch.Scorch) error {
		st, ok := s.Stats().(*scorch.Stats)
		if !ok {
			return fmt.Errorf("a shard's stats are a %T", s.Stats())
		}
		// (The root a shard opens with is counted as 0 until the next: a
		// shard opened and not written to since is quiet once it
		// persisted and considered merging that one.)
		root := atomic.LoadUint64(&st.CurRootEpoch)
		persisted, merged := atomic.LoadUint64(&st.LastPersistedEpoch), atomic.LoadUint64(&st.LastMergedEpoch)
		quiet = quiet && persisted != 0 && persisted == merged && (root == persisted || root == 0)
		epochs = append(epochs, root)
		return nil
	})
	return epochs, quiet
}

// waitQuiet waits until no shard of ix persists or merges any more: with
// no write, its snapshot then stays as it is.
func waitQuiet(t *testing.T, ix *Index) {
	t.Helper()
	for range 3000 {
		if _, quiet := shardEpochs(t, ix); quiet {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the shards still merge after 30 s")
}
