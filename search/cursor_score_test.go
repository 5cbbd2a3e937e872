package search

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// idReader is an index reader that knows only external ids: a document's
// internal id is its incident id, 8 bytes big-endian (as scorch's are
// document numbers).
type idReader struct{ index.IndexReader }

// ExternalID implements index.IndexReader.
func (idReader) ExternalID(id index.IndexInternalID) (string, error) {
	return strconv.FormatUint(binary.BigEndian.Uint64(id), 10), nil
}

// internalOf is the internal id idReader reads as id.
func internalOf(id int64) index.IndexInternalID {
	return binary.BigEndian.AppendUint64(nil, uint64(id))
}

// TestPageOrder_NonFiniteScores checks that the order of a page by
// relevance is a strict weak order with scores that are not finite: NaN
// comes with -Inf, after every other score, and ties by id like any
// score (review P P3-3: NaN compared after everything, itself included,
// so a page holding one was in no order).
func TestPageOrder_NonFiniteScores(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	var hits []pageHit
	for i, s := range []float64{nan, -inf, 2, nan, inf, 2, -inf, 0, nan, -0.5} {
		hits = append(hits, pageHit{score: s, id: strconv.Itoa(i + 1)})
	}
	cmp := func(a, b *pageHit) int {
		c, need := pageOrder(SortRelevance, a, b)
		if need {
			t.Fatalf("ids %s and %s are known, yet needed", a.id, b.id)
		}
		return c
	}
	for i := range hits {
		a := &hits[i]
		if cmp(a, a) != 0 {
			t.Fatalf("%s (%v) does not equal itself", a.id, a.score)
		}
		for j := range hits {
			b := &hits[j]
			if cmp(a, b) != -cmp(b, a) {
				t.Fatalf("%s (%v) and %s (%v) compare %d and %d", a.id, a.score, b.id, b.score, cmp(a, b), cmp(b, a))
			}
			for k := range hits {
				c := &hits[k]
				if cmp(a, b) < 0 && cmp(b, c) < 0 && cmp(a, c) >= 0 {
					t.Fatalf("%s < %s < %s but not %s < %s", a.id, b.id, c.id, a.id, c.id)
				}
			}
		}
	}
	slices.SortFunc(hits, func(a, b pageHit) int { return cmp(&a, &b) })
	var got []string
	for _, h := range hits {
		got = append(got, h.id)
	}
	// +Inf, 2 (3, 6), 0, -0.5, then -Inf and NaN by id.
	if want := []string{"5", "3", "6", "8", "10", "1", "2", "4", "7", "9"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestCursor_PagesPastNonFiniteScores pages through hits some of whose
// scores are not finite (crafted: bleve can leave a NaN), a cursor after
// each page as Search makes and reads it: every hit comes once, in order,
// and no cursor fails (review P P3-3: a page ending with such a hit failed
// the whole search).
func TestCursor_PagesPastNonFiniteScores(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	scores := []float64{nan, -inf, 2, nan, inf, 2, -inf, 0, nan, -0.5, inf, 1e-300}
	for _, limit := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			this := cursor{Mode: SortRelevance, Of: "test"}
			var after *pageHit
			var got []string
			for page := 0; page <= len(scores); page++ {
				p := newPageResults(SortRelevance, limit+1, after)
				c := &pageCollector{page: p, reader: idReader{}}
				for i, s := range scores {
					if err := c.add(&bsearch.DocumentMatch{Score: s, IndexInternalID: internalOf(int64(i + 1))}); err != nil {
						t.Fatal(err)
					}
				}
				if err := c.finish(); err != nil {
					t.Fatal(err)
				}
				hits := p.hits()
				for _, h := range hits[:min(limit, len(hits))] {
					got = append(got, h.ID)
				}
				if len(hits) <= limit {
					break
				}
				s, err := nextCursor(hits[limit-1], this, nil)
				if err != nil {
					t.Fatalf("page %d ends with %s scored %v: %v", page, hits[limit-1].ID, hits[limit-1].Score, err)
				}
				next, err := decodeCursor(s)
				if err != nil {
					t.Fatalf("page %d's cursor: %v", page, err)
				}
				// As afterHit, with the score the cursor carries (the
				// incident found again scores the same).
				after = &pageHit{id: strconv.FormatInt(next.ID, 10), score: next.score()}
			}
			want := []string{"5", "11", "3", "6", "12", "8", "10", "1", "2", "4", "7", "9"}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %v, want %v", got, want)
			}
		})
	}
}

// TestCursor_ScoreRoundTrip checks that a cursor carries a last hit's
// score exactly, finite or not.
func TestCursor_ScoreRoundTrip(t *testing.T) {
	cases := []struct {
		name        string
		score, want float64
	}{
		{name: "finite", score: 1.2345678901234567, want: 1.2345678901234567},
		{name: "the least positive", score: 5e-324, want: 5e-324},
		{name: "+Inf", score: math.Inf(1), want: math.Inf(1)},
		{name: "-Inf", score: math.Inf(-1), want: math.Inf(-1)},
		{name: "NaN, as -Inf", score: math.NaN(), want: math.Inf(-1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := nextCursor(&bsearch.DocumentMatch{ID: "7", Score: c.score}, cursor{Mode: SortRelevance, Of: "x"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeCursor(s)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != 7 || got.score() != c.want {
				t.Fatalf("incident %d scored %v, want 7 scored %v", got.ID, got.score(), c.want)
			}
		})
	}
}

// TestPageOrder_ScoreDateAndID checks the order of a page's hits: by
// score or date, then by incident id, reading ids only when they decide.
func TestPageOrder_ScoreDateAndID(t *testing.T) {
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
