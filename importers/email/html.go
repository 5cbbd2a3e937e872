package email

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// htmlToText turns an HTML mail body into plain text: tags go, entities
// are decoded, blocks and <br> become line breaks, list items start with
// "- ", table cells are separated by " | ", and a link whose text is not
// its address keeps the address in brackets. Scripts, styles and the head
// are dropped. What comes out holds no markup; escaping for markdown is
// done once for every body.
func htmlToText(src string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(src))
	skip := 0
	pre := 0
	var href string
	linkStart := -1
	cellInRow := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		name := tok.Data
		switch tt {
		case html.TextToken:
			if skip > 0 {
				continue
			}
			s := tok.Data
			if pre == 0 {
				s = strings.ReplaceAll(s, "\u00a0", " ")
				s = spaceRe.ReplaceAllString(s, " ")
				if strings.HasPrefix(s, " ") && (b.Len() == 0 || endsWithSpace(b.String())) {
					s = s[1:]
				}
			}
			b.WriteString(s)
		case html.StartTagToken, html.SelfClosingTagToken:
			if skip > 0 {
				if tt == html.StartTagToken && skipped(name) {
					skip++
				}
				continue
			}
			switch name {
			case "script", "style", "head", "title", "template", "noscript":
				if tt == html.StartTagToken {
					skip++
				}
			case "br":
				b.WriteString("\n")
			case "p", "div", "table", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "hr":
				block(&b)
			case "tr":
				newline(&b)
				cellInRow = 0
			case "td", "th":
				if cellInRow > 0 {
					b.WriteString(" | ")
				}
				cellInRow++
			case "li":
				newline(&b)
				b.WriteString("- ")
			case "pre":
				block(&b)
				pre++
			case "a":
				href, linkStart = attr(tok, "href"), b.Len()
			case "img":
				if alt := strings.TrimSpace(attr(tok, "alt")); alt != "" {
					b.WriteString("[" + alt + "]")
				}
			}
		case html.EndTagToken:
			if skip > 0 {
				if skipped(name) {
					skip--
				}
				continue
			}
			switch name {
			case "p", "div", "table", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol":
				block(&b)
			case "tr":
				newline(&b)
			case "pre":
				if pre > 0 {
					pre--
				}
				block(&b)
			case "a":
				if linkStart >= 0 && (strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")) {
					text := strings.TrimSpace(b.String()[linkStart:])
					if text != href && strings.TrimSuffix(text, "/") != strings.TrimSuffix(href, "/") {
						b.WriteString(" (" + href + ")")
					}
				}
				href, linkStart = "", -1
			}
		}
	}
	return tidyText(b.String())
}

var (
	spaceRe      = regexp.MustCompile(`[ \t\r\n\f]+`)
	blankLinesRe = regexp.MustCompile(`\n{3,}`)
)

func skipped(tag string) bool {
	switch tag {
	case "script", "style", "head", "title", "template", "noscript":
		return true
	}
	return false
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func endsWithSpace(s string) bool {
	return strings.HasSuffix(s, " ") || strings.HasSuffix(s, "\n")
}

func newline(b *strings.Builder) {
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
}

func block(b *strings.Builder) {
	newline(b)
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n")
	}
}

// tidyText trims line ends and keeps at most one blank line in a row.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	s = strings.Join(lines, "\n")
	s = blankLinesRe.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
