package search

import (
	"math"
	"strconv"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// TestSparseDisjunction_ScoresAsBleve checks that leaving out the
// alternatives that match nothing changes neither what matches nor any
// score, alone, nested and under a conjunction.
func TestSparseDisjunction_ScoresAsBleve(t *testing.T) {
	// The product scores with BM25; tf-idf is bleve's default.
	for _, model := range []string{index.BM25Scoring, index.TFIDFScoring} {
		t.Run(model, func(t *testing.T) { testSparseScores(t, model) })
	}
}

func testSparseScores(t *testing.T, model string) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = model
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
