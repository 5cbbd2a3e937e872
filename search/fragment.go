package search

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fragment cuts from text a window of about fragmentBytes around the
// densest run of spans, escapes it and marks the spans inside. It returns
// the fragment and how many spans it shows.
func fragment(text string, spans []span) (string, int) {
	spans = cleanSpans(text, spans)
	if len(spans) == 0 {
		return "", 0
	}
	// The window starting at the span that lets the most spans follow
	// within fragmentBytes.
	best, bestN := 0, 0
	for i := range spans {
		n := 0
		for j := i; j < len(spans) && spans[j].end-spans[i].start <= fragmentBytes; j++ {
			n++
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	first, last := spans[best], spans[best+bestN-1]
	room := max(fragmentBytes-(last.end-first.start), 0)
	from := wordStart(text, max(first.start-room/3, 0))
	to := wordEnd(text, min(last.end+room-room/3, len(text)))
	if from > first.start {
		from = first.start
	}
	if to < last.end {
		to = last.end
	}
	var sb strings.Builder
	if from > 0 {
		sb.WriteString("…")
	}
	at := from
	for _, s := range spans[best : best+bestN] {
		writeEscaped(&sb, text[at:s.start])
		sb.WriteString("<mark>")
		writeEscaped(&sb, text[s.start:s.end])
		sb.WriteString("</mark>")
		at = s.end
	}
	writeEscaped(&sb, text[at:to])
	if to < len(text) {
		sb.WriteString("…")
	}
	return sb.String(), bestN
}

// cleanSpans sorts spans, drops those outside text or not on character
// boundaries, and merges overlapping ones (an identifier and its parts).
func cleanSpans(text string, spans []span) []span {
	if len(spans) == 0 {
		return spans
	}
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		return cmp.Compare(b.end, a.end)
	})
	out := spans[:0]
	for _, s := range spans {
		if s.start < 0 || s.end > len(text) || s.start >= s.end ||
			!utf8.RuneStart(text[s.start]) || (s.end < len(text) && !utf8.RuneStart(text[s.end])) {
			continue
		}
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// wordStart moves i back to the start of the word it is in (not further
// than a few bytes), on a character boundary.
func wordStart(text string, i int) int {
	for k := 0; i > 0 && k < 20; k++ {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(r) {
			break
		}
		i -= size
	}
	for i > 0 && i < len(text) && !utf8.RuneStart(text[i]) {
		i--
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in.
func wordEnd(text string, i int) int {
	for k := 0; i < len(text) && k < 20; k++ {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	return i
}

// escape makes text safe inside HTML, with line breaks as spaces so a
// fragment reads as one line, and each byte that is not UTF-8 as U+FFFD.
func escape(s string) string {
	var sb strings.Builder
	writeEscaped(&sb, s)
	return sb.String()
}

// writeEscaped writes escape(s) to sb, in one pass: html.EscapeString's
// entities, a space for a tab or line break, U+FFFD for a byte that is not
// UTF-8.
func writeEscaped(sb *strings.Builder, s string) {
	sb.Grow(len(s))
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				sb.WriteString(s[start:i])
				sb.WriteString("\uFFFD")
				start = i + 1
			}
			i += size
			continue
		}
		var rep string
		switch c {
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\n', '\r', '\t':
			rep = " "
		default:
			i++
			continue
		}
		sb.WriteString(s[start:i])
		sb.WriteString(rep)
		i++
		start = i
	}
	sb.WriteString(s[start:])
}
