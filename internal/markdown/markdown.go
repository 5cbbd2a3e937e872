// Package markdown is Hindsight's one markdown pipeline: goldmark with GFM,
// footnotes and heading ids, never WithUnsafe, and a bluemonday policy over
// its output, so text from chat, alerts, tickets and users renders inert.
// It also extracts plain text for search.
package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// MaxSource bounds the markdown one call renders.
const MaxSource = 1 << 20

// Renderer turns untrusted markdown into safe HTML. It is safe for
// concurrent use; build one in cmd and pass it on.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns the pipeline.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// No html.WithUnsafe: raw HTML in the source is dropped by goldmark,
		// and the policy below cleans whatever is left.
	)
	return &Renderer{md: md, policy: policy()}
}

// policy allows what the pipeline produces and nothing that runs.
func policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code", "pre", "span", "div", "sup", "li", "a", "section", "ol", "hr")
	p.AllowAttrs("id").Matching(bluemonday.Paragraph).OnElements("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "div", "section")
	p.AllowAttrs("type", "checked", "disabled").OnElements("input")
	p.AllowElements("input", "section")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto")
	return p
}

// HTML renders src to sanitized HTML.
func (r *Renderer) HTML(src string) (string, error) {
	if len(src) > MaxSource {
		return "", fmt.Errorf("markdown: source is %d bytes, more than %d", len(src), MaxSource)
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// Sanitize cleans HTML from elsewhere (a Teams message, a ticket) with the same policy.
func (r *Renderer) Sanitize(html string) string { return r.policy.Sanitize(html) }

// PlainText returns the words of src without markup, for search and snippets.
func (r *Renderer) PlainText(src string) string {
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock && b.Len() > 0 {
				b.WriteByte('\n')
			}
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(source))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.CodeSpan:
			for c := t.FirstChild(); c != nil; c = c.NextSibling() {
				if tx, ok := c.(*ast.Text); ok {
					b.Write(tx.Segment.Value(source))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(source))
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			b.Write(t.URL(source))
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}
