package search

import (
	"math"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
)

// A planned term's score (fastplan.go): scorer.TermQueryScorer's, bit for
// bit.

// score is scorer.TermQueryScorer.Score's.
func (t *planTerm) score(freq uint64, norm float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	var score float64
	if t.avg > 0 {
		fieldLength := 1 / (norm * norm)
		score = t.idf * (tf * bsearch.BM25_k1) /
			(tf + bsearch.BM25_k1*(1-bsearch.BM25_b+(bsearch.BM25_b*fieldLength/t.avg)))
	} else {
		score = tf * norm * t.idf
	}
	if t.qw != 1.0 {
		score = score * t.qw
	}
	return score
}

// lengthTerms holds, for one field's average length, the length part of
// BM25's denominator, 1-b+b·length/avg, by a document's field length (zap
// stores the length and hands it out as a norm, 1/√length in a float32,
// which BM25 turns back into a length): computed once a length rather than
// once a match. A table is made whole when first needed and then only read,
// by every search of a field of that average (postingsCache.lengthsFor).
// The rest of the denominator, tf + k1·part, stays one expression as bleve
// writes it, so that a build that fuses it into one multiply-add (arm64,
// GOAMD64=v3) fuses both alike.
type lengthTerms struct {
	avg float64
	v   []float64
}

// maxLengthTerms is how many lengths a table holds (64 KB). An incident's
// whole text (fieldAll) is a few thousand words; a longer field's part is
// computed each time, the same.
const maxLengthTerms = 1 << 13

// of is the length part of length n, as scorer.TermQueryScorer computes
// it from the norm of n.
func (l *lengthTerms) of(n uint64) float64 {
	if n < uint64(len(l.v)) {
		return l.v[n]
	}
	return lengthPart(n, l.avg)
}

// scoreLength is score for a match of a field length n (BM25 only).
func (t *planTerm) scoreLength(freq, n uint64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	score := t.idf * (tf * bsearch.BM25_k1) /
		(tf + bsearch.BM25_k1*t.lengths.of(n))
	if t.qw != 1.0 {
		score = score * t.qw
	}
	return score
}
