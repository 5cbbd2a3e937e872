package markdown

import (
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// policy allows what the pipeline emits and the plain formatting of HTML
// from elsewhere, and nothing that runs: no script, style, iframe, object,
// embed, form or svg; no event handler or style attribute; URLs only http,
// https, mailto or relative. It is built from an empty policy rather than
// bluemonday's UGC one so that nothing is allowed by accident (UGC allows
// any id on any element, for one).
func policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs() // http, https, mailto, relative; parseable only
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	// Text structure and inline formatting (markdown, and HTML from chat
	// and tickets).
	p.AllowElements("p", "br", "hr", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
		"h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "div", "span",
		"em", "strong", "del", "s", "strike", "ins", "b", "i", "u", "small", "mark",
		"sub", "sup", "kbd", "samp", "var", "abbr", "q", "cite",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
		"figure", "figcaption", "details", "summary")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("th", "td")

	// Links and images: the URL policy above checks href and src; titles
	// and alt texts are escaped text, any value is harmless.
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src").OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("title").OnElements("a", "img", "abbr")

	// Table alignment (the table extension writes align="…").
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")

	// Heading ids: goldmark's generator keeps ASCII letters, digits, - and _.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-z0-9_-]{1,200}$`)).OnElements("h1", "h2", "h3", "h4", "h5", "h6")

	// Footnotes: <sup id="fnref:1"><a href="#fn:1" class="footnote-ref"
	// role="doc-noteref">, <div class="footnotes" role="doc-endnotes">,
	// <li id="fn:1">, and the back link.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fnref[0-9]*:[0-9]+$`)).OnElements("sup")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fn:[0-9]+$`)).OnElements("li")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink)$`)).OnElements("a")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-endnotes$`)).OnElements("div")

	// Highlighted code, footnote links and the language of plain code
	// blocks: only the classes the pipeline writes.
	p.AllowAttrs("class").Matching(classPattern()).OnElements("div", "pre", "code", "span", "table", "td", "a")
	p.AllowAttrs("tabindex").Matching(regexp.MustCompile(`^0$`)).OnElements("pre")

	// Task lists: a disabled checkbox. input is allowed only through these
	// attributes (so an <input> left without any is dropped), and
	// onlyDisabledCheckboxes removes every input that is not a disabled
	// checkbox, which bluemonday alone cannot require.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	return p
}

// classPattern matches a class attribute made only of classes the pipeline
// writes: chroma's, footnote links and language-<name> on plain code.
func classPattern() *regexp.Regexp {
	names := append(highlightClasses(), "footnote-ref", "footnote-backref", "footnotes")
	slices.Sort(names)
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	token := `(?:` + strings.Join(names, "|") + `|language-[A-Za-z0-9_+#.-]{1,64})`
	return regexp.MustCompile(`^` + token + `(?: ` + token + `)*$`)
}

var (
	// inputTag finds an <input> tag in bluemonday's output, where attribute
	// values are quoted and escaped, so ">" only ends a tag.
	inputTag = regexp.MustCompile(`<input\b[^>]*>`)
	// tagAttr is one attribute of such a tag.
	tagAttr = regexp.MustCompile(`\s([a-zA-Z-]+)(?:="([^"]*)")?`)
)

// onlyDisabledCheckboxes removes every <input> from sanitized HTML that is
// not a disabled checkbox: goldmark writes only those, and a live form
// control has no place in a document.
func onlyDisabledCheckboxes(html string) string {
	if !strings.Contains(html, "<input") {
		return html
	}
	return inputTag.ReplaceAllStringFunc(html, func(tag string) string {
		checkbox, disabled := false, false
		for _, m := range tagAttr.FindAllStringSubmatch(tag, -1) {
			switch m[1] {
			case "type":
				checkbox = m[2] == "checkbox"
			case "disabled":
				disabled = true
			}
		}
		if checkbox && disabled {
			return tag
		}
		return ""
	})
}
