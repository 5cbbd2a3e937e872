// Package markdown is Hindsight's one markdown pipeline: goldmark with GFM
// (tables, task lists, strikethrough, autolinks), footnotes, heading ids and
// code highlighting with CSS classes, never WithUnsafe, and a bluemonday
// policy over its output that allows exactly what the pipeline emits, so text
// from chat, alerts, tickets and users renders inert. It also extracts plain
// text for search.
package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// MaxSource bounds the markdown one call renders, in bytes.
const MaxSource = 1 << 20

// ErrTooLarge is returned (wrapped) by HTML for a source over MaxSource.
var ErrTooLarge = errors.New("markdown: source is too large")

// Renderer turns untrusted markdown into safe HTML. It is safe for
// concurrent use; build one in cmd and pass it on.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns the pipeline.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			// GFM, spelled out so each part can be configured.
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:", "mailto:"})),
			// align="…" rather than style="text-align:…": the policy
			// allows no style attribute at all.
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
			extension.Footnote,
			highlighter(),
		),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// No html.WithUnsafe: raw HTML in the source is dropped by goldmark,
		// and the policy cleans whatever is left.
	)
	return &Renderer{md: md, policy: policy()}
}

// HTML renders src to sanitized HTML. A source over MaxSource bytes is an
// error wrapping ErrTooLarge.
func (r *Renderer) HTML(src string) (string, error) {
	if len(src) > MaxSource {
		return "", fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(src), MaxSource)
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	return r.Sanitize(buf.String()), nil
}

// Sanitize cleans HTML from elsewhere (a Teams message, a ticket) with the
// same policy as rendered markdown.
func (r *Renderer) Sanitize(html string) string {
	return onlyDisabledCheckboxes(r.policy.Sanitize(html))
}

// PlainText returns the words of src without markup, for search and snippets.
// Code is kept (error messages in code blocks are what people search for);
// raw HTML is dropped.
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
