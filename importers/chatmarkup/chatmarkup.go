// Package chatmarkup turns the XML-ish HTML that chat tools put in messages
// (Skype's RichText, HipChat's notifications) into plain text with markdown
// marks, holding no raw HTML. Source packages share it instead of borrowing
// each other's code.
package chatmarkup

import (
	"html"
	"strings"
)

// Token is one piece of chat message markup: text, or a tag.
type Token struct {
	Text  string // text, entities decoded; empty for tags
	Name  string // lower-case tag name for tags
	End   bool   // </name>
	Empty bool   // <name/>
	Attrs map[string]string
}

// Tokenize splits markup into text and tags. It never fails: a '<' that
// starts no tag is text, an unclosed tag at the end is text.
func Tokenize(s string) []Token {
	var out []Token
	text := func(t string) {
		if t == "" {
			return
		}
		t = html.UnescapeString(t)
		if n := len(out); n > 0 && out[n-1].Name == "" {
			out[n-1].Text += t // so Escape sees "<" with what follows
			return
		}
		out = append(out, Token{Text: t})
	}
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			text(s)
			break
		}
		text(s[:i])
		s = s[i:]
		t, n, ok := readTag(s)
		if !ok {
			text(s[:1])
			s = s[1:]
			continue
		}
		out = append(out, t)
		s = s[n:]
	}
	return out
}

// readTag reads the tag at the start of s ("<…>"), quotes respected.
func readTag(s string) (Token, int, bool) {
	var quote byte
	end := -1
	for i := 1; i < len(s) && end < 0; i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			end = i
		case c == '<':
			return Token{}, 0, false
		}
	}
	if end < 0 {
		return Token{}, 0, false
	}
	body := s[1:end]
	t := Token{Attrs: map[string]string{}}
	if strings.HasPrefix(body, "/") {
		t.End, body = true, body[1:]
	}
	if strings.HasSuffix(body, "/") {
		t.Empty, body = true, body[:len(body)-1]
	}
	name, rest, _ := strings.Cut(strings.TrimSpace(body), " ")
	if name == "" || !isName(name) {
		return Token{}, 0, false
	}
	t.Name = strings.ToLower(name)
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		k, v, ok := strings.Cut(rest, "=")
		if !ok || strings.ContainsAny(strings.TrimSpace(k), " \t\n") {
			break
		}
		v = strings.TrimLeft(v, " \t\n")
		if v == "" || (v[0] != '"' && v[0] != '\'') {
			break
		}
		j := strings.IndexByte(v[1:], v[0])
		if j < 0 {
			break
		}
		t.Attrs[strings.ToLower(strings.TrimSpace(k))] = html.UnescapeString(v[1 : j+1])
		rest = v[j+2:]
	}
	return t, end + 1, true
}

func isName(s string) bool {
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':' || c == '.')) {
			return false
		}
	}
	return true
}

// skipped are elements whose content is metadata, not message text.
var skipped = map[string]bool{"legacyquote": true, "e_m": true, "script": true, "style": true, "meta": true, "title": true, "head": true}

// Markdown turns Skype RichText (and the similar HTML of chat exports) into
// markdown: links, bold, italic, strike, code, mentions as @Name, quotes as
// "> " lines, emoticons as their text, entities decoded. Literal "<" that
// could open a tag is escaped, so the result holds no raw HTML.
func Markdown(s string) string {
	var b strings.Builder
	type open struct {
		Name string
		pos  int
		attr map[string]string
	}
	var stack []open
	skip := 0
	for _, t := range Tokenize(s) {
		switch {
		case t.Name == "":
			if skip == 0 {
				b.WriteString(Escape(t.Text))
			}
		case skipped[t.Name]:
			if !t.Empty {
				if t.End {
					skip = max(skip-1, 0)
				} else {
					skip++
				}
			}
		case skip > 0:
		case t.Name == "br":
			b.WriteString("\n")
		case t.End:
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].Name != t.Name {
					continue
				}
				o := stack[i]
				stack = stack[:i]
				inner := b.String()[o.pos:]
				rest := b.String()[:o.pos]
				b.Reset()
				b.WriteString(rest)
				b.WriteString(closeTag(o.Name, o.attr, inner))
				break
			}
		case t.Empty:
		default:
			stack = append(stack, open{Name: t.Name, pos: b.Len(), attr: t.Attrs})
		}
	}
	return strings.TrimSpace(collapse(b.String()))
}

// closeTag renders one finished element from its inner markdown.
func closeTag(name string, attr map[string]string, inner string) string {
	trimmed := strings.TrimSpace(inner)
	switch name {
	case "a":
		href := strings.TrimSpace(attr["href"])
		if !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") {
			return inner
		}
		if trimmed == "" || trimmed == href || trimmed == Escape(href) {
			return href
		}
		return "[" + strings.NewReplacer("[", "\\[", "]", "\\]").Replace(trimmed) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(href) + ")"
	case "b", "strong":
		return wrap("**", inner)
	case "i", "em":
		return wrap("_", inner)
	case "s", "strike", "del":
		return wrap("~~", inner)
	case "code":
		return wrap("`", inner)
	case "pre":
		return "\n```\n" + strings.Trim(inner, "\n") + "\n```\n"
	case "at":
		if trimmed == "" {
			trimmed = Escape(strings.TrimPrefix(attr["id"], "8:"))
		}
		return "@" + trimmed
	case "quote":
		var q strings.Builder
		if a := strings.TrimSpace(attr["authorname"]); a != "" {
			q.WriteString("\n> " + Escape(a) + " wrote:\n")
		}
		for _, l := range strings.Split(trimmed, "\n") {
			q.WriteString("> " + l + "\n")
		}
		return "\n" + q.String() + "\n"
	case "p", "div", "li", "tr":
		return inner + "\n"
	}
	return inner
}

func wrap(mark, inner string) string {
	t := strings.TrimSpace(inner)
	if t == "" {
		return inner
	}
	return mark + t + mark
}

// Escape keeps "<" that could open a tag from reaching markdown as HTML.
func Escape(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		// A "<" at the end may meet a letter from the next piece of text.
		if s[i] == '<' && (i+1 == len(s) || opensTag(s[i+1])) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func opensTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// collapse keeps at most one blank line in a row.
func collapse(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// TextOf is the plain text of the elements named name, in order.
func TextOf(toks []Token, name string) []string {
	var out []string
	depth := 0
	var cur strings.Builder
	for _, t := range toks {
		switch {
		case t.Name == name && !t.End && !t.Empty:
			depth++
			cur.Reset()
		case t.Name == name && t.End && depth > 0:
			depth--
			out = append(out, strings.TrimSpace(cur.String()))
		case t.Name == "" && depth > 0:
			cur.WriteString(t.Text)
		}
	}
	return out
}

// AttrOf is attribute attr of the first element named name.
func AttrOf(toks []Token, name, attr string) string {
	for _, t := range toks {
		if t.Name == name && !t.End {
			if v, ok := t.Attrs[attr]; ok {
				return v
			}
		}
	}
	return ""
}
