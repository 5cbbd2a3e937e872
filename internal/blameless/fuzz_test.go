package blameless

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// FuzzCheck: on any text, every finding is a non-empty span of the body
// that equals its match, and line and column point at it.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"Bob forgot; human error; should have caught; careless; obviously; blame; Dan's mistake; @eve",
		"```\nhuman error\n```\n`careless` `` ` `` ```unclosed",
		"Zürich — ça\r\nhe deployed\n\n> ```\n> x\n",
		"caused by Carol's change due to @a.b- failed to",
		"The root cause was Alice Smith's change; carol jones. bob-x Zoë Ñ alice.smith@x",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, body string, root bool) {
		sec := incident.Section{Key: "s", Title: "S", Body: body}
		if root {
			sec.Block = incident.BlockRootCauses
		}
		people := Options{People: []string{"alice.smith", "@bob", "Carol Jones", "zoë_ñ"}}
		for _, fd := range Check([]incident.Section{sec}, people) {
			if fd.Start < 0 || fd.End > len(body) || fd.Start >= fd.End || body[fd.Start:fd.End] != fd.Match {
				t.Fatalf("bad span %d:%d %q in %q", fd.Start, fd.End, fd.Match, body)
			}
			lines := strings.Split(body, "\n")
			if fd.Line < 1 || fd.Line > len(lines) {
				t.Fatalf("bad line %d in %q", fd.Line, body)
			}
			lineStart := len(strings.Join(lines[:fd.Line-1], "\n"))
			if fd.Line > 1 {
				lineStart++
			}
			if got := utf8.RuneCountInString(body[lineStart:fd.Start]) + 1; got != fd.Column {
				t.Fatalf("column %d, want %d for %q in %q", fd.Column, got, fd.Match, body)
			}
		}
	})
}
