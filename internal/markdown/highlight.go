package markdown

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
)

// codeStyle is the chroma style CSS writes: a light theme that prints well.
const codeStyle = "github"

// highlighter colours fenced code blocks of a known language with chroma,
// using CSS classes (never inline styles, which the policy would strip);
// blocks of an unknown or no language stay plain <pre><code>.
func highlighter() goldmark.Extender {
	return highlighting.NewHighlighting(
		highlighting.WithStyle(codeStyle),
		highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
	)
}

// CSS returns the stylesheet for the highlighting classes the pipeline
// emits (light theme, line numbers included), for HTML exports to embed.
func CSS() string {
	var b strings.Builder
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.WithLineNumbers(true), chromahtml.LineNumbersInTable(true))
	style := styles.Get(codeStyle)
	if style == nil {
		style = styles.Fallback
	}
	// WriteCSS only fails when the writer does; a strings.Builder does not.
	_ = f.WriteCSS(&b, style)
	// chroma ends one rule without a newline; keep one rule per line.
	return strings.ReplaceAll(b.String(), "}/*", "}\n/*")
}

// highlightClasses is every class chroma can put on an element: the token
// classes and the wrapper, line and line-number classes.
func highlightClasses() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range chroma.StandardTypes {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
