package markdown

import (
	"strings"
	"testing"
)

func TestRenderer_HTML(t *testing.T) {
	r := New()
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{name: "table", src: "| a | b |\n|---|---|\n| 1 | 2 |", want: []string{"<table>", "<td>1</td>"}},
		{name: "task list", src: "- [x] done\n- [ ] todo", want: []string{`type="checkbox"`, "checked"}},
		{name: "heading id", src: "## Root causes", want: []string{`<h2 id="root-causes">`}},
		{name: "script dropped", src: "hi <script>alert(1)</script>", notWant: []string{"<script", "alert(1)</script>"}},
		{name: "event handler dropped", src: `<img src="x" onerror="alert(1)">`, notWant: []string{"onerror"}},
		{name: "javascript link inert", src: "[x](javascript:alert(1))", notWant: []string{"javascript:"}},
		{name: "iframe dropped", src: `<iframe src="https://evil"></iframe>`, notWant: []string{"<iframe"}},
		{name: "links get nofollow", src: "[x](https://example.com)", want: []string{`rel="nofollow`, `href="https://example.com"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.HTML(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in %s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unsafe %q in %s", w, got)
				}
			}
		})
	}
}

func TestRenderer_PlainText(t *testing.T) {
	got := New().PlainText("# Outage\n\nThe **db-01** host ran `OOMKilled`.\n\n```\nERROR 502\n```\n")
	for _, w := range []string{"Outage", "db-01", "OOMKilled", "ERROR 502"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in %q", w, got)
		}
	}
	if strings.ContainsAny(got, "#*`") {
		t.Errorf("markup left in %q", got)
	}
}
