package search

import (
	"context"
	"fmt"
	"github.com/blevesearch/vellum"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// TestFuzzyCache_SameTermsAsScorch checks that the near terms found with a
// search's cached automaton are the ones (and the edit distances) scorch
// finds with an automaton of its own, field by field, on a shard of many
// segments.
func TestFuzzyCache_SameTermsAsScorch(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 5))
	ix, src := openPlanDocs(t, r, 200, Options{BatchSize: 30, Shards: 1})
	for range 2 {
		for range 30 {
			src.put(planDoc(r, int64(1+r.IntN(250))))
		}
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	snap := openSnapshot(t, ix.cur.parts[0])
	if len(snap.Segments()) < 2 {
		t.Logf("only %d segment(s)", len(snap.Segments()))
	}
	list := func(fd index.FieldDict) string {
		var out []string
		for {
			e, err := fd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			out = append(out, fmt.Sprintf("%s/%d", e.Term, e.EditDistance))
		}
		return fmt.Sprint(out)
	}
	cache := newFuzzyCache()
	found := 0
	for _, c := range []struct {
		term   string
		fuzz   int
		prefix string
	}{{"certficate", 2, "c"}, {"databse", 2, "d"}, {"zonex", 1, "z"}, {"outage", 1, ""}, {"latncy", 2, "l"}} {
		for _, field := range []string{fieldAll, FieldTitle, FieldRootCauses, FieldSummary} {
			want, _, err := snap.FieldDictFuzzyAutomaton(field, c.term, c.fuzz, c.prefix)
			if err != nil {
				t.Fatal(err)
			}
			// The first lookup of a word builds the automaton; the others
			// reuse it.
			got, _, err := cache.dict(snap, field, c.term, c.fuzz, c.prefix)
			if err != nil {
				t.Fatal(err)
			}
			g, w := list(got), list(want)
			found += len(w) - 2
			if g != w {
				t.Errorf("%s~%d in %s: %s, scorch %s", c.term, c.fuzz, field, g, w)
			}
		}
	}
	if found <= 0 {
		t.Error("no near term found: the test tests nothing")
	}
	if len(cache.a) != 5 {
		t.Errorf("%d automata built, want one a word", len(cache.a))
	}
}

// TestFuzzyCache_ShardsShareABuild checks that shards looking up the same
// words at once through one cache (one builds a word's automaton, the
// others wait for it) get scorch's near terms, and leave no build behind.
func TestFuzzyCache_ShardsShareABuild(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	ix, _ := openPlanDocs(t, r, 200, Options{BatchSize: 30, Shards: 4})
	var snaps []*scorch.IndexSnapshot
	for _, p := range ix.cur.parts {
		snaps = append(snaps, openSnapshot(t, p))
	}
	list := func(fd index.FieldDict) []string {
		var out []string
		for {
			e, err := fd.Next()
			if err != nil {
				t.Error(err)
				return out
			}
			if e == nil {
				return out
			}
			out = append(out, fmt.Sprintf("%s/%d", e.Term, e.EditDistance))
		}
	}
	words := []string{"certficate", "databse", "latncy", "kuberentes"}
	for round := range 5 {
		cache := newFuzzyCache()
		got := make([][][]string, len(snaps))
		var wg sync.WaitGroup
		for i, snap := range snaps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, w := range words {
					fd, _, err := cache.dict(snap, fieldAll, w, 2, "")
					if err != nil {
						t.Error(err)
						return
					}
					got[i] = append(got[i], list(fd))
				}
			}()
		}
		wg.Wait()
		for i, snap := range snaps {
			for k, w := range words {
				fd, _, err := snap.FieldDictFuzzyAutomaton(fieldAll, w, 2, "")
				if err != nil {
					t.Fatal(err)
				}
				if want := list(fd); k >= len(got[i]) || fmt.Sprint(got[i][k]) != fmt.Sprint(want) {
					t.Fatalf("round %d, shard %d, %s: near terms %v, scorch %v", round, i, w, got[i], want)
				}
			}
		}
		if len(cache.a) != len(words) || len(cache.building) != 0 {
			t.Errorf("round %d: %d automata, %d builds left; want %d and 0", round, len(cache.a), len(cache.building), len(words))
		}
	}
}

// TestSearch_TypoHighlightsNearTerms checks that a typo search marks the
// near terms it matched, and not words as close to the typo that it did
// not search (another first letter).
func TestSearch_TypoHighlightsNearTerms(t *testing.T) {
	docs := append(fixtures(), Doc{ID: 90, Key: "INC-90", Title: "Cassandra and Kassandar clusters", Visibility: "internal"})
	ix := openBuilt(t, newMemSource(docs...))
	r, err := ix.Search(context.Background(), Request{Q: "cassandar", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Fuzzy {
		t.Fatal("not a typo search")
	}
	seen := false
	for _, h := range r.Items {
		if h.Key != "INC-90" {
			continue
		}
		seen = true
		title := fmt.Sprint(h.Highlights[FieldTitle])
		if !strings.Contains(title, "<mark>Cassandra</mark>") || strings.Contains(title, "<mark>Kassandar") {
			t.Errorf("title highlights %s, want Cassandra marked and Kassandar not", title)
		}
	}
	if !seen {
		t.Errorf("INC-90 not found: %v", keys(r))
	}
}

// A very long word that matches nothing (a pasted token) is searched
// without typos rather than failing: its typo automaton would be past
// what vellum builds.
func TestSearch_LongWordWithoutTypos(t *testing.T) {
	ix, _ := openPaging(t, 1, []Doc{{ID: 1, Key: "INC-1", Title: "Certificate expired on the edge proxy"}})
	for _, q := range []string{strings.Repeat("certificate", 100), strings.Repeat("ab", 300), strings.Repeat("xyzw", 150)} {
		res, err := ix.Search(context.Background(), Request{Q: q, Viewer: Viewer{All: true}})
		if err != nil {
			t.Fatalf("a word of %d letters: %v", len(q), err)
		}
		if res.Total != 0 || res.Fuzzy {
			t.Errorf("a word of %d letters: %d hits, fuzzy %v; want none, exact", len(q), res.Total, res.Fuzzy)
		}
	}
	if fuzziness(strings.Repeat("a", maxFuzzyRunes)) != 2 || fuzziness(strings.Repeat("a", maxFuzzyRunes+1)) != 0 {
		t.Error("typos allowed past maxFuzzyRunes, or not up to it")
	}
}

// TestFuzzy_AutomataKeptAcrossSearches: a typo searched again reuses the
// automaton the first search built (none is built the second time) and
// answers the same; past maxAutomata words the kept ones are dropped.
func TestFuzzy_AutomataKeptAcrossSearches(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	ctx := context.Background()
	builtAutomata.mu.Lock()
	clear(builtAutomata.m)
	builtAutomata.mu.Unlock()
	first, err := ix.Search(ctx, Request{Q: "cassandar", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	builtAutomata.mu.Lock()
	kept := len(builtAutomata.m)
	builtAutomata.mu.Unlock()
	if kept == 0 {
		t.Fatal("the typo search kept no automaton")
	}
	// The second search may build none: every lookup finds it kept.
	var one vellum.Automaton
	builtAutomata.mu.Lock()
	for k, a := range builtAutomata.m {
		if a == nil {
			t.Fatalf("automaton of %v kept as nil", k)
		}
		one = a
	}
	builtAutomata.mu.Unlock()
	second, err := ix.Search(ctx, Request{Q: "cassandar", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Fuzzy || fmt.Sprint(first.Total, keys(first)) != fmt.Sprint(second.Total, keys(second)) {
		t.Fatalf("first %v %d %v, again %d %v", first.Fuzzy, first.Total, keys(first), second.Total, keys(second))
	}
	builtAutomata.mu.Lock()
	again := len(builtAutomata.m)
	builtAutomata.mu.Unlock()
	if again != kept {
		t.Fatalf("%d automata kept after the first search, %d after the second: it built more", kept, again)
	}
	for i := range maxAutomata {
		builtAutomata.put(fuzzyKey{fmt.Sprint("w", i), 1}, one)
	}
	builtAutomata.mu.Lock()
	n := len(builtAutomata.m)
	builtAutomata.mu.Unlock()
	if n > maxAutomata {
		t.Fatalf("%d automata kept, more than %d", n, maxAutomata)
	}
}
