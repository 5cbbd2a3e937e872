package search

import (
	"bytes"
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// AnalyzerTextIndex is what text fields are indexed with: AnalyzerText's
// terms plus, for each term, the pairs it forms with the terms at the next
// position ("leap second"). Phrases are matched through these pairs, so the
// index needs no term positions (term vectors would double the cost of
// indexing, and phrase queries over positions are slow on common words).
// Queries are analysed with AnalyzerText and build the pairs themselves.
const AnalyzerTextIndex = "hindsight_text_index"

// pairSep joins the two terms of a pair; no term holds a space.
const pairSep = " "

func init() {
	err := registry.RegisterAnalyzer(AnalyzerTextIndex, func(_ map[string]interface{}, c *registry.Cache) (analysis.Analyzer, error) {
		inner, err := c.AnalyzerNamed(AnalyzerText)
		if err != nil {
			return nil, err
		}
		return pairAnalyzer{inner: inner}, nil
	})
	if err != nil {
		panic(fmt.Sprintf("search: registering %s: %v", AnalyzerTextIndex, err))
	}
}

// pairAnalyzer adds the pairs of terms to another analyzer's tokens.
type pairAnalyzer struct{ inner analysis.Analyzer }

// Analyze implements analysis.Analyzer. A text of several events (the
// timeline, see eventSep) is analysed event by event: positions go on from
// one event to the next, with a gap, and no pair spans two events.
func (a pairAnalyzer) Analyze(input []byte) analysis.TokenStream {
	if bytes.IndexByte(input, eventSep) < 0 {
		return withPairs(a.inner.Analyze(input))
	}
	var out analysis.TokenStream
	offset, pos := 0, 0
	for {
		end := bytes.IndexByte(input[offset:], eventSep)
		if end < 0 {
			end = len(input)
		} else {
			end += offset
		}
		last := pos
		for _, t := range withPairs(a.inner.Analyze(input[offset:end])) {
			t.Start += offset
			t.End += offset
			t.Position += pos
			last = max(last, t.Position)
			out = append(out, t)
		}
		if end == len(input) {
			return out
		}
		offset, pos = end+1, last+1
	}
}

// withPairs returns ts followed by a pair token for every token and each
// token of the next position after its own (stop words removed earlier
// leave gaps, which pairs bridge as the query side does). A position may
// hold several tokens (an identifier and its first part).
func withPairs(ts analysis.TokenStream) analysis.TokenStream {
	if len(ts) < 2 {
		return ts
	}
	out := make(analysis.TokenStream, 0, 2*len(ts)+4)
	out = append(out, ts...)
	pairs := make([]analysis.Token, 0, len(ts)+4)
	var buf []byte
	// i..j is the run of tokens at one position, j..k the next run.
	for i := 0; i < len(ts); {
		j := i + 1
		for j < len(ts) && ts[j].Position == ts[i].Position {
			j++
		}
		k := j + 1
		for k < len(ts) && j < len(ts) && ts[k].Position == ts[j].Position {
			k++
		}
		for a := i; a < j; a++ {
			for b := j; b < min(k, len(ts)); b++ {
				if ts[b].Position <= ts[a].Position {
					continue
				}
				start := len(buf)
				buf = append(buf, ts[a].Term...)
				buf = append(buf, pairSep...)
				buf = append(buf, ts[b].Term...)
				pairs = append(pairs, analysis.Token{Term: buf[start:len(buf):len(buf)], Start: ts[a].Start, End: ts[b].End,
					Position: ts[a].Position, Type: analysis.Shingle})
			}
		}
		i = j
	}
	for p := range pairs {
		out = append(out, &pairs[p])
	}
	return out
}
