package search

import (
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
)

// TestSparseDisjunction_ScoresAsBleve checks that leaving out the
// alternatives that match nothing changes neither what matches nor any
// score, alone, nested and under a conjunction.
func TestSparseDisjunction_ScoresAsBleve(t *testing.T) {
	im := bleve.NewIndexMapping()
	ix, err := bleve.NewMemOnly(im)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	texts := []string{"disk full on db", "disk latency", "full moon", "db failover", "disk disk disk full", "nothing here"}
	for i, s := range texts {
		if err := ix.Index(strconv.Itoa(i), map[string]any{"a": s, "b": s + " extra"}); err != nil {
			t.Fatal(err)
		}
	}
	term := func(field, v string, boost float64) query.Query {
		q := bleve.NewTermQuery(v)
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	type pair struct{ bleve, sparse query.Query }
	word := func(v string) pair {
		alts := []query.Query{term("a", v, 2), term("a", v+"zz", 2), term("b", v, 1), term("c", v, 3)}
		return pair{bleve.NewDisjunctionQuery(alts...), newSparseDisjunction(alts...)}
	}
	cases := []struct {
		name string
		q    pair
	}{
		{"one word", word("disk")},
		{"nothing matches", word("absent")},
		{"nested", func() pair {
			d, f := word("disk"), word("full")
			return pair{bleve.NewDisjunctionQuery(d.bleve, f.bleve, term("a", "nope", 1)),
				newSparseDisjunction(d.sparse, f.sparse, term("a", "nope", 1))}
		}()},
		{"conjunction", func() pair {
			d, f := word("disk"), word("full")
			return pair{bleve.NewConjunctionQuery(d.bleve, f.bleve), bleve.NewConjunctionQuery(d.sparse, f.sparse)}
		}()},
		{"prefiltered conjunction", func() pair {
			d, f := word("disk"), word("full")
			return pair{bleve.NewConjunctionQuery(d.bleve, f.bleve), newConjunction(d.sparse, f.sparse)}
		}()},
		{"prefiltered conjunction of terms", func() pair {
			d, f := term("a", "disk", 1), term("b", "full", 2)
			return pair{bleve.NewConjunctionQuery(d, f), newConjunction(d, f)}
		}()},
		{"prefiltered conjunction, nested", func() pair {
			d, f, e := word("disk"), word("full"), term("b", "extra", 1)
			return pair{bleve.NewConjunctionQuery(bleve.NewConjunctionQuery(d.bleve, f.bleve), e),
				newConjunction(newConjunction(d.sparse, f.sparse), e)}
		}()},
		{"prefiltered conjunction matching nothing", func() pair {
			d, f := word("disk"), word("moon")
			return pair{bleve.NewConjunctionQuery(d.bleve, f.bleve), newConjunction(d.sparse, f.sparse)}
		}()},
		{"conjunction with a word matching nothing", func() pair {
			d, f := word("disk"), word("absent")
			return pair{bleve.NewConjunctionQuery(d.bleve, f.bleve), bleve.NewConjunctionQuery(d.sparse, f.sparse)}
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scores := func(q query.Query) map[string]float64 {
				r, err := ix.Search(bleve.NewSearchRequestOptions(q, 100, 0, false))
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]float64{}
				for _, h := range r.Hits {
					out[h.ID] = h.Score
				}
				return out
			}
			want, got := scores(c.q.bleve), scores(c.q.sparse)
			if len(got) != len(want) {
				t.Fatalf("matches %v, want %v", got, want)
			}
			for id, w := range want {
				if g, ok := got[id]; !ok || math.Abs(g-w) > 1e-9*math.Max(1, w) {
					t.Errorf("doc %s: score %v, want %v", id, g, w)
				}
			}
		})
	}
}

// TestPrefilteredConjunction_UsesBitmaps checks that on an index of this
// package the words of a search intersect as bitmaps (the whole point of
// prefilteredConjunction; it falls back to the plain conjunction, with the
// same results, when they do not).
func TestPrefilteredConjunction_UsesBitmaps(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	err := ix.reader(func(idx *shardIndex) error {
		q := ParseQuery("leaked routes", time.Now())
		text, ok := ix.builder().text(q, false).(*prefilteredConjunction)
		if !ok {
			t.Fatalf("two words are not a prefiltered conjunction")
		}
		adv, err := idx.parts[0].Advanced()
		if err != nil {
			return err
		}
		r, err := adv.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		s, err := query.NewConjunctionQuery(text.parts).Searcher(context.Background(), r, ix.im,
			bsearch.SearcherOptions{Score: "none"})
		if err != nil {
			return err
		}
		defer s.Close()
		if _, ok := s.(*searcher.TermSearcher); !ok {
			t.Errorf("unscored conjunction is a %T, not a bitmap term searcher", s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
