package main

import (
	"slices"
	"unicode"

	"github.com/hindsightrca/hindsight/internal/bm25"
	"github.com/hindsightrca/hindsight/search"
)

// bm25Neighbours ranks, for each post-mortem, every other by BM25
// (internal/bm25, default parameters) with its whole written text as the
// query: title, summary and RCA words counted alike, its services as
// words. No index: a diagnostic of the scoring alone, to set beside ours
// (which first picks candidates through the index).
func bm25Neighbours(docs []search.Doc) [][]int {
	cands := make([]bm25.Doc, len(docs))
	df := map[string]int{}
	total := 0.0
	for i := range docs {
		cands[i] = bm25Doc(&docs[i])
		for w := range cands[i].Words {
			df[w]++
		}
		total += cands[i].Len
	}
	c := bm25.Corpus{Docs: len(docs), DocFreq: func(w string) int { return df[w] }}
	if len(docs) > 0 {
		c.MeanLen = total / float64(len(docs))
	}
	ranked := make([][]int, len(docs))
	for q := range docs {
		query := bm25.QueryOf(cands[q].Words, c, 0)
		for _, s := range bm25.Default.Rank(query, cands, c) {
			if s.Index != q && len(ranked[q]) < relevanceK {
				ranked[q] = append(ranked[q], s.Index)
			}
		}
	}
	return ranked
}

// bm25Doc counts a document's written words (title, summary, sections;
// words of three or more letters with a letter in them, as similar
// incidents keep them) and its services, its length the number of words.
func bm25Doc(d *search.Doc) bm25.Doc {
	out := bm25.Doc{Words: map[string]float64{}}
	texts := []string{d.Title, d.Summary}
	for _, s := range d.Sections {
		texts = append(texts, s.Body)
	}
	for _, text := range texts {
		for _, w := range search.AnalyzeTerms(text) {
			if len(w) >= 3 && slices.ContainsFunc([]rune(w), unicode.IsLetter) {
				out.Words[w]++
				out.Len++
			}
		}
	}
	for _, s := range d.Services {
		out.Words["service:"+s]++
	}
	return out
}
