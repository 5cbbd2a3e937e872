package teams

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/hindsightrca/hindsight/importers"
)

// htmlToMarkdown turns a Teams HTML body into readable markdown text: tags
// go, entities are decoded, links become [text](url), <br> and blocks become
// line breaks, <at id="N"> mentions become @Name, and nothing that could be
// read as raw HTML survives (a literal "<tag" is escaped).
func htmlToMarkdown(src string, mentions []mention) string {
	w := &mdWriter{mentions: mentions}
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			w.text(tok.Data)
		case html.StartTagToken, html.SelfClosingTagToken:
			w.start(tok, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			w.end(tok)
		}
	}
	w.closeLink()
	return tidy(w.buf.String())
}

// mdWriter accumulates the markdown while the tokenizer walks the HTML.
type mdWriter struct {
	buf      bytes.Buffer
	mentions []mention
	skip     int // depth inside <script>, <style>, <head>, <title>
	pre      int // depth inside <pre>
	atSkip   bool
	// The last mention written, to merge "@Megan" "@Bowen" into one.
	lastAtKey string
	lastAtEnd int
	// The open link: where its text starts and its target.
	linkStart int
	linkHref  string
	inLink    bool
}

var spaceRe = regexp.MustCompile(`[ \t\r\n\f]+`)

func (w *mdWriter) text(s string) {
	if w.skip > 0 || w.atSkip {
		return
	}
	if w.pre == 0 {
		s = strings.ReplaceAll(s, "\u00a0", " ")
		s = spaceRe.ReplaceAllString(s, " ")
		if strings.HasPrefix(s, " ") && (w.buf.Len() == 0 || endsWithSpace(w.buf.Bytes())) {
			s = s[1:]
		}
	}
	w.buf.WriteString(escapeTags(s))
}

func (w *mdWriter) start(t html.Token, selfClosing bool) {
	if w.skip > 0 {
		if !selfClosing && skipped(t.Data) {
			w.skip++
		}
		return
	}
	switch t.Data {
	case "script", "style", "head", "title", "template":
		if !selfClosing {
			w.skip++
		}
	case "br":
		w.buf.WriteByte('\n')
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "hr":
		w.block()
	case "tr":
		w.newline()
	case "td", "th":
		if b := w.buf.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
			w.buf.WriteString(" | ")
		}
	case "li":
		w.newline()
		w.buf.WriteString("- ")
	case "pre":
		w.block()
		w.buf.WriteString("```\n")
		w.pre++
	case "code":
		if w.pre == 0 {
			w.buf.WriteByte('`')
		}
	case "b", "strong":
		w.buf.WriteString("**")
	case "i", "em":
		w.buf.WriteString("_")
	case "a":
		w.closeLink()
		if href := attr(t, "href"); safeURL(href) {
			w.inLink, w.linkHref, w.linkStart = true, href, w.buf.Len()
		}
	case "img":
		if alt := strings.TrimSpace(attr(t, "alt")); alt != "" {
			w.buf.WriteString("[image: " + escapeTags(alt) + "]")
		} else {
			w.buf.WriteString("[image]")
		}
	case "emoji":
		w.buf.WriteString(escapeTags(attr(t, "alt")))
		if !selfClosing {
			w.atSkip = true // the element's own text repeats the alt
		}
	case "at":
		w.mention(attr(t, "id"))
	}
}

func (w *mdWriter) end(t html.Token) {
	if w.skip > 0 {
		if skipped(t.Data) {
			w.skip--
		}
		return
	}
	switch t.Data {
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote":
		w.block()
	case "pre":
		if w.pre > 0 {
			w.pre--
			w.newline()
			w.buf.WriteString("```")
			w.block()
		}
	case "code":
		if w.pre == 0 {
			w.buf.WriteByte('`')
		}
	case "b", "strong":
		w.buf.WriteString("**")
	case "i", "em":
		w.buf.WriteString("_")
	case "a":
		w.closeLink()
	case "at":
		w.atSkip = false
		w.lastAtEnd = w.buf.Len()
	case "emoji":
		w.atSkip = false
	}
}

// mention writes @Name for <at id="…">, using the mentions array; the
// element's text is the fallback. A second tag for the same person right
// after the first (Teams splits names) is dropped.
func (w *mdWriter) mention(id string) {
	for _, m := range w.mentions {
		if m.ID.String() != id {
			continue
		}
		name, key := m.name()
		if name == "" {
			return
		}
		if key != "" && key == w.lastAtKey && w.lastAtEnd <= w.buf.Len() &&
			strings.TrimSpace(string(w.buf.Bytes()[w.lastAtEnd:])) == "" {
			w.buf.Truncate(w.lastAtEnd)
		} else {
			w.buf.WriteString("@" + escapeTags(name))
		}
		w.lastAtKey = key
		w.atSkip = true
		return
	}
	w.buf.WriteString("@")
}

// closeLink rewrites the open link's text as [text](url), or leaves a bare
// URL when the text is the URL.
func (w *mdWriter) closeLink() {
	if !w.inLink {
		return
	}
	w.inLink = false
	if w.linkStart > w.buf.Len() {
		return
	}
	label := strings.TrimSpace(string(w.buf.Bytes()[w.linkStart:]))
	w.buf.Truncate(w.linkStart)
	switch {
	case label == "" || label == w.linkHref || label == escapeTags(w.linkHref):
		w.buf.WriteString(w.linkHref)
	default:
		label = strings.NewReplacer("[", `\[`, "]", `\]`).Replace(label)
		w.buf.WriteString("[" + label + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(w.linkHref) + ")")
	}
}

// block starts a new paragraph.
func (w *mdWriter) block() {
	w.newline()
	if b := w.buf.Bytes(); len(b) > 1 && b[len(b)-2] != '\n' {
		w.buf.WriteByte('\n')
	}
}

// newline ends the current line unless it is empty.
func (w *mdWriter) newline() {
	if b := w.buf.Bytes(); len(b) > 0 && b[len(b)-1] != '\n' {
		w.buf.WriteByte('\n')
	}
}

func skipped(tag string) bool {
	switch tag {
	case "script", "style", "head", "title", "template":
		return true
	}
	return false
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func safeURL(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	return (strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:")) &&
		!strings.ContainsAny(u, "\n\r\t <>\"")
}

func endsWithSpace(b []byte) bool {
	c := b[len(b)-1]
	return c == ' ' || c == '\n'
}

var tagLikeRe = regexp.MustCompile(`<([A-Za-z/!?])`)

// escapeTags keeps decoded text such as "&lt;b&gt;" from turning into raw
// HTML when the body is rendered as markdown.
func escapeTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	return tagLikeRe.ReplaceAllString(s, `\<$1`)
}

var blankLinesRe = regexp.MustCompile(`\n{3,}`)

// tidy trims line ends and collapses runs of blank lines.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	s = strings.Join(lines, "\n")
	s = blankLinesRe.ReplaceAllString(s, "\n\n")
	return importers.NormalizeText(s)
}
