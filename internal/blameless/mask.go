package blameless

import (
	"regexp"
	"strings"
)

var (
	// fenceOpen is the start of a fenced code block: up to a few spaces
	// (or blockquote markers) and three or more backticks or tildes.
	fenceOpen = regexp.MustCompile("^[ \t>]*(`{3,}|~{3,})")
	// urlish matches what is a URL rather than prose: absolute URLs,
	// <autolinks> and markdown link destinations.
	urlish = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s<>()]+|<[a-z][a-z0-9+.-]*:[^\s<>]*>|\]\([^)\s]*`)
)

// mask returns body with fenced code blocks, inline code spans and URLs
// replaced by spaces (newlines kept), so the rules do not see them and byte
// offsets into the result are offsets into body.
func mask(body string) string {
	b := []byte(body)
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	maskFences(body, blank)
	maskCodeSpans(b, blank)
	for _, m := range urlish.FindAllIndex(b, -1) {
		blank(m[0], m[1])
	}
	return string(b)
}

// maskFences blanks every fenced code block, fences included. A fence is
// closed by a line of at least as many of the same character; an unclosed
// fence runs to the end, as in CommonMark.
func maskFences(body string, blank func(from, to int)) {
	var (
		fence string // the open fence, "" outside a block
		start int    // where the open block starts
	)
	for off := 0; off < len(body); {
		end := strings.IndexByte(body[off:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += off
		}
		line := body[off:end]
		if fence == "" {
			if m := fenceOpen.FindStringSubmatch(line); m != nil {
				fence, start = m[1], off
			}
		} else if closesFence(line, fence) {
			blank(start, end)
			fence = ""
		}
		off = end + 1
	}
	if fence != "" {
		blank(start, len(body))
	}
}

// closesFence reports whether line closes a block opened by fence.
func closesFence(line, fence string) bool {
	t := strings.TrimLeft(line, " \t>")
	n := len(t) - len(strings.TrimLeft(t, fence[:1]))
	return n >= len(fence) && strings.TrimSpace(t[n:]) == ""
}

// maskCodeSpans blanks inline code: a run of n backticks up to the next
// run of exactly n, within one paragraph. A run without a partner is
// literal text, as in CommonMark.
func maskCodeSpans(b []byte, blank func(from, to int)) {
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := runOf(b, i)
		closeAt := -1
		for j := i + n; j < len(b); {
			if b[j] == '\n' && j+1 < len(b) && isBlankLineAt(b, j+1) {
				break // a code span does not cross a paragraph break
			}
			if b[j] != '`' {
				j++
				continue
			}
			m := runOf(b, j)
			if m == n {
				closeAt = j + m
				break
			}
			j += m
		}
		if closeAt < 0 {
			i += n
			continue
		}
		blank(i, closeAt)
		i = closeAt
	}
}

// runOf is the length of the run of backticks starting at i.
func runOf(b []byte, i int) int {
	n := 0
	for i+n < len(b) && b[i+n] == '`' {
		n++
	}
	return n
}

// isBlankLineAt reports whether the line starting at i holds only spaces.
func isBlankLineAt(b []byte, i int) bool {
	for ; i < len(b) && b[i] != '\n'; i++ {
		if b[i] != ' ' && b[i] != '\t' && b[i] != '\r' {
			return false
		}
	}
	return true
}
