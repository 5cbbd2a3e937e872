package search

import (
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// Highlighting: the page's term locations (byte offsets into each stored
// text, and which array element for the array fields) are turned into
// short fragments around the densest run of matches, HTML-escaped, with
// the matched words in <mark>. Only the text the user's words matched is
// marked; nothing of the stored text is ever passed through unescaped.
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

// highlights makes the fragments of one hit from its stored fields and the
// locations of its matched words.
func highlights(fields map[string]any, locs bsearch.FieldTermLocationMap) (map[string][]string, []EventMatch) {
	out := map[string][]string{}
	var events []EventMatch
	for _, field := range textFields {
		tl := locs[field]
		if len(tl) == 0 {
			continue
		}
		texts := fieldStrings(fields, field)
		// Spans by array element.
		byElem := map[int][]span{}
		for _, ls := range tl {
			for _, l := range ls {
				el := 0
				if len(l.ArrayPositions) > 0 {
					el = int(l.ArrayPositions[0])
				}
				byElem[el] = append(byElem[el], span{int(l.Start), int(l.End)})
			}
		}
		type frag struct {
			elem, n int
			text    string
		}
		var frags []frag
		for el, spans := range byElem {
			if el < 0 || el >= len(texts) {
				continue
			}
			f, n := fragment(texts[el], spans)
			if f != "" {
				frags = append(frags, frag{el, n, f})
			}
		}
		// Most matches first; the earlier element breaks ties (for the
		// timeline, the earlier event).
		sort.Slice(frags, func(i, j int) bool {
			if frags[i].n != frags[j].n {
				return frags[i].n > frags[j].n
			}
			return frags[i].elem < frags[j].elem
		})
		if field == FieldTimeline {
			ids := fieldStrings(fields, FieldEventIDs)
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
	return out, events
}

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
		sb.WriteString(escape(text[at:s.start]))
		sb.WriteString("<mark>")
		sb.WriteString(escape(text[s.start:s.end]))
		sb.WriteString("</mark>")
		at = s.end
	}
	sb.WriteString(escape(text[at:to]))
	if to < len(text) {
		sb.WriteString("…")
	}
	return sb.String(), bestN
}

// cleanSpans sorts spans, drops those outside text or not on character
// boundaries, and merges overlapping ones (an identifier and its parts).
func cleanSpans(text string, spans []span) []span {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
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
// fragment reads as one line.
func escape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return html.EscapeString(strings.ToValidUTF8(s, "\uFFFD"))
}
