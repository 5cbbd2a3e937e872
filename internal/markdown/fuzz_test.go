package markdown

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// nastySeeds are inputs that have broken markdown sanitizers elsewhere.
var nastySeeds = []string{
	"<script>alert(1)</script>",
	"<SCRIPT SRC=//evil/x.js></SCRIPT>",
	"<scr<script>ipt>alert(1)</script>",
	`<img src=x onerror=alert(1)>`,
	`<IMG SRC="x" ONERROR="alert(1)">`,
	`<img src="x" onerror  =  "alert(1)" />`,
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](  javascript:alert(1)  )",
	"[x](&#106;avascript:alert(1))",
	"[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
	"[x](jav&#x09;ascript:alert(1))",
	"[x](jav&#x0A;ascript:alert(1))",
	"[x](java\u0000script:alert(1))",
	"[x](\\javascript:alert(1))",
	"[x](vbscript:msgbox(1))",
	"[x](VBScript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"![x](javascript:alert(1))",
	"![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
	"![x](DATA:text/html,<script>alert(1)</script>)",
	"[x][r]\n\n[r]: javascript:alert(1)",
	"[x][r]\n\n[r]: <jav&#x09;ascript:alert(1)> \"t\"",
	"![x][r]\n\n[r]: vbscript:msgbox(1)",
	"<javascript:alert(1)>",
	"<JAVASCRIPT:alert(1)>",
	"<data:text/html,<script>alert(1)</script>>",
	"https://example.com/\"onmouseover=\"alert(1)",
	"www.example.com/<script>alert(1)</script>",
	"<iframe src=\"https://evil\"></iframe>",
	"<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
	"<object data=\"x.swf\"></object><embed src=\"x.swf\">",
	"<svg onload=alert(1)>",
	"<svg><script>alert(1)</script></svg>",
	"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<a href="&#14;javascript:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="java&#13;script:alert(1)">x</a>`,
	`<a href="javascript&colon;alert(1)">x</a>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<div style="position:fixed;top:0">x</div>`,
	"<style>*{display:none}</style>",
	"<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>x</button></form>",
	"<details open ontoggle=alert(1)>",
	"<base href=\"javascript:alert(1)//\">",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"<input type=\"text\" onfocus=\"alert(1)\" autofocus>",
	"- [x] <input type=text autofocus onfocus=alert(1)>",
	"<!-- <img src=x onerror=alert(1)> -->",
	"<![CDATA[<script>alert(1)</script>]]>",
	"```html\n<script>alert(1)</script>\n```",
	"```go {linenos=table,hl_lines=[1],style=\"><script>alert(1)</script>\"}\nx\n```",
	"```\"><img src=x onerror=alert(1)>\nx\n```",
	"`<script>alert(1)</script>`",
	"# <img src=x onerror=alert(1)>\n\n## javascript:alert(1)",
	"| <script>alert(1)</script> | [x](javascript:alert(1)) |\n|---|---|\n| a | b |",
	"text[^<img src=x onerror=alert(1)>]\n\n[^<img src=x onerror=alert(1)>]: note",
	"[x](https://example.com \"title\" onclick=\"alert(1)\")",
	"[x](https://example.com \"a\\\" onclick=\\\"alert(1)\")",
	"<a href=\"https://example.com\" onclick=\"alert(1)\">x</a>",
	"<<script>script>alert(1)<</script>/script>",
	"\x00<script>alert(1)</script>",
}

// forbiddenTags never appear in the output, in any case.
var forbiddenTags = []string{"<script", "<iframe", "<object", "<embed", "<style", "<svg", "<math",
	"<form", "<base", "<link", "<meta", "<frame", "<applet", "<button", "<textarea", "<select"}

// urlAttrs are the attributes a browser follows as a URL.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "action": true, "formaction": true,
	"poster": true, "background": true, "data": true, "xlink:href": true, "srcset": true, "ping": true,
	"lowsrc": true, "dynsrc": true, "longdesc": true, "codebase": true}

var schemeRe = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)

// unsafeHTML returns what is unsafe in out, or "" when nothing is: a
// forbidden element, an event handler or style attribute, or a URL whose
// scheme (entity-decoded, with the tabs and newlines browsers ignore
// removed, trimmed, lower-cased) is not http, https or mailto.
func unsafeHTML(out string) string {
	lower := strings.ToLower(out)
	for _, tag := range forbiddenTags {
		if strings.Contains(lower, tag) {
			return "element " + tag
		}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"):
					return "event handler " + a.Key + " on <" + tok.Data + ">"
				case key == "style", key == "srcdoc":
					return a.Key + " attribute on <" + tok.Data + ">"
				case urlAttrs[key]:
					if s := badScheme(a.Val); s != "" {
						return "scheme " + s + " in " + a.Key + " on <" + tok.Data + ">"
					}
				}
			}
		}
	}
}

// badScheme returns the scheme of an attribute value (already
// entity-decoded by the tokenizer) unless it is allowed or the URL is
// relative.
func badScheme(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.ToLower(strings.TrimFunc(v, func(r rune) bool { return r <= ' ' }))
	i := strings.IndexByte(v, ':')
	if i < 0 || strings.ContainsAny(v[:i], "/?#") {
		return "" // relative
	}
	scheme := v[:i]
	if !schemeRe.MatchString(scheme) {
		return "malformed " + scheme
	}
	switch scheme {
	case "http", "https", "mailto":
		return ""
	}
	return scheme
}

// FuzzHTML feeds arbitrary input through the markdown pipeline and through
// Sanitize, and fails if anything that can run comes out.
func FuzzHTML(f *testing.F) {
	for _, s := range nastySeeds {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.HTML(src)
		switch {
		case errors.Is(err, ErrTooLarge) && len(src) > MaxSource:
			return
		case err != nil:
			t.Fatalf("HTML(%q): %v", src, err)
		}
		if p := unsafeHTML(out); p != "" {
			t.Fatalf("HTML(%q) is unsafe (%s): %s", src, p, out)
		}
		if p := unsafeHTML(r.Sanitize(src)); p != "" {
			t.Fatalf("Sanitize(%q) is unsafe (%s): %s", src, p, r.Sanitize(src))
		}
	})
}

// TestUnsafeHTML makes sure the fuzz oracle catches what it must, so a
// passing fuzz run means something.
func TestUnsafeHTML(t *testing.T) {
	tests := []struct {
		name   string
		html   string
		unsafe bool
	}{
		{name: "plain", html: `<p><a href="https://x">x</a> <a href="/rel">r</a> <a href="#fn:1">f</a> <a href="mailto:a@b">m</a></p>`},
		{name: "script", html: "<p><SCRIPT>x</SCRIPT></p>", unsafe: true},
		{name: "iframe", html: `<iframe src="https://x"></iframe>`, unsafe: true},
		{name: "handler", html: `<img src="x" OnError="y">`, unsafe: true},
		{name: "style attribute", html: `<p style="color:red">x</p>`, unsafe: true},
		{name: "javascript href", html: `<a href="javascript:x">x</a>`, unsafe: true},
		{name: "entity-encoded tab", html: `<a href="jav&#x09;ascript:x">x</a>`, unsafe: true},
		{name: "mixed case spaced", html: `<a href="  JaVaScRiPt:x">x</a>`, unsafe: true},
		{name: "vbscript src", html: `<img src="VBSCRIPT:x">`, unsafe: true},
		{name: "data src", html: `<img src="data:image/png;base64,AA">`, unsafe: true},
		{name: "colon in path is relative", html: `<a href="/a:b">x</a>`},
		{name: "colon in query is relative", html: `<a href="?q=a:b">x</a>`},
		{name: "escaped text is fine", html: `<p>&lt;script&gt; onclick=x javascript:y</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unsafeHTML(tt.html)
			if (got != "") != tt.unsafe {
				t.Errorf("unsafeHTML(%q) = %q, want unsafe=%v", tt.html, got, tt.unsafe)
			}
		})
	}
}
