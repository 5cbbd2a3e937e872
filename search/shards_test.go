package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// shardCorpus is the fixtures plus generated incidents with a few words in
// common, so searches match many incidents across shards.
func shardCorpus() []Doc {
	docs := fixtures()
	r := rand.New(rand.NewPCG(3, 3))
	words := []string{"database", "failover", "timeout", "replica", "disk", "certificate", "expired", "dns"}
	for id := int64(10); id < 250; id++ {
		d := facetDoc(r, id)
		d.Title = words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + " incident " + strconv.FormatInt(id, 10)
		d.Summary = "The " + words[r.IntN(len(words))] + " went wrong while the " + words[r.IntN(len(words))] + " was busy."
		docs = append(docs, d)
	}
	return docs
}

func openShardsBuilt(t *testing.T, dir string, shards int, docs []Doc) *Index {
	t.Helper()
	ix, err := Open(dir, Options{Shards: shards, BatchSize: 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), newMemSource(docs...)); err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestShards_SameAnswersAsOneShard checks that an index split in shards
// finds the same incidents, counts the same totals and facets, pages
// without repeating or skipping, and answers similar and suggest, as the
// same index in one shard.
func TestShards_SameAnswersAsOneShard(t *testing.T) {
	ctx := context.Background()
	docs := shardCorpus()
	one := openShardsBuilt(t, t.TempDir(), 1, docs)
	defer one.Close()
	three := openShardsBuilt(t, t.TempDir(), 3, docs)
	defer three.Close()
	if n := len(three.cur.parts); n != 3 {
		t.Fatalf("%d shards, want 3", n)
	}
	for i, p := range three.cur.parts {
		if c, _ := p.DocCount(); c == 0 {
			t.Errorf("shard %d is empty", i)
		}
	}
	if a, b := one.Status().Documents, three.Status().Documents; a != b || a != uint64(len(docs)) {
		t.Fatalf("documents %d and %d, want %d", a, b, len(docs))
	}

	all := func(ix *Index, q, sortBy string) (keys []string, total uint64, facets string) {
		cur := ""
		for {
			r, err := ix.Search(ctx, Request{Q: q, Sort: sortBy, Limit: 7, Cursor: cur})
			if err != nil {
				t.Fatal(err)
			}
			if cur == "" {
				total, facets = r.Total, fmt.Sprint(r.Facets)
			}
			for _, h := range r.Items {
				keys = append(keys, h.Key)
			}
			if r.NextCursor == "" {
				return keys, total, facets
			}
			cur = r.NextCursor
		}
	}
	for _, q := range []string{"database", "failover timeout", `"disk full"`, "dns OR certificate", "-database incident", "service:svc1", "bgp"} {
		for _, sortBy := range []string{SortRelevance, SortNewest, SortOldest} {
			k1, t1, f1 := all(one, q, sortBy)
			k3, t3, f3 := all(three, q, sortBy)
			if t1 != t3 || f1 != f3 {
				t.Errorf("%q %s: total %d vs %d, facets\n%s\n%s", q, sortBy, t1, t3, f1, f3)
			}
			if len(k3) != int(t3) {
				t.Errorf("%q %s: pages gave %d incidents of %d", q, sortBy, len(k3), t3)
			}
			s1, s3 := slices.Clone(k1), slices.Clone(k3)
			slices.Sort(s1)
			slices.Sort(s3)
			if !slices.Equal(s1, s3) {
				t.Errorf("%q %s: different incidents", q, sortBy)
			}
			if len(slices.Compact(s3)) != len(k3) {
				t.Errorf("%q %s: a page repeated an incident", q, sortBy)
			}
			if sortBy != SortRelevance && !sameYearsInOrder(docs, k1, k3) {
				t.Errorf("%q %s: order\n%v\n%v", q, sortBy, k1, k3)
			}
		}
	}

	// Similar incidents read the incident from its shard and count words
	// over all shards.
	// (Word statistics are per shard, so scores differ a little: the
	// incidents found must be mostly the same.)
	found := 0
	for _, id := range []int64{1, 3, 17, 101, 140} {
		want, err := one.Similar(ctx, SimilarRequest{ID: id, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		sims, err := three.Similar(ctx, SimilarRequest{ID: id, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(sims) != len(want) {
			t.Errorf("similar to %d: %d incidents, one shard found %d", id, len(sims), len(want))
		}
		same := 0
		for _, s := range sims {
			if s.ID == id {
				t.Errorf("similar to %d lists itself", id)
			}
			for _, w := range want {
				if w.ID == s.ID {
					same++
				}
			}
		}
		if same*2 < len(want) {
			t.Errorf("similar to %d: %v, one shard: %v", id, sims, want)
		}
		found += len(sims)
	}
	if found == 0 {
		t.Error("similar found nothing at all")
	}
	// Suggestions gather every shard's services.
	s1, err := one.Suggest(ctx, "svc", 20, Viewer{All: true})
	if err != nil {
		t.Fatal(err)
	}
	s3, err := three.Suggest(ctx, "svc", 20, Viewer{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(s1) != fmt.Sprint(s3) || len(s3) == 0 {
		t.Errorf("suggest\n%v\n%v", s1, s3)
	}
}

// sameYearsInOrder reports whether two lists of keys go through the same
// dates in the same order (incidents of one date may come in any order).
func sameYearsInOrder(docs []Doc, a, b []string) bool {
	when := map[string]string{}
	for _, d := range docs {
		w, _ := d.When()
		when[d.Key] = w.String()
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if when[a[i]] != when[b[i]] {
			return false
		}
	}
	return true
}

// TestShards_ReopenResumesFromTheLowestShard checks that a shard left
// behind (a crash between two shards' batches) makes the index resume
// from its sequence, and that a missing shard makes the index rebuild.
func TestShards_ReopenResumesFromTheLowestShard(t *testing.T) {
	dir := t.TempDir()
	src := newMemSource(shardCorpus()...)
	ix, err := Open(dir, Options{Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	want := ix.Seq()
	b := ix.cur.parts[1].NewBatch()
	b.SetInternal(keySeq, []byte(strconv.FormatInt(want-5, 10)))
	if err := ix.cur.parts[1].Batch(b); err != nil {
		t.Fatal(err)
	}
	gen := ix.gen
	ix.Close()

	ix, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Seq(); got != want-5 || len(ix.cur.parts) != 3 {
		t.Fatalf("reopened at seq %d with %d shards, want %d with 3", got, len(ix.cur.parts), want-5)
	}
	// Catching up applies the five changes again, to every shard.
	if _, err := ix.CatchUp(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if got := ix.Seq(); got != want {
		t.Fatalf("after catching up: seq %d, want %d", got, want)
	}
	ix.Close()

	if err := os.RemoveAll(filepath.Join(dir, gen, shardDirPrefix+"2")); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Status().Ready {
		t.Fatal("an index missing a shard was opened; it must be rebuilt")
	}
}

// TestShards_OpensAGenerationFromBeforeShards checks that a generation
// that is one bleve index (as written before shards) opens as one shard.
func TestShards_OpensAGenerationFromBeforeShards(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gen-old")
	idx, err := bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := idx.NewBatch()
	d := fixtures()[1]
	if err := b.IndexAdvanced(newDocBuilder(newMapping()).build(&d)); err != nil {
		t.Fatal(err)
	}
	b.SetInternal(keyVersion, []byte(strconv.Itoa(MappingVersion)))
	b.SetInternal(keySeq, []byte("42"))
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	idx.Close()
	if err := os.WriteFile(filepath.Join(dir, currentFile), []byte("gen-old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	r, err := ix.Search(context.Background(), Request{Q: "cassandra"})
	if err != nil || r.Total != 1 || ix.Seq() != 42 || len(ix.cur.parts) != 1 {
		t.Fatalf("old generation: %v, %+v, seq %d", err, r, ix.Seq())
	}
}

// TestShards_RestrictedIncidentsDoNotMoveOthersScores is the side channel
// a reviewer found: with every incident in one index, a viewer could tell
// from the scores of their own incidents whether a hidden incident holds a
// word (the word gets rarer or commoner). Restricted incidents are in a
// shard of their own, so for a viewer who may see none of them, adding
// one changes no score, order, total or facet.
func TestShards_RestrictedIncidentsDoNotMoveOthersScores(t *testing.T) {
	ctx := context.Background()
	src := newMemSource(
		Doc{ID: 1, Key: "INC-1", Title: "kafka lag on the billing consumer", Visibility: "internal", Services: []string{"billing"}},
		Doc{ID: 2, Key: "INC-2", Title: "zookeeper session expiry", Visibility: "internal", Services: []string{"billing"}},
		Doc{ID: 3, Key: "INC-3", Title: "unrelated disk alarm", Visibility: "internal"},
	)
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	// A signed-in user with groups, none of which a restricted incident
	// names.
	outsider := Viewer{Principals: []string{"bob@example.com", "sre"}}
	look := func() string {
		t.Helper()
		var b strings.Builder
		for _, q := range []string{"kafka OR zookeeper", "kafka", "zookeeper billing"} {
			r, err := ix.Search(ctx, Request{Q: q, Viewer: outsider})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s: %d %v |", q, r.Total, r.Facets)
			for _, h := range r.Items {
				fmt.Fprintf(&b, " %s=%.9f", h.Key, h.Score)
			}
			b.WriteString("\n")
		}
		sims, err := ix.Similar(ctx, SimilarRequest{Text: "kafka lag zookeeper", Viewer: outsider, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sims {
			fmt.Fprintf(&b, " similar %s=%.9f", s.Key, s.Score)
		}
		return b.String()
	}
	before := look()
	// A hidden incident that says kafka five times.
	src.put(Doc{ID: 4, Key: "INC-4", Title: "kafka kafka kafka at the customer", Summary: "kafka kafka",
		Visibility: "restricted", RestrictedTo: []string{"security"}, Services: []string{"billing"}})
	if _, err := ix.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	if after := look(); after != before {
		t.Fatalf("a restricted incident moved what an outsider sees:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	ix.mu.RLock()
	outView, memberView := len(ix.cur.forViewer(ctx, outsider).searched), len(ix.cur.forViewer(ctx, Viewer{Principals: []string{"SECURITY"}}).searched)
	ix.mu.RUnlock()
	if outView != len(ix.cur.parts) || memberView != len(ix.cur.parts)+1 {
		t.Fatalf("shards searched: outsider %d, member %d", outView, memberView)
	}
	// Its members find it; it sits in the restricted shard only.
	r, err := ix.Search(ctx, Request{Q: "kafka", Viewer: Viewer{Principals: []string{"security"}}})
	if err != nil || r.Total != 2 {
		t.Fatalf("member: %v, total %d, want 2", err, r.Total)
	}
	countIn := func(p bleve.Index) uint64 { n, _ := p.DocCount(); return n }
	if n := countIn(ix.cur.restricted); n != 1 {
		t.Fatalf("restricted shard holds %d incidents, want 1", n)
	}

	// Made internal, it moves out of the restricted shard (one copy);
	// restricted again, it moves back.
	for _, vis := range []string{"internal", "restricted"} {
		src.put(Doc{ID: 4, Key: "INC-4", Title: "kafka kafka kafka at the customer", Visibility: vis,
			RestrictedTo: []string{"security"}})
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
		r, err := ix.Search(ctx, Request{Q: "customer", Viewer: Viewer{All: true}})
		if err != nil || r.Total != 1 {
			t.Fatalf("%s: %v, total %d, want 1", vis, err, r.Total)
		}
		want := uint64(0)
		if vis == "restricted" {
			want = 1
		}
		if n := countIn(ix.cur.restricted); n != want {
			t.Fatalf("%s: restricted shard holds %d, want %d", vis, n, want)
		}
		if sims, err := ix.Similar(ctx, SimilarRequest{ID: 4, Viewer: Viewer{All: true}}); err != nil || len(sims) == 0 {
			t.Fatalf("%s: similar to the moved incident: %v %v", vis, sims, err)
		}
	}
	// Deleted, it is gone from every shard.
	src.remove(4)
	if _, err := ix.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	if r, err := ix.Search(ctx, Request{Q: "customer", Viewer: Viewer{All: true}}); err != nil || r.Total != 0 {
		t.Fatalf("deleted: %v %d", err, r.Total)
	}
}

// TestEachOf_PanicIsAnError: a shard's goroutine that panics fails the
// call with an error naming it, rather than the process.
func TestEachOf_PanicIsAnError(t *testing.T) {
	parts := []bleve.Index{nil, nil}
	err := eachOf(parts, func(i int, _ bleve.Index) error {
		if i == 1 {
			var m map[string]int
			m["x"] = 1 // (a nil map: panics)
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "search: internal error: assignment to entry in nil map") {
		t.Fatalf("err = %v", err)
	}
}
