package search

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Highlighting: the index keeps no term vectors (they would double the
// cost of indexing), so the page's hits are highlighted by analysing their
// stored texts with the index's analyzer and marking the tokens whose
// terms the query matched. A cheap byte search first skips the texts that
// cannot hold any of them, so only a few are analysed. Fragments are cut
// around the densest run of marks, HTML-escaped, with the matched words in
// <mark>; nothing of the stored text is ever passed through unescaped.
const (
	// fragmentBytes is about how long a fragment is.
	fragmentBytes = 220
	// fragmentsPerField bounds the fragments of one field.
	fragmentsPerField = 3
	// eventsPerHit bounds the timeline events a hit points at.
	eventsPerHit = 5
)

// span is a matched byte range in one text.
type span struct{ start, end int }

// matcher knows the terms a query matched and finds them in texts.
type matcher struct {
	an analysis.Analyzer
	// terms are the analysed terms to mark, with the fields they may be
	// marked in (nil: any text field).
	terms map[string]map[string]bool
	// needles are lower-case byte strings one of which a text must hold
	// to be worth analysing (prefixes of the terms' words).
	needles [][]byte
	// fuzzy marks tokens within a few edits of a term as well (and skips
	// the byte search, which cannot see typos).
	fuzzy bool
	// labels are the query's words as services and tags match them: the
	// whole value, or one word of it.
	labels map[string]bool
	// labelTerms are the analysed terms of the query's plain words, which
	// a word of a label is marked for (not the parts of an identifier).
	labelTerms map[string]bool
	// lower is spans' buffer for a lower-cased text (a matcher serves one
	// search, one hit after the other).
	lower []byte
	// chunks are the marked spans found in chunks analysed so far, by
	// field and chunk, in the chunk's offsets: a page's texts hold the same
	// words again and again ("route" and "router", or "throughput" for a
	// needle "rou"), and a chunk's analysis depends on it alone.
	chunks map[chunkKey][]span
	// labelFrags are the labels met so far, marked (labelFragment).
	labelFrags map[string]string
}

// chunkKey is a chunk of text analysed for a field.
type chunkKey struct{ field, chunk string }

// maxChunks bounds the chunks a matcher remembers.
const maxChunks = 4096

// newMatcher makes a matcher for the positive words and phrases of q.
func newMatcher(an analysis.Analyzer, q Query, fuzzy bool) *matcher {
	m := &matcher{an: an, terms: map[string]map[string]bool{}, fuzzy: fuzzy, labels: map[string]bool{},
		labelTerms: map[string]bool{}}
	for _, g := range q.Groups {
		for _, t := range g.Terms {
			if t.Field == "" || t.Field == FieldServices || t.Field == FieldTags {
				// A word may have matched a service or tag (see
				// queryBuilder.term), which is shown as a highlight too.
				m.labels[normalizeKeyword(t.Value)] = true
			}
			if t.Field != "" && !IsTextField(t.Field) {
				continue
			}
			toks := an.Analyze([]byte(t.Value))
			for _, tok := range toks {
				surface := strings.ToLower(t.Value[tok.Start:tok.End])
				m.add(string(tok.Term), t.Field, surface)
				if surface != string(tok.Term) {
					m.add(surface, t.Field, surface) // see queryBuilder.positions
				}
			}
			if t.Field == "" && !t.Phrase && len(toks) == 1 {
				// A plain word finds a label by its stem (all_text).
				m.labelTerms[string(toks[0].Term)] = true
			}
		}
	}
	return m
}

// addNear has m mark the near terms a typo search found (by field, as
// fuzzyCache.near holds them) rather than any word a few edits from the
// query's: a typo search then marks what it matched, and finds it by the
// byte search instead of analysing whole texts. A term found in fieldAll
// is marked in any field.
func (m *matcher) addNear(near map[string]map[string]bool) {
	if len(near) == 0 {
		return
	}
	m.fuzzy = false
	for field, terms := range near {
		if field == fieldAll {
			field = ""
		}
		for t := range terms {
			m.add(t, field, t)
		}
	}
}

// add notes a term (in field, or any field when ""), found in text as surface.
func (m *matcher) add(term, field, surface string) {
	if term == "" {
		return
	}
	fs, ok := m.terms[term]
	switch {
	case !ok && field != "":
		m.terms[term] = map[string]bool{field: true}
	case !ok:
		m.terms[term] = nil
	case fs != nil && field != "":
		fs[field] = true
	case fs != nil:
		m.terms[term] = nil
	}
	// A stem is mostly a prefix of its words, but not always ("happili"
	// of "happily"), so the needle drops a couple of letters.
	for _, w := range []string{term, surface} {
		n := len(w)
		if n > 4 {
			n -= 2
		}
		for n > 0 && n < len(w) && !utf8.RuneStart(w[n]) {
			n--
		}
		// (The same needle twice would find the same chunks again.)
		if n > 0 && !slices.ContainsFunc(m.needles, func(x []byte) bool { return string(x) == w[:n] }) {
			m.needles = append(m.needles, []byte(w[:n]))
		}
	}
}

// empty reports whether there is nothing to mark.
func (m *matcher) empty() bool { return len(m.terms) == 0 }

// spans finds the marked tokens of text in field.
func (m *matcher) spans(field, text string) []span {
	if m.fuzzy {
		// Typos cannot be found by bytes: analyse the text (bounded).
		return m.spansIn(field, text, 0, len(text[:min(len(text), maxFuzzyText)]))
	}
	// Analyse only the words around the places a needle occurs: a hit's
	// texts are long and mostly about other things.
	m.lower = appendASCIILower(m.lower[:0], text)
	lower := m.lower
	var out []span
	var seen []int // chunk starts analysed
	for _, n := range m.needles {
		from := 0
		for k := 0; k < maxNeedleHits; k++ {
			i := bytes.Index(lower[from:], n)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(n)
			ws, we := chunkAround(text, at, at+len(n))
			if slices.Contains(seen, ws) {
				continue
			}
			seen = append(seen, ws)
			out = m.appendChunkSpans(out, field, text, ws, we)
		}
	}
	return out
}

const (
	// maxNeedleHits bounds the occurrences of one needle looked at in a text.
	maxNeedleHits = 12
	// maxFuzzyText bounds the text analysed per field element when fuzzy.
	maxFuzzyText = 16 << 10
)

// chunkAround widens [from, to) to the run of non-space characters it is
// in (one word, identifier or hostname), so the analyser sees it whole.
func chunkAround(text string, from, to int) (int, int) {
	lo, hi := max(from-maxChunk, 0), min(to+maxChunk, len(text))
	for from > lo && !isSpaceByte(text[from-1]) {
		from--
	}
	for to < hi && !isSpaceByte(text[to]) {
		to++
	}
	for from > 0 && from < len(text) && !utf8.RuneStart(text[from]) {
		from--
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	return from, to
}

// maxChunk bounds how far a chunk reaches past its needle (a long blob
// without spaces is not analysed whole).
const maxChunk = 200

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// appendChunkSpans appends the marked spans of the chunk text[from:to]
// (spansIn), analysing it only when the matcher has not met it yet.
func (m *matcher) appendChunkSpans(out []span, field, text string, from, to int) []span {
	k := chunkKey{field, text[from:to]}
	rel, ok := m.chunks[k]
	if !ok {
		rel = m.spansIn(field, text[from:to], 0, to-from)
		if m.chunks == nil {
			m.chunks = map[chunkKey][]span{}
		}
		if len(m.chunks) < maxChunks {
			m.chunks[k] = rel
		}
	}
	for _, sp := range rel {
		out = append(out, span{from + sp.start, from + sp.end})
	}
	return out
}

// spansIn analyses text[from:to] and returns the marked tokens' spans in
// text's offsets.
func (m *matcher) spansIn(field, text string, from, to int) []span {
	var out []span
	for _, tok := range m.an.Analyze([]byte(text[from:to])) {
		if m.matches(string(tok.Term), field) {
			out = append(out, span{from + tok.Start, from + tok.End})
		}
	}
	return out
}

// appendASCIILower appends s to b with its ASCII letters lower-cased (see
// asciiLower).
func appendASCIILower(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	lowerASCII(b[n:])
	return b
}

// asciiLower lower-cases the ASCII letters of s, keeping every other byte,
// so offsets into the result are offsets into s.
func asciiLower(s string) []byte {
	b := []byte(s)
	lowerASCII(b)
	return b
}

// lowerASCII lower-cases the ASCII letters of b in place, eight bytes at a
// time: in each byte whose high bit is clear, bit 7 of h+0x3f says it is
// at least 'A' and bit 7 of h+0x25 that it is past 'Z' (h, the byte
// without its high bit, is at most 0x7f: no carry crosses into the next
// byte); an upper-case letter gains 0x20.
func lowerASCII(b []byte) {
	const (
		low7 = 0x7f7f7f7f7f7f7f7f
		high = 0x8080808080808080
		geA  = 0x3f3f3f3f3f3f3f3f // 0x80 - 'A'
		gtZ  = 0x2525252525252525 // 0x80 - 'Z' - 1
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		h := w & low7
		if m := (h + geA) &^ (h + gtZ) &^ w & high; m != 0 {
			binary.LittleEndian.PutUint64(b[i:], w|m>>2)
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// mayHold is the cheap test: does text contain one of the needles,
// ignoring the case of ASCII letters?
func (m *matcher) mayHold(text string) bool {
	lower := asciiLower(text)
	for _, n := range m.needles {
		if bytes.Contains(lower, n) {
			return true
		}
	}
	return false
}

// matches reports whether term is one of the matcher's in field (or, when
// fuzzy, close enough to one).
func (m *matcher) matches(term, field string) bool {
	if fs, ok := m.terms[term]; ok {
		return fs == nil || fs[field]
	}
	if !m.fuzzy {
		return false
	}
	for t, fs := range m.terms {
		if (fs == nil || fs[field]) && fuzziness(t) > 0 && withinEdits(t, term, fuzziness(t)) {
			return true
		}
	}
	return false
}

// withinEdits reports whether a and b differ by at most k edits
// (Levenshtein, on runes).
func withinEdits(a, b string, k int) bool {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > k || -d > k {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= k
}

// highlights makes the fragments of one hit from its stored fields.
func (m *matcher) highlights(fields map[string]any) (map[string][]string, []EventMatch) {
	out := map[string][]string{}
	var events []EventMatch
	if m == nil || m.empty() {
		return out, events
	}
	evTexts, evIDs := timelineEvents(fields)
	for _, field := range textFields {
		texts := fieldStrings(fields, field)
		if field == FieldTimeline {
			texts = evTexts
		}
		type frag struct {
			elem, n int
			text    string
		}
		var frags []frag
		// Enough fragments are cut from the first texts that match: a
		// busy timeline would otherwise be analysed event by event.
		want := fragmentsPerField
		if field == FieldTimeline {
			want = eventsPerHit
		}
		for el, text := range texts {
			if f, n := fragment(text, m.spans(field, text)); f != "" {
				frags = append(frags, frag{el, n, f})
				if len(frags) == want+2 {
					break
				}
			}
		}
		if len(frags) == 0 {
			continue
		}
		// Most matches first; the earlier element breaks ties (for the
		// timeline, the earlier event).
		sort.SliceStable(frags, func(i, j int) bool { return frags[i].n > frags[j].n })
		if field == FieldTimeline {
			ids := evIDs
			for _, f := range frags[:min(len(frags), eventsPerHit)] {
				if f.elem < len(ids) {
					if id, err := strconv.ParseInt(ids[f.elem], 10, 64); err == nil {
						events = append(events, EventMatch{ID: id, Fragment: f.text})
					}
				}
			}
		}
		for _, f := range frags[:min(len(frags), fragmentsPerField)] {
			out[field] = append(out[field], f.text)
		}
	}
	for _, field := range []string{FieldServices, FieldTags} {
		for _, v := range fieldStrings(fields, field) {
			if m.labels[normalizeKeyword(v)] {
				out[field] = append(out[field], "<mark>"+escape(v)+"</mark>")
				continue
			}
			marked := false
			for _, w := range labelWords([]string{v}) {
				if m.labels[w] {
					out[field] = append(out[field], markWord(v, w))
					marked = true
					break
				}
			}
			// A typed word also finds a label by its stem (all_text holds
			// labels analysed as text: "gateways" finds "API Gateway").
			if !marked {
				if f := m.labelFragment(v); f != "" {
					out[field] = append(out[field], f)
				}
			}
		}
	}
	return out, events
}

// labelFragment is label with the words an unfielded query term matched
// marked, by the index's analysis ("" when none did).
func (m *matcher) labelFragment(label string) string {
	if f, ok := m.labelFrags[label]; ok {
		return f // (a page's hits share most of their labels)
	}
	f := m.markLabel(label)
	if m.labelFrags == nil {
		m.labelFrags = map[string]string{}
	}
	if len(m.labelFrags) < maxChunks {
		m.labelFrags[label] = f
	}
	return f
}

// markLabel is labelFragment, made.
func (m *matcher) markLabel(label string) string {
	var spans []span
	for _, tok := range m.an.Analyze([]byte(label)) {
		if m.labelTerms[string(tok.Term)] {
			spans = append(spans, span{tok.Start, tok.End})
		}
	}
	spans = cleanSpans(label, spans)
	if len(spans) == 0 {
		return ""
	}
	var sb strings.Builder
	at := 0
	for _, sp := range spans {
		writeEscaped(&sb, label[at:sp.start])
		sb.WriteString("<mark>")
		writeEscaped(&sb, label[sp.start:sp.end])
		sb.WriteString("</mark>")
		at = sp.end
	}
	writeEscaped(&sb, label[at:])
	return sb.String()
}

// markWord escapes label and marks the first occurrence of the word w
// (lower case) in it.
func markWord(label, w string) string {
	i := strings.Index(string(asciiLower(label)), w)
	if i < 0 {
		return escape(label)
	}
	return escape(label[:i]) + "<mark>" + escape(label[i:i+len(w)]) + "</mark>" + escape(label[i+len(w):])
}
