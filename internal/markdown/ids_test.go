package markdown

import (
	"strings"
	"testing"
)

func TestPrefixIDs(t *testing.T) {
	r := New()
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{name: "footnotes", src: "Pool limit[^1].\n\n[^1]: max 100 connections",
			want: []string{`id="rc-fn:1"`, `href="#rc-fn:1"`, `id="rc-fnref:1"`, `href="#rc-fnref:1"`}, notWant: []string{`"#fn:1"`}},
		{name: "headings", src: "## Why\n\nSee [why](#why).", want: []string{`id="rc-why"`, `href="#rc-why"`}},
		{name: "external links untouched", src: "[x](https://example.com/#top)", want: []string{`href="https://example.com/#top"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := r.HTML(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got := PrefixIDs(h, "rc")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %s in %s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %s in %s", w, got)
				}
			}
		})
	}
}
