package search

import (
	"math"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Written vectors: an incident's words weighted by field and count. An
// incident's signature holds its vector's most telling words and the
// vector's length (similar_signature.go), and the source's vector is what
// the similar query weighs its words by (similarQuery).
//
// (These weights and a length-normalised cosine over them once re-ranked
// the query's best twenty: nDCG@5 0.671 / 0.693 on the 242 post-mortems'
// halves against 0.665 / 0.666 without, over the index's postings. BM25
// over the signatures (internal/bm25, lane P's measurement) now ranks
// alone: re-ranked by the cosine it scored 0.664, without 0.704.)

// rerankWeights weigh a text's words by field in its vector (indexed in
// the signatures: changing them needs a MappingVersion bump). The RCA and
// root causes count most: they are where an incident is told in full; the
// title and summary restate them. (On the 242 post-mortems, weighing the
// title or summary as much as or more than the RCA ranked worse: nDCG@5
// 0.66 and 0.61 against 0.69 for a cosine over all the post-mortems.) The
// timeline is left out: chat says much besides what happened, and would
// cost most of the time.
var rerankWeights = map[string]float64{
	FieldTitle:      0.5,
	FieldSummary:    0.5,
	FieldRootCauses: 1,
	FieldRCA:        1,
	FieldActions:    0.5,
}

// sourceRerankWeights weigh the source's words: as a candidate's, and its
// timeline's a little (an error code in an alert line is what the source
// is about when little else is; a candidate's written text is compared
// with it).
var sourceRerankWeights = map[string]float64{
	FieldTitle:      0.5,
	FieldSummary:    0.5,
	FieldRootCauses: 1,
	FieldRCA:        1,
	FieldActions:    0.5,
	FieldTimeline:   0.2,
}

// rerankFields are the fields of both in a stable order (sums in the same
// order give the same scores on every run).
var rerankFields = []string{FieldTitle, FieldSummary, FieldRootCauses, FieldRCA, FieldActions, FieldTimeline}

// textVector is an incident's words weighted by field and count (1 + log
// of the count in each field, as the source's are), and its length.
type textVector struct {
	weights map[string]float64
	norm    float64
}

// countUseful sets counts to how often each useful word (usefulTerm)
// occurs in texts.
func countUseful(an analysis.Analyzer, texts []string, counts map[string]int) {
	clear(counts)
	for _, text := range texts {
		for _, t := range an.Analyze([]byte(text)) {
			if term := string(t.Term); usefulTerm(term) {
				counts[term]++
			}
		}
	}
}

// vectorOf makes the text vector of an incident's texts (field → texts),
// its fields weighed by weights (rerankWeights or sourceRerankWeights).
func vectorOf(an analysis.Analyzer, texts map[string][]string, weights map[string]float64) textVector {
	v := textVector{weights: map[string]float64{}}
	counts := map[string]int{}
	for _, field := range rerankFields {
		w, ok := weights[field]
		if !ok {
			continue
		}
		countUseful(an, texts[field], counts)
		for term, n := range counts {
			v.weights[term] += w * (1 + math.Log(float64(n)))
		}
	}
	for _, x := range v.weights {
		v.norm += x * x
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

// cosine is how much of v is about the words of q: the sum of their
// weights times v's, over v's length (q's own length is the same for
// every candidate and left out).
func (v textVector) cosine(q map[string]float64) float64 {
	if v.norm == 0 {
		return 0
	}
	s := 0.0
	for t, w := range q {
		s += w * v.weights[t]
	}
	return s / v.norm
}
