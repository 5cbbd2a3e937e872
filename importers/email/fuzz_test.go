package email

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// tagRe finds an unescaped "<tag" that markdown would treat as raw HTML.
var tagRe = regexp.MustCompile(`(^|[^\\])<[A-Za-z/!?]`)

// FuzzParse checks that no mbox or message panics the parser, that every
// event is one the timeline accepts, and that no raw HTML gets through.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/alerts.mbox", "testdata/nagios_recovery.eml"} {
		f.Add(importertest.ReadFile(f, p))
	}
	f.Add([]byte("Subject: =?utf-8?b?w7w=?= ALERT\nContent-Type: multipart/alternative; boundary=x\nDate: Mon, 15 Jan 2024 12:00:00 +0000\n\n--x\nContent-Type: text/html; charset=koi8-r\nContent-Transfer-Encoding: base64\n\nPGI+aGk8L2I+\n--x--\n"))
	f.Add([]byte("From a Mon Jan 15 12:00:00 2024\nSubject: [PROBLEM] Host h is DOWN!\n\nWhen: Mon Jan 15 12:00:00 ABC 2024\nHost: h\n"))
	f.Add([]byte("Date: x\nSubject: NORMAL: a [b] restored to normal threshold\nContent-Type: text/plain; charset=\"\"\nContent-Transfer-Encoding: quoted-printable\n\n=ZZ=3D<script>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := importertest.ParseString(New(), "f.mbox", string(data), importers.Options{Location: time.UTC})
		importertest.Check(t, importertest.Want{File: "f.mbox", Reason: true}, r.Events, r.Rejects)
		for _, e := range r.Events {
			if strings.TrimSpace(e.Body) == "" || e.Metadata["subtype"] == nil {
				t.Fatalf("incomplete event %#v", e)
			}
			e.Normalize()
			if tagRe.MatchString(e.Body) {
				t.Fatalf("raw tag in body %q", e.Body)
			}
		}
	})
}

// FuzzHTMLToText checks that converted HTML holds no tag once escaped.
func FuzzHTMLToText(f *testing.F) {
	f.Add(`<p>a<b>b</b><a href="https://x">y</a></p><script>x</script>&lt;img src=x&gt;`)
	f.Add(`<table><tr><td><pre>  x  </pre></td></tr></table>`)
	f.Fuzz(func(t *testing.T, s string) {
		a := mailAlert{}
		a.Details = htmlToText(s)
		finish(&a, &message{})
		if tagRe.MatchString(a.Details) {
			t.Fatalf("raw tag in %q", a.Details)
		}
	})
}
