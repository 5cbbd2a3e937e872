package jira

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers/chatmarkup"
)

// WikiToMarkdown turns Jira wiki markup (the description and comment
// bodies of REST API v2, webhooks and CSV exports) into markdown:
// headings, *bold*, _italic_, -strike-, {{monospace}}, {code} and
// {noformat} blocks, {quote} and bq., [text|url] links, [~user] mentions,
// lists, tables and rules. Other macros ({color}, {panel}) are dropped and
// their text kept. Text that could open an HTML tag is escaped, so the
// result holds no raw HTML.
func WikiToMarkdown(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	var out []string
	inTable := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if m := codeOpen.FindStringSubmatch(trimmed); m != nil {
			// A block up to the closing macro; text on the opening line
			// after the macro belongs to the block.
			lang := ""
			if m[1] == "code" {
				lang = codeLang(m[2])
			}
			closer := "{" + m[1] + "}"
			var body []string
			rest := trimmed[len(m[0]):]
			closed := false
			for j := i; j < len(lines); j++ {
				if j > i {
					rest = lines[j]
				}
				if k := strings.Index(rest, closer); k >= 0 {
					body = append(body, rest[:k])
					i = j
					closed = true
					after := strings.TrimSpace(rest[k+len(closer):])
					if after != "" {
						lines[j] = after
						i = j - 1
					}
					break
				}
				body = append(body, rest)
			}
			if !closed {
				i = len(lines)
			}
			out = append(out, fence(strings.Trim(strings.Join(body, "\n"), "\n"), lang))
			inTable = false
			continue
		}
		if strings.HasPrefix(trimmed, "{quote}") {
			var body []string
			rest := strings.TrimPrefix(trimmed, "{quote}")
			for j := i; j < len(lines); j++ {
				if j > i {
					rest = lines[j]
				}
				i = j
				if k := strings.Index(rest, "{quote}"); k >= 0 {
					body = append(body, rest[:k])
					break
				}
				body = append(body, rest)
			}
			inner := WikiToMarkdown(strings.Join(body, "\n"))
			var q []string
			for _, l := range strings.Split(inner, "\n") {
				q = append(q, strings.TrimRight("> "+l, " "))
			}
			out = append(out, strings.Join(q, "\n"))
			inTable = false
			continue
		}
		out = append(out, blockLine(trimmed, &inTable))
	}
	return strings.TrimSpace(collapseBlank(strings.Join(out, "\n")))
}

var (
	codeOpen   = regexp.MustCompile(`^\{(code|noformat)(?::([^}]*))?\}`)
	heading    = regexp.MustCompile(`^h([1-6])\.\s*(.*)$`)
	listMarker = regexp.MustCompile(`^([*#-]+)\s+(.*)$`)
	macro      = regexp.MustCompile(`\{(color|panel|anchor|section|column|noformat|code|quote)(?::[^}]*)?\}`)
)

// codeLang reads the language of {code:java} or {code:title=x|language=go}.
func codeLang(params string) string {
	for _, p := range strings.Split(params, "|") {
		p = strings.TrimSpace(p)
		if k, v, ok := strings.Cut(p, "="); ok {
			if strings.TrimSpace(k) == "language" {
				p = v
			} else {
				continue
			}
		}
		if isWord(p) {
			return p
		}
	}
	return ""
}

func isWord(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '#' || c == '-') {
			return false
		}
	}
	return true
}

// fence wraps body in a code fence longer than any backtick run inside.
func fence(body, lang string) string {
	n, run := 3, 0
	for _, c := range body {
		if c == '`' {
			run++
			if run >= n {
				n = run + 1
			}
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", n)
	return f + lang + "\n" + body + "\n" + f
}

// blockLine converts one line outside code blocks.
func blockLine(line string, inTable *bool) string {
	wasTable := *inTable
	*inTable = false
	switch {
	case line == "":
		return ""
	case line == "----":
		return "---"
	case strings.HasPrefix(line, "bq. "):
		return "> " + inline(strings.TrimPrefix(line, "bq. "))
	}
	if m := heading.FindStringSubmatch(line); m != nil {
		n, _ := strconv.Atoi(m[1])
		return strings.Repeat("#", n) + " " + inline(m[2])
	}
	if m := listMarker.FindStringSubmatch(line); m != nil {
		depth := len(m[1]) - 1
		mark := "-"
		if m[1][len(m[1])-1] == '#' {
			mark = "1."
		}
		return strings.Repeat("  ", depth) + mark + " " + inline(m[2])
	}
	if strings.HasPrefix(line, "|") {
		*inTable = true
		header := strings.HasPrefix(line, "||")
		cells := splitCells(line)
		row := "|"
		for _, c := range cells {
			row += " " + strings.ReplaceAll(inline(c), "|", "\\|") + " |"
		}
		if header {
			row += "\n|" + strings.Repeat(" --- |", len(cells))
		} else if !wasTable {
			// A table without a header row still needs one in markdown.
			row = "|" + strings.Repeat("  |", len(cells)) + "\n|" + strings.Repeat(" --- |", len(cells)) + "\n" + row
		}
		return row
	}
	return inline(line)
}

// splitCells splits "||a||b||" or "|a|b|" into its cells, keeping the
// pipes of [text|url] links inside cells.
func splitCells(line string) []string {
	var cells []string
	var cur strings.Builder
	depth := 0
	for _, c := range strings.Trim(line, "|") {
		switch {
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case c == '|' && depth == 0:
			cells = append(cells, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(c)
	}
	cells = append(cells, cur.String())
	out := cells[:0]
	for _, c := range cells {
		if c != "" || len(cells) == 1 {
			out = append(out, strings.TrimSpace(c))
		}
	}
	return out
}

var (
	bold   = regexp.MustCompile(`(^|[^\w*])\*([^\s*](?:[^*]*[^\s*])?)\*($|[^\w*])`)
	italic = regexp.MustCompile(`(^|[^\w_])_([^\s_](?:[^_]*[^\s_])?)_($|[^\w_])`)
	strike = regexp.MustCompile(`(^|[^\w-])-([^\s-](?:[^-]*[^\s-])?)-($|[^\w-])`)
	image  = regexp.MustCompile(`!([^!\s|][^!|]*)(?:\|[^!]*)?!`)
)

// inline converts the inline markup of one line.
func inline(s string) string {
	var b strings.Builder
	var text strings.Builder
	flush := func() {
		b.WriteString(inlineText(text.String()))
		text.Reset()
	}
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			if k := strings.Index(s[i+2:], "}}"); k >= 0 {
				flush()
				b.WriteString(codeSpan(s[i+2 : i+2+k]))
				i += k + 4
				continue
			}
		case s[i] == '[':
			if k := strings.IndexByte(s[i+1:], ']'); k >= 0 {
				flush()
				b.WriteString(link(s[i+1 : i+1+k]))
				i += k + 2
				continue
			}
		case strings.HasPrefix(s[i:], `\\`):
			flush()
			b.WriteString("\n")
			i += 2
			continue
		}
		text.WriteByte(s[i])
		i++
	}
	flush()
	return b.String()
}

// inlineText converts emphasis in text without links or code.
func inlineText(s string) string {
	if s == "" {
		return ""
	}
	s = macro.ReplaceAllString(s, "")
	s = image.ReplaceAllString(s, "(image: $1)")
	s = chatmarkup.Escape(s)
	for range 2 { // adjacent matches share a boundary character
		s = bold.ReplaceAllString(s, "$1**$2**$3")
		s = italic.ReplaceAllString(s, "${1}_${2}_$3")
		s = strike.ReplaceAllString(s, "$1~~$2~~$3")
	}
	return s
}

// codeSpan wraps s in backticks, more of them when s holds some.
func codeSpan(s string) string {
	if s == "" {
		return ""
	}
	tick := "`"
	for strings.Contains(s, tick) {
		tick += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return tick + s + tick
}

// link converts the inside of [...]: [text|url], [url], [~user],
// [~accountid:xyz], [#anchor], [PROJ-1].
func link(in string) string {
	text, target, hasText := strings.Cut(in, "|")
	if !hasText {
		target = in
		text = ""
	}
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "~") {
		who := strings.TrimPrefix(strings.TrimPrefix(target, "~"), "accountid:")
		if text != "" {
			who = text
		}
		return "@" + chatmarkup.Escape(strings.TrimSpace(who))
	}
	if u := safeURL(target); u != "" {
		if t := strings.TrimSpace(text); t != "" && t != target {
			return "[" + strings.NewReplacer("[", "\\[", "]", "\\]").Replace(inlineText(t)) + "](" + u + ")"
		}
		return u
	}
	if text != "" {
		return inlineText(text)
	}
	return inlineText(in)
}

// safeURL returns u escaped for a markdown link target when it is an
// http(s) or mailto URL, else "".
func safeURL(u string) string {
	lower := strings.ToLower(u)
	if !(strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "mailto:")) {
		return ""
	}
	if strings.ContainsAny(u, " \t\n<>\"") {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29").Replace(u)
}

// collapseBlank keeps at most one blank line in a row.
func collapseBlank(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}
