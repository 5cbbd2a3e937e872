package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// partSpan is a part of a token, as byte offsets into its term.
type partSpan struct{ start, end int }

// partsFilter follows each identifier (a token with joiners or case humps)
// with its parts: the whole first, marked KeyWord so later filters leave it
// as written, then the parts at consecutive positions, the first sharing
// the whole's. Later tokens move up to make room, so a phrase query for
// "connection timeout" matches connectionTimeout and one for the whole
// identifier still matches it.
type partsFilter struct{}

// Filter implements analysis.TokenFilter.
func (partsFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream // allocated at the first identifier
	var arena []analysis.Token   // the parts, allocated in chunks
	var parts []partSpan
	var sub []bool // sub[k]: parts[k] starts a humped piece of a joined token
	add := func(tok analysis.Token) {
		if len(arena) == cap(arena) {
			// Grown as needed: most streams hold few identifiers.
			arena = make([]analysis.Token, 0, max(64, 2*cap(arena)))
		}
		arena = append(arena, tok)
		out = append(out, &arena[len(arena)-1])
	}
	shift := 0
	for idx, t := range input {
		t.Position += shift
		if t.Type == analysis.Ideographic || plainWord(t.Term) {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		parts, sub = splitParts(t.Term, parts[:0], sub[:0])
		if len(parts) < 2 {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = make(analysis.TokenStream, 0, 2*len(input)+len(parts))
			out = append(out, input[:idx]...)
		}
		t.KeyWord = true
		out = append(out, t)
		for k, p := range parts {
			if sub[k] {
				// A humped piece of a joined token ("ConnectionTimeout" in
				// "java.net.ConnectionTimeout") is findable whole as well.
				e := k + 1
				for e < len(parts) && parts[e].start == parts[e-1].end {
					e++
				}
				add(partToken(t, partSpan{p.start, parts[e-1].end}, t.Position+k, true))
			}
			add(partToken(t, p, t.Position+k, false))
		}
		shift += len(parts) - 1
	}
	if out == nil {
		return input
	}
	return out
}

// plainWord says whether term is ASCII without joiners or capitals after
// its first byte — most words of prose, which have no parts.
func plainWord(term []byte) bool {
	for i, c := range term {
		if c >= utf8.RuneSelf || asciiClass[c] == classJoiner || (i > 0 && 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// partToken is the token of part p of t.
func partToken(t *analysis.Token, p partSpan, pos int, whole bool) analysis.Token {
	typ := analysis.AlphaNumeric
	if allDigits(t.Term[p.start:p.end]) {
		typ = analysis.Numeric
	}
	return analysis.Token{
		Start: t.Start + p.start, End: t.Start + p.end,
		Term:     t.Term[p.start:p.end:p.end],
		Position: pos, Type: typ, KeyWord: whole,
	}
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// isPartJoiner says whether r splits an identifier into parts. The
// apostrophe joins tokens but does not split them: "don't" is one word.
func isPartJoiner(r rune) bool {
	switch r {
	case '.', '_', '-', ':', '/', '@', '#':
		return true
	}
	return false
}

// splitParts appends to parts the parts of term (offsets into term, which
// the tokenizer made a slice of the input, so they map to input offsets by
// adding the token's Start): its pieces between
// joiners, each cut at its case humps. sub is set for the first part of a
// piece that itself has humps when the term also has joiners.
func splitParts(term []byte, parts []partSpan, sub []bool) ([]partSpan, []bool) {
	joined := false
	start := 0
	for i := 0; i <= len(term); {
		r, w := rune(0), 1
		if i < len(term) {
			r, w = decode(term, i)
		}
		if i == len(term) || isPartJoiner(r) {
			if i < len(term) {
				joined = true
			}
			n := len(parts)
			parts = splitHumps(term, start, i, parts)
			for k := n; k < len(parts); k++ {
				sub = append(sub, k == n && len(parts)-n > 1)
			}
			start = i + w
		}
		i += w
	}
	if !joined {
		for k := range sub {
			sub[k] = false
		}
	}
	return parts, sub
}

// splitHumps appends the parts of term[start:end] cut at case humps:
// before an upper-case letter that follows a lower-case one
// (connection|Timeout), or follows a digit after a letter (s3|Bucket), and
// before the last of a run of capitals that starts a word of at least two
// lower-case letters (HTTP|Server) — so "IDs", "URLs" and "IPv6" stay
// whole. Letter/digit boundaries are not cut: s3, ipv6 and sev1 stay.
func splitHumps(term []byte, start, end int, parts []partSpan) []partSpan {
	if start >= end {
		return parts
	}
	partStart := start
	var prev rune = -1
	upperRun := 0       // capitals just before i
	seenLetter := false // a letter since partStart
	for i := start; i < end; {
		r, w := decode(term, i)
		if prev >= 0 && isUpper(r) {
			cut := false
			switch {
			case isLower(prev):
				cut = true
			case isDigit(prev) && seenLetter:
				cut = true
			case upperRun >= 2 && lowerRunAt(term, i+w, end) >= 2:
				cut = true
			}
			if cut {
				parts = append(parts, partSpan{partStart, i})
				partStart = i
				seenLetter = false
			}
		}
		if isUpper(r) {
			upperRun++
		} else {
			upperRun = 0
		}
		if unicode.IsLetter(r) {
			seenLetter = true
		}
		prev = r
		i += w
	}
	return append(parts, partSpan{partStart, end})
}

// lowerRunAt is the number of lower-case letters at term[i:end], up to 2.
func lowerRunAt(term []byte, i, end int) int {
	n := 0
	for i < end && n < 2 {
		r, w := decode(term, i)
		if !isLower(r) {
			break
		}
		n++
		i += w
	}
	return n
}

func isUpper(r rune) bool {
	if r < utf8.RuneSelf {
		return 'A' <= r && r <= 'Z'
	}
	return unicode.IsUpper(r)
}

func isLower(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z'
	}
	return unicode.IsLower(r)
}

func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsDigit(r)
}
