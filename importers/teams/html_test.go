package teams

import (
	"encoding/json"
	"testing"
)

func TestHTMLToMarkdown(t *testing.T) {
	var mentions []mention
	if err := json.Unmarshal([]byte(`[
		{"id":0,"mentionText":"Ana","mentioned":{"user":{"id":"u1","displayName":"Ana Lima"}}},
		{"id":1,"mentionText":"Lima","mentioned":{"user":{"id":"u1","displayName":"Ana Lima"}}},
		{"id":2,"mentionText":"SRE","mentioned":{"tag":{"id":"t1","displayName":"SRE on-call"}}},
		{"id":3,"mentionText":"Bo","mentioned":null}
	]`), &mentions); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "hello", want: "hello"},
		{name: "entities", in: "a &amp; b &lt;c&gt; &quot;d&quot; &#128293;", want: `a & b \<c> "d" 🔥`},
		{name: "split mention merged", in: `<at id="0">Ana</at>&nbsp;<at id="1">Lima</at> look`, want: "@Ana Lima look"},
		{name: "tag mention", in: `cc <at id="2">SRE</at>`, want: "cc @SRE on-call"},
		{name: "mention without mentioned", in: `<at id="3">Bo</at>`, want: "@Bo"},
		{name: "unknown mention id", in: `<at id="9">Cy</at>`, want: "@Cy"},
		{name: "link", in: `<a href="https://x.example/a_(b)">the [doc]</a>`, want: `[the \[doc\]](https://x.example/a_%28b%29)`},
		{name: "link with space kept as text", in: `<a href="https://x.example/a b">doc</a>`, want: "doc"},
		{name: "link same as text", in: `<a href="https://x.example">https://x.example</a>`, want: "https://x.example"},
		{name: "unsafe link", in: `<a href="javascript:alert(1)">click</a>`, want: "click"},
		{name: "line breaks", in: "one<br>two<br/>three", want: "one\ntwo\nthree"},
		{name: "paragraphs", in: "<p>one</p><p>two</p><div>three</div>", want: "one\n\ntwo\n\nthree"},
		{name: "whitespace collapsed", in: "<p>  a \n\t b  </p>", want: "a b"},
		{name: "script and style dropped", in: "<style>p{}</style>x<script>alert(1)</script>", want: "x"},
		{name: "pre keeps lines", in: "<pre>a  b\n c</pre>", want: "```\na  b\n c\n```"},
		{name: "list", in: "<ol><li>a</li><li>b</li></ol>", want: "- a\n- b"},
		{name: "table", in: "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>", want: "k | v\n1 | 2"},
		{name: "image", in: `<img src="https://graph.microsoft.com/x" alt="graph">`, want: "[image: graph]"},
		{name: "emoji", in: `ok <emoji id="1f44d" alt="👍" title="Like"></emoji>`, want: "ok 👍"},
		{name: "system event", in: "<systemEventMessage/>", want: ""},
		{name: "unclosed tags", in: "<b>bold <i>it", want: "**bold _it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToMarkdown(tt.in, mentions); got != tt.want {
				t.Errorf("htmlToMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
