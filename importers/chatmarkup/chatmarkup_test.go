package chatmarkup

import (
	"testing"
)

func TestMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "hello", want: "hello"},
		{name: "entities", in: "a &lt;b&gt; &amp; &quot;c&quot; &#x1F600;", want: `a \<b> & "c" 😀`},
		{name: "link text equals href", in: `<a href="https://x.example/a">https://x.example/a</a>`, want: "https://x.example/a"},
		{name: "javascript link keeps text only", in: `<a href="javascript:alert(1)">click</a>`, want: "click"},
		{name: "link with brackets", in: `<a href="https://x.example/(a)">see [this]</a>`, want: `[see \[this\]](https://x.example/%28a%29)`},
		{name: "nested bold italic strike", in: "<b><i>x</i></b> <s>old</s>", want: "**_x_** ~~old~~"},
		{name: "mention without name", in: `<at id="8:live:bob"></at> hi`, want: "@live:bob hi"},
		{name: "pre", in: "<pre>line1\nline2</pre>", want: "```\nline1\nline2\n```"},
		{name: "raw script tag dropped, text kept", in: "<script>alert(1)</script>ok", want: "ok"},
		{name: "unclosed tag is text", in: "a <b", want: `a \<b`},
		{name: "stray close tag", in: "a</b> c", want: "a c"},
		{name: "lone lt", in: "x < 3", want: "x < 3"},
		{name: "lt before a dropped tag", in: "<<A>A0", want: `\<A0`},
		{name: "mention id with markup", in: `<at id="8:<b>"></at>`, want: `@\<b>`},
		{name: "emoticon", in: `<ss type="like">(like)</ss>`, want: "(like)"},
		{name: "attribute with gt in quotes", in: `<a href="https://x.example/?a=1>2">t</a>`, want: "[t](https://x.example/?a=1>2)"},
		{name: "br and paragraphs", in: "<p>a</p><p>b<br/>c</p>", want: "a\nb\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Markdown(tt.in); got != tt.want {
				t.Errorf("Markdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzMarkdown(f *testing.F) {
	f.Add(`<b>x</b> <a href="https://a.example">y</a> &lt;script&gt;`)
	f.Fuzz(func(t *testing.T, s string) {
		out := Markdown(s)
		for i := 0; i+1 < len(out); i++ {
			c := out[i+1]
			if out[i] == '<' && (i == 0 || out[i-1] != '\\') && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?') {
				t.Fatalf("Markdown(%q) = %q holds a raw tag", s, out)
			}
		}
	})
}
