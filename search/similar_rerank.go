package search

import (
	"math"

	"github.com/blevesearch/bleve/v2/analysis"
)

// The second look at the best candidates. The query adds up matches field
// by field (BM25 on each, a title match counted apart from the same word
// in the RCA) over the source's most distinctive words only, which
// favours an incident that repeats a few of them in many fields. The best
// rerankDepth are ranked again by how much of each one's whole written
// text is about the source's words: the cosine of the source's word
// weights (all the words weighed, not only the query's) and the
// candidate's word counts, the candidate's length taken over all its
// words, so that a long write-up about many things, which shares some
// words with everything, does not beat a short one about the same thing.
// (On the 242 real post-mortems, searchload -sizes 0, with 60 words and
// the 10 best re-ranked: nDCG@5 0.665 and 0.666 on the two halves
// without, 0.671 and 0.693 with; a cosine over the query's words alone
// did not help, one over all the words weighed did.)
const (
	// rerankDepth is how many of the query's best are ranked again (at
	// least as many as asked for). Each costs a read of its stored text.
	// (10 ranked the post-mortems as well as 20 or 50, but a sharded
	// index, whose query scores differ a little by shard, then found
	// other incidents than one shard where many tie.)
	rerankDepth = 20
	// rerankQueryShare is the share of the final score that stays the
	// query's (each part divided by its best): it carries the shared
	// services, categories and tags, which the words do not.
	rerankQueryShare = 0.25
)

// rerankWeights weigh a text's words by field in its vector. The RCA and
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
// timeline's a little (what the query looked up in timelines — an error
// code in an alert line — is what the source is about when little else
// is; a candidate's written text is compared with it).
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
		clear(counts)
		for _, text := range texts[field] {
			for _, t := range an.Analyze([]byte(text)) {
				if term := string(t.Term); usefulTerm(term) {
					counts[term]++
				}
			}
		}
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

// queryVector weighs the words as vectorOf weighs the source's, times
// the square root of their rarity (the candidate's own weights carry
// none: rarity once, not squared, in the product).
func queryVector(src textVector, words []weighted) map[string]float64 {
	q := make(map[string]float64, len(words))
	for _, t := range words {
		if w := src.weights[t.term]; w > 0 && t.tf > 0 {
			q[t.term] = w * math.Sqrt(t.weight/t.tf)
		}
	}
	return q
}

// rerankSigs gives each candidate its final score: the similar score and
// the cosine of the source's words and its signature (its weights of the
// words it keeps, over the length of its whole written vector), each
// divided by its best among the candidates, blended by rerankQueryShare,
// times publishedBoost for a published RCA. It also notes the source's
// words each candidate holds (its reasons).
// src is the source's vector (sourceRerankWeights).
func rerankSigs(view *sigView, src textVector, words []weighted, cands []candidate) {
	q := queryVector(src, words)
	// The words in a stable order: sums in the same order give the same
	// scores on every run.
	qw := make([]string, 0, len(q))
	for _, t := range words {
		if _, ok := q[t.term]; ok {
			qw = append(qw, t.term)
		}
	}
	top, topCos := 0.0, 0.0
	for i := range cands {
		c := &cands[i]
		s := &view.segs[c.ref.seg]
		c.matched = map[string]float64{}
		dot := 0.0
		for _, t := range words {
			if w := s.sigs.word(t.term).weight(c.ref.doc); w > 0 {
				c.matched[t.term] = w
			}
		}
		for _, t := range qw {
			dot += q[t] * c.matched[t]
		}
		if norm := float64(s.sigs.norms[c.ref.doc]); norm > 0 {
			c.cos = dot / norm
		}
		top, topCos = max(top, c.score), max(topCos, c.cos)
	}
	for i := range cands {
		c := &cands[i]
		f := 0.0
		if top > 0 {
			f += rerankQueryShare * c.score / top
		}
		if topCos > 0 {
			f += (1 - rerankQueryShare) * c.cos / topCos
		}
		if view.segs[c.ref.seg].sigs.flags[c.ref.doc]&flagPublished != 0 {
			f *= publishedBoost
		}
		c.final = f
	}
}
