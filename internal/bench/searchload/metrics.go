package main

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/hindsightrca/hindsight/internal/bench/pmcorpus"
)

// The relevance check scores a ranking of "similar post-mortems" by what
// the post-mortems' authors said about them: their categories and
// keywords, which the rankers never see.

// relevanceRule says, for the report, when a neighbour counts as a hit.
const relevanceRule = "relevant = shares >= 1 keyword or >= 2 categories; gain = shared categories + shared keywords " +
	"(lower-cased; a keyword shared when equal or one contains the other as whole words)"

// labels are a post-mortem's categories and keywords, normalized.
type labels struct {
	categories []string
	keywords   []string // words joined by single spaces, lower case
}

// labelsOf normalizes the ground truth of a post-mortem.
func labelsOf(pm *pmcorpus.PostMortem) labels {
	var l labels
	for _, c := range pm.Categories {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "" && !slices.Contains(l.categories, c) {
			l.categories = append(l.categories, c)
		}
	}
	for _, k := range pm.Keywords {
		if k = normalizeKeyword(k); k != "" && !slices.Contains(l.keywords, k) {
			l.keywords = append(l.keywords, k)
		}
	}
	return l
}

// normalizeKeyword lower-cases a keyword and keeps its words (letters and
// digits), one space apart: "Power-Loss " → "power loss".
func normalizeKeyword(k string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(k), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// containsWords says whether phrase holds part as a run of whole words.
func containsWords(phrase, part string) bool {
	return strings.Contains(" "+phrase+" ", " "+part+" ")
}

// shared counts the categories and the keywords of a that b shares.
func shared(a, b labels) (cats, kws int) {
	for _, c := range a.categories {
		if slices.Contains(b.categories, c) {
			cats++
		}
	}
	for _, ka := range a.keywords {
		for _, kb := range b.keywords {
			if containsWords(ka, kb) || containsWords(kb, ka) {
				kws++
				break
			}
		}
	}
	return cats, kws
}

// gain is how relevant b is as a neighbour of a.
func gain(a, b labels) float64 {
	c, k := shared(a, b)
	return float64(c + k)
}

// relevant says whether b is a hit for a (see relevanceRule).
func relevant(a, b labels) bool {
	c, k := shared(a, b)
	return k >= 1 || c >= 2
}

// dcg is the discounted cumulative gain of the first k gains.
func dcg(gains []float64, k int) float64 {
	s := 0.0
	for i, g := range gains[:min(k, len(gains))] {
		s += g / math.Log2(float64(i)+2)
	}
	return s
}

// ndcg is dcg(got)/dcg(ideal) at k, where ideal holds the gains of every
// candidate (sorted here); ok is false when no candidate has any gain.
func ndcg(got, ideal []float64, k int) (v float64, ok bool) {
	best := slices.Clone(ideal)
	slices.SortFunc(best, func(a, b float64) int { return -cmpFloat(a, b) })
	d := dcg(best, k)
	if d == 0 {
		return 0, false
	}
	return dcg(got, k) / d, true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// score is the mean nDCG@k and precision@k of rankings: ranked[q] are the
// indexes (into all) of the neighbours a ranker gave for all[q], best
// first. Post-mortems without any relevant neighbour in the corpus are
// left out (counted in n only when kept). A ranking shorter than k counts
// its missing places as misses.
type score struct {
	ndcg, precision float64
	n               int
}

func evaluate(all []labels, ranked [][]int, k int) score {
	return evaluateEvery(all, ranked, k, 0, 1)
}

// evaluateEvery is evaluate over the post-mortems first, first+step, ...
// alone (the others are still candidates).
func evaluateEvery(all []labels, ranked [][]int, k, first, step int) score {
	var s score
	for q := first; q < len(ranked); q += step {
		v, precision, ok := queryScore(all, q, ranked[q], k)
		if !ok {
			continue
		}
		s.ndcg += v
		s.precision += precision
		s.n++
	}
	if s.n > 0 {
		s.ndcg /= float64(s.n)
		s.precision /= float64(s.n)
	}
	return s
}
