// Package bm25 ranks candidate incidents by how much of a source
// incident's words they hold, with Okapi BM25: a word counts by its rarity
// in the corpus (inverse document frequency), a candidate's repeats of it
// count less and less (saturation, K1), and a long candidate is discounted
// only in part (B) for holding more words by chance.
//
// It is the similar-incident scoring measured best on the 242 real
// post-mortems (internal/bench/searchload's relevance check): the source's
// whole written vector as the query, against each candidate's written
// words, scored nDCG@5 0.713 (even and odd halves 0.715 and 0.710) where a
// length-normalised cosine over the same words scored 0.63-0.66 and
// PostgreSQL's ts_rank 0.631. The truth there (shared categories and
// keywords) favours long post-mortems, which a cosine divides away; BM25
// keeps half of that (B = 0.5).
//
// The package knows nothing of fields, analysers or indexes: the caller
// turns an incident into word counts (already weighted by field if it
// wants) and a length, and says how many incidents hold a word.
package bm25

import (
	"cmp"
	"math"
	"slices"
)

// Params are BM25's two knobs.
type Params struct {
	// K1 is how fast a word's repeats saturate: 0 counts a word once
	// however often it appears; larger counts repeats longer.
	K1 float64
	// B is how much a candidate's length discounts its score: 0 not at
	// all, 1 fully (relative to the corpus's mean length).
	B float64
}

// Default are the parameters measured best on the 242 post-mortems for
// frequencies that are counts and a length that is a number of words
// (K1 1.2-4 and B 0.3-0.75 all scored nDCG@5 within 0.01 of them).
var Default = Params{K1: 2, B: 0.5}

// LogTF are the parameters measured best for frequencies that are already
// dampened, 1 + log(count) per field (a similar-incident signature's
// weights), with the Euclidean length of that weight vector as length:
// each candidate reduced to its 64 most telling words, nDCG@5 0.702
// (halves 0.704 / 0.700; 0.712 with every word kept). With the title and
// summary weighed half the RCA, as the re-ranking weighs them, these
// scored 0.701 and Default 0.690.
var LogTF = Params{K1: 3, B: 0.3}

// Corpus is what scoring needs to know of all the incidents: how many
// there are, their mean length and how many hold a word.
type Corpus struct {
	// Docs is the number of incidents.
	Docs int
	// MeanLen is their mean length (in the unit of Doc.Len).
	MeanLen float64
	// DocFreq says how many incidents hold a word (0 when none does).
	DocFreq func(word string) int
}

// IDF is the rarity of a word held by df of n incidents, BM25's
// log(1 + (n - df + 0.5) / (df + 0.5)): always positive, so a word held
// by most incidents still counts a little. A df outside [0, n] is clamped.
func IDF(n, df int) float64 {
	n = max(n, 0)
	df = min(max(df, 0), n)
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// Doc is a candidate: its words with their frequencies (a count, or a sum
// of counts weighted by field) and its length (its number of words, or
// any measure in the unit of Corpus.MeanLen).
type Doc struct {
	Words map[string]float64
	Len   float64
}

// Term is a word of a query and its weight.
type Term struct {
	Word   string
	Weight float64
}

// Query is the source's words weighted for scoring, heaviest first.
type Query []Term

// QueryOf weighs a source's word counts as a query: 1 + log(count),
// times the word's rarity in c (see QueryOfWeights). Words with a count
// below 1 (or NaN) are left out.
func QueryOf(counts map[string]float64, c Corpus, limit int) Query {
	weights := make(map[string]float64, len(counts))
	for w, n := range counts {
		if n >= 1 && !math.IsInf(n, 0) {
			weights[w] = 1 + math.Log(n)
		}
	}
	return QueryOfWeights(weights, c, limit)
}

// QueryOfWeights makes a query of words the caller weighed itself (say
// 1 + log(count) per field, times the field's weight), times their rarity
// in c. Words whose weight is not positive (or NaN, or infinite) are left
// out; limit > 0 keeps only the limit heaviest, 0 keeps them all. (On the
// 242 post-mortems the 120 heaviest scored as well as all of them, the 60
// heaviest nDCG@5 0.02 less, the 40 heaviest 0.04 less.) The order is
// heaviest first, ties by word, so that equal input gives equal output.
func QueryOfWeights(weights map[string]float64, c Corpus, limit int) Query {
	q := make(Query, 0, len(weights))
	for w, x := range weights {
		if !(x > 0) || math.IsInf(x, 0) {
			continue
		}
		df := 0
		if c.DocFreq != nil {
			df = c.DocFreq(w)
		}
		q = append(q, Term{Word: w, Weight: x * IDF(c.Docs, df)})
	}
	slices.SortFunc(q, func(a, b Term) int {
		if x := cmp.Compare(b.Weight, a.Weight); x != 0 {
			return x
		}
		return cmp.Compare(a.Word, b.Word)
	})
	if limit > 0 && len(q) > limit {
		q = q[:limit]
	}
	return q
}

// Score is how much of q the candidate d holds: the sum, over q's words d
// holds, of their Contribution. A candidate holding none of q's words, or
// bad input (a negative or NaN frequency, a zero mean length), scores what
// the rest allows, never NaN.
func (p Params) Score(q Query, d Doc, c Corpus) float64 {
	s := 0.0
	for _, t := range q {
		s += p.Contribution(t.Weight, d.Words[t.Word], d.Len, c.MeanLen)
	}
	return s
}

// Contribution is what one query word of the given weight adds to a
// candidate's score: the weight times the candidate's saturated,
// length-discounted frequency of it, tf·(K1+1) / (tf + K1·(1 − B +
// B·length/meanLen)). It lets a walk over an inverted list (word →
// candidates and their frequencies) add up the scores of every candidate
// at once, as Score would one by one. It is 0 for a frequency or weight
// that is not positive and finite; a negative length or a mean length
// that is not positive counts the candidate as of mean length.
func (p Params) Contribution(weight, tf, length, meanLen float64) float64 {
	if !(tf > 0) || math.IsInf(tf, 0) || !(weight > 0) || math.IsInf(weight, 0) {
		return 0
	}
	k1, b := max(p.K1, 0), min(max(p.B, 0), 1)
	rel := 1.0
	if meanLen > 0 && length >= 0 && !math.IsInf(length, 0) {
		rel = length / meanLen
	}
	return weight * tf * (k1 + 1) / (tf + k1*(1-b+b*rel))
}

// Scored is a candidate's index (into the slice given to Rank) and score.
type Scored struct {
	Index int
	Score float64
}

// Rank scores every candidate and returns them best first (equal scores
// in the order given).
func (p Params) Rank(q Query, cands []Doc, c Corpus) []Scored {
	out := make([]Scored, len(cands))
	for i := range cands {
		out[i] = Scored{Index: i, Score: p.Score(q, cands[i], c)}
	}
	slices.SortStableFunc(out, func(a, b Scored) int { return cmp.Compare(b.Score, a.Score) })
	return out
}
