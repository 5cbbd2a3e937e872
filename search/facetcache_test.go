package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// facetDoc is incident id with a service, severity, tag and year drawn
// from small sets, so that counts collide and ties happen.
func facetDoc(r *rand.Rand, id int64) Doc {
	when := time.Date(2018+r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC)
	d := Doc{ID: id, Key: "INC-" + strconv.FormatInt(id, 10), Title: "disk full on the database host",
		Severity: "SEV" + strconv.Itoa(1+r.IntN(3)), Status: "resolved", Visibility: "internal",
		Services: []string{"svc" + strconv.Itoa(r.IntN(6))}, Tags: []string{"tag" + strconv.Itoa(r.IntN(20))},
		RootCauses: []RootCause{{Category: "cat" + strconv.Itoa(r.IntN(4)), Description: "the disk filled"}},
		StartedAt:  &when}
	if r.IntN(4) == 0 {
		d.Services = append(d.Services, "svc-extra")
	}
	return d
}

// wantFacets counts the facets of docs the way Search must: per value,
// most frequent first, the value breaking ties, cut at the facet's size;
// years newest first.
func wantFacets(docs map[int64]Doc) map[string][]Count {
	raw := map[string]map[string]int{}
	add := func(facet, v string) {
		if raw[facet] == nil {
			raw[facet] = map[string]int{}
		}
		raw[facet][normalizeKeyword(v)]++
	}
	for _, d := range docs {
		for _, s := range d.Services {
			add(FacetService, s)
		}
		add(FacetSeverity, d.Severity)
		for _, t := range d.Tags {
			add(FacetTag, t)
		}
		for _, c := range d.Categories() {
			add(FacetCategory, c)
		}
		w, _ := d.When()
		add(FacetYear, strconv.Itoa(w.Year()))
	}
	out := map[string][]Count{}
	for _, f := range facets {
		cs := []Count{}
		for v, n := range raw[f.name] {
			cs = append(cs, Count{Value: v, Count: n})
		}
		slices.SortFunc(cs, func(a, b Count) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			if a.Value < b.Value {
				return -1
			}
			return 1
		})
		cs = cs[:min(len(cs), f.size)]
		if f.name == FacetYear {
			slices.SortFunc(cs, func(a, b Count) int {
				if a.Value > b.Value {
					return -1
				}
				return 1
			})
		}
		out[f.name] = cs
	}
	return out
}

// TestSearch_FacetsAcrossSegmentsUpdatesAndDeletes checks the facet
// counts, read from the per-segment cache, against a count over the
// documents themselves: after the index is built in many small batches
// (many segments), after documents change their values and after some
// are deleted — each step adds segments and marks old documents deleted.
func TestSearch_FacetsAcrossSegmentsUpdatesAndDeletes(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run("shards="+strconv.Itoa(shards), func(t *testing.T) { testFacets(t, shards) })
	}
}

func testFacets(t *testing.T, shards int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	docs := map[int64]Doc{}
	for id := int64(1); id <= 400; id++ {
		docs[id] = facetDoc(r, id)
	}
	ix, err := Open(t.TempDir(), Options{BatchSize: 25, Shards: shards})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	src := newMemSource()
	for _, d := range docs {
		src.put(d)
	}
	if err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		res, err := ix.Search(ctx, Request{Q: "disk"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != uint64(len(docs)) {
			t.Fatalf("%s: total %d, want %d", step, res.Total, len(docs))
		}
		want := wantFacets(docs)
		for _, f := range facets {
			if got := fmt.Sprint(res.Facets[f.name]); got != fmt.Sprint(want[f.name]) {
				t.Errorf("%s: facet %s\n got %s\nwant %s", step, f.name, got, fmt.Sprint(want[f.name]))
			}
		}
	}
	check("built")

	// Changes in several batches: new values, new documents, deletions.
	for round := range 3 {
		for k := 0; k < 40; k++ {
			id := int64(1 + r.IntN(500))
			d := facetDoc(r, id)
			d.Services = append(d.Services, "svc-round"+strconv.Itoa(round))
			docs[id] = d
			src.put(d)
		}
		var gone []int64
		for id := range docs {
			if len(gone) < 15 && id%7 == int64(round) {
				gone = append(gone, id)
			}
		}
		for _, id := range gone {
			delete(docs, id)
			src.remove(id)
		}
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
		check("round " + strconv.Itoa(round))
	}

	// The cache is warmed in the background as segments come in, and
	// forgets the segments merges replace.
	waitFor(t, func() bool {
		ix.fcache.mu.Lock()
		defer ix.fcache.mu.Unlock()
		return len(ix.fcache.segs) > 0 && len(ix.fcache.warming) == 0
	})
	check("warmed")
}

// TestSearch_FacetSegmentsReadOnce checks that with several shards, each
// with many segments, a segment's facet values are read once: the shards
// share the cache, and one shard's search must not make it forget the
// others' segments. (The index merges small segments in the background, so
// a few new ones may be read.)
func TestSearch_FacetSegmentsReadOnce(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(9, 9))
	src := newMemSource()
	for id := int64(1); id <= 300; id++ {
		src.put(facetDoc(r, id))
	}
	ix, err := Open(t.TempDir(), Options{BatchSize: 5, Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	// Many small batches: many small segments in every shard.
	for k := range 40 {
		src.put(facetDoc(r, int64(1000+k)))
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	search := func() {
		if _, err := ix.Search(ctx, Request{Q: "disk"}); err != nil {
			t.Fatal(err)
		}
	}
	loads := func() uint64 {
		ix.fcache.mu.Lock()
		defer ix.fcache.mu.Unlock()
		return ix.fcache.loads
	}
	search()
	waitFor(t, func() bool {
		ix.fcache.mu.Lock()
		defer ix.fcache.mu.Unlock()
		return len(ix.fcache.warming) == 0
	})
	search()
	before := loads()
	for range 200 {
		search()
	}
	// (A background merge may bring in a segment or two meanwhile.)
	if after := loads(); after > before+10 {
		t.Fatalf("segments read again: %d loads before, %d after 200 searches", before, after)
	}
}

func TestTopCounts(t *testing.T) {
	cs := []Count{{"b", 2}, {"a", 2}, {"c", 5}, {"d", 1}, {"e", 3}, {"f", 2}}
	cases := []struct {
		name string
		n    int
		want string
	}{
		{"fewer than there are", 3, "c5 e3 a2"},
		{"ties by value", 5, "c5 e3 a2 b2 f2"},
		{"more than there are", 10, "c5 e3 a2 b2 f2 d1"},
		{"none", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, x := range topCounts(slices.Clone(cs), c.n) {
				got = append(got, x.Value+strconv.Itoa(x.Count))
			}
			if s := strings.Join(got, " "); s != c.want {
				t.Errorf("got %q, want %q", s, c.want)
			}
		})
	}
}

// TestStatus_Warming checks that the status says the index is warming
// while a background warm-up of one of its shards runs, and not once
// they are over.
func TestStatus_Warming(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(4, 4))
	src := newMemSource()
	for id := int64(1); id <= 60; id++ {
		src.put(facetDoc(r, id))
	}
	ix, err := Open(t.TempDir(), Options{BatchSize: 10, Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !ix.Status().Warming })
	// A warm-up of the second shard, as warmSoon registers one.
	s := scorchOf(ix.cur.parts[1])
	ix.fcache.mu.Lock()
	ix.fcache.warming[s] = false
	ix.fcache.mu.Unlock()
	if !ix.Status().Warming {
		t.Error("a shard warms up, and the status does not say so")
	}
	ix.fcache.mu.Lock()
	delete(ix.fcache.warming, s)
	ix.fcache.mu.Unlock()
	if ix.Status().Warming {
		t.Error("no warm-up runs, and the status says one does")
	}
}
