package redmine

import "testing"

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"headings", "h1. Outage\n\nh3. Timeline", "# Outage\n\n### Timeline"},
		{"bold italic strike code", "*bold* and _it_ and -gone- and @x := 1@ here.", "**bold** and *it* and ~~gone~~ and `x := 1` here."},
		{"link", `see "the runbook":https://wiki.example.com/rb.`, "see [the runbook](https://wiki.example.com/rb)."},
		{"bullets", "* one\n** two\n# first\n## second", "- one\n  - two\n1. first\n   1. second"},
		{"quote and para", "bq. they said\np. plain", "> they said\nplain"},
		{"pre", "h2. Log\n<pre><code class=\"go\">\nif a < b {}\n</code></pre>", "## Log\n\n```\nif a < b {}\n```"},
		{"pre with backticks", "<pre>```x```</pre>", "````\n```x```\n````"},
		{"html stripped", "<p>Hi <b>there</b> &amp; <a href=\"javascript:x\">click</a></p><script>alert(1)</script>", "Hi there & click"},
		{"markdown kept", "# Title\n\n**bold** and [l](https://x.example)\n\n1. one", "# Title\n\n**bold** and [l](https://x.example)\n\n1. one"},
		{"literal lt", "a < b and <notatag", "a < b and &lt;notatag"},
		{"image", "h2. Shot\n!https://x.example/a.png! and !local.png!", "## Shot\n[image](https://x.example/a.png) and [image: local.png]"},
		{"crlf", "h1. A\r\n\r\n\r\n\r\nb", "# A\n\nb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Markdown(tt.in); got != tt.want {
				t.Errorf("Markdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkdown_MarkdownTextStays(t *testing.T) {
	in := "The *api* was down, see [the graph](https://grafana.example.com/d/1).\n\n```\n# not a list\n```"
	if got := Markdown(in); got != in {
		t.Errorf("Markdown(%q) = %q, want it unchanged", in, got)
	}
	if got := Markdown("h2. Impact\n\nThe *api* was down."); got != "## Impact\n\nThe **api** was down." {
		t.Errorf("textile: %q", got)
	}
}
