package markdown

import (
	"errors"
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
		{name: "table alignment as attribute", src: "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |",
			want: []string{`<th align="left">a</th>`, `<td align="center">2</td>`, `<td align="right">3</td>`}, notWant: []string{"style="}},
		{name: "task list", src: "- [x] done\n- [ ] todo",
			want: []string{`<input checked="" disabled="" type="checkbox"> done`, `<input disabled="" type="checkbox"> todo`}},
		{name: "strikethrough", src: "~~gone~~", want: []string{"<del>gone</del>"}},
		{name: "autolink url", src: "see https://example.com/x now", want: []string{`<a href="https://example.com/x" rel="nofollow noopener" target="_blank">https://example.com/x</a>`}},
		{name: "autolink www", src: "see www.example.com", want: []string{`href="http://www.example.com"`}},
		{name: "autolink email", src: "mail oncall@example.com", want: []string{`href="mailto:oncall@example.com"`}},
		{name: "autolink ftp not linked", src: "ftp://example.com/x", notWant: []string{"<a"}},
		{name: "footnote", src: "text[^1]\n\n[^1]: the note",
			want: []string{`<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref"`, `<div class="footnotes" role="doc-endnotes">`,
				`<li id="fn:1">`, `<a href="#fnref:1" class="footnote-backref" role="doc-backlink"`}},
		{name: "heading id", src: "## Root causes", want: []string{`<h2 id="root-causes">`}},
		{name: "duplicate heading ids numbered", src: "# A\n\n# A", want: []string{`<h1 id="a">`, `<h1 id="a-1">`}},
		{name: "ordered list start", src: "3. three\n4. four", want: []string{`<ol start="3">`}},
		{name: "highlighted code uses classes", src: "```go\nfunc main() {}\n```",
			want: []string{`<pre tabindex="0" class="chroma"><code>`, `<span class="kd">func</span>`, `<span class="nf">main</span>`}, notWant: []string{"style="}},
		{name: "highlighted code with line numbers", src: "```go {linenos=table,hl_lines=[1]}\nx := 1\n```",
			want: []string{`<table class="lntable">`, `<td class="lntd">`, `<span class="line hl">`}},
		{name: "unknown language stays plain", src: "```nosuchlang\n<b>x</b>\n```", want: []string{`<pre><code class="language-nosuchlang">&lt;b&gt;x&lt;/b&gt;`}},
		{name: "no language stays plain", src: "```\nplain\n```", want: []string{"<pre><code>plain\n</code></pre>"}},
		{name: "code is escaped", src: "```html\n<script>alert(1)</script>\n```", notWant: []string{"<script"}},
		{name: "script dropped", src: "hi <script>alert(1)</script>", notWant: []string{"<script", "alert(1)</script>"}},
		{name: "event handler dropped", src: `<img src="x" onerror="alert(1)">`, notWant: []string{"onerror"}},
		{name: "javascript link inert", src: "[x](javascript:alert(1))", want: []string{"x"}, notWant: []string{"javascript:", "<a"}},
		{name: "entity-encoded javascript link inert", src: "[x](jav&#x09;ascript:alert(1))", notWant: []string{"ascript:", "<a"}},
		{name: "reference link to javascript inert", src: "[x][r]\n\n[r]: JavaScript:alert(1)", notWant: []string{"<a", "ascript:"}},
		{name: "javascript autolink inert", src: "<javascript:alert(1)>", notWant: []string{"<a"}},
		{name: "data image dropped", src: "![x](data:image/svg+xml;base64,PHN2Zz4=)", notWant: []string{"data:", "src="}},
		{name: "iframe dropped", src: `<iframe src="https://evil"></iframe>`, notWant: []string{"<iframe"}},
		{name: "links get nofollow", src: "[x](https://example.com)", want: []string{`rel="nofollow`, `href="https://example.com"`}},
		{name: "relative link kept", src: "[x](/incidents/3)", want: []string{`<a href="/incidents/3" rel="nofollow">x</a>`}},
		{name: "image kept with title", src: `![graph](https://example.com/g.png "CPU: 100%")`, want: []string{`<img src="https://example.com/g.png" alt="graph" title="CPU: 100%">`}},
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
					t.Errorf("unwanted %q in %s", w, got)
				}
			}
			if problem := unsafeHTML(got); problem != "" {
				t.Errorf("unsafe output (%s): %s", problem, got)
			}
		})
	}
}

func TestRenderer_HTMLTooLarge(t *testing.T) {
	r := New()
	if _, err := r.HTML(strings.Repeat("a", MaxSource)); err != nil {
		t.Fatalf("source of exactly MaxSource bytes: %v", err)
	}
	_, err := r.HTML(strings.Repeat("a", MaxSource+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestRenderer_Sanitize(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "formatting kept", in: "<p><b>bold</b> <i>it</i> <u>u</u></p>", want: "<p><b>bold</b> <i>it</i> <u>u</u></p>"},
		{name: "disabled checkbox kept", in: `<input disabled type="checkbox">`, want: `<input disabled="" type="checkbox">`},
		{name: "live checkbox dropped", in: `<input type="checkbox">x`, want: "x"},
		{name: "text input dropped", in: `<input type="text" disabled>x`, want: "x"},
		{name: "input without attributes dropped", in: `<input>x`, want: "x"},
		{name: "arbitrary id dropped", in: `<p id="login">x</p>`, want: "<p>x</p>"},
		{name: "arbitrary class dropped", in: `<p class="modal">x</p><span class="kd evil">y</span>`, want: "<p>x</p><span>y</span>"},
		{name: "chroma classes kept", in: `<span class="line hl">x</span>`, want: `<span class="line hl">x</span>`},
		{name: "style attribute dropped", in: `<p style="position:fixed">x</p>`, want: "<p>x</p>"},
		{name: "style element dropped with content", in: `<style>body{}</style>x`, want: "x"},
		{name: "svg onload dropped", in: `<svg onload="alert(1)"><circle/></svg>x`, want: "x"},
		{name: "vbscript link dropped", in: `<a href="VBScript:msgbox(1)">x</a>`, want: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCSS(t *testing.T) {
	css := CSS()
	for _, w := range []string{".chroma {", ".chroma .kd {", ".chroma .lntd:last-child", "\n/* LineNumbers targeted"} {
		if !strings.Contains(css, w) {
			t.Errorf("CSS lacks %q:\n%s", w, css)
		}
	}
	if strings.Contains(css, "}/*") {
		t.Errorf("two rules on one line:\n%s", css)
	}
}

func TestRenderer_PlainText(t *testing.T) {
	r := New()
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{name: "words and code kept", src: "# Outage\n\nThe **db-01** host ran `OOMKilled`.\n\n```\nERROR 502\n```\n",
			want: []string{"Outage", "db-01", "OOMKilled", "ERROR 502"}, notWant: []string{"#", "*", "`"}},
		{name: "raw html dropped", src: "before <script>alert(1)</script> after", want: []string{"before", "after"}, notWant: []string{"<script", "</script"}},
		{name: "table cells", src: "| host | state |\n|---|---|\n| db-01 | down |", want: []string{"host", "db-01", "down"}, notWant: []string{"|", "---"}},
		{name: "link text and autolink", src: "[runbook](https://x.example/rb) and <https://y.example>", want: []string{"runbook", "https://y.example"}, notWant: []string{"x.example", "]("}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.PlainText(tt.src)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in %q", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unwanted %q in %q", w, got)
				}
			}
		})
	}
}
