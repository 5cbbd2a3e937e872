package redmine

import (
	"regexp"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// rawTag is HTML that must not survive outside code fences.
var rawTag = regexp.MustCompile(`(?i)<(script|img|iframe|a|b|p|div)\b`)

// FuzzParse feeds any bytes to the file importer: it may not panic, and
// every event must be valid.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"issue.json", "combined.json", "issues.json", "captures.jsonl"} {
		f.Add(importertest.ReadFile(f, "testdata/"+name))
	}
	f.Add([]byte(`{"issue":{"id":1,"subject":"<b>x</b>","description":"<pre>` + "```" + `</pre><script>","created_on":"1700000000","journals":[{"id":"j","created_on":"0","details":[{}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := importertest.ParseString(New(), "f.json", string(b), importers.Options{})
		importertest.Check(t, importertest.Want{File: "f.json", Reason: true, Complete: true, Tolerate: []string{"between years"}}, r.Events, r.Rejects)
	})
}

// FuzzMarkdown checks the Textile converter never panics and leaves no
// raw HTML tag outside code fences.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"h1. x\n* *b* _i_ \"l\":https://x.example", "<pre>a</pre><script>x</script>", "<<b>>", "@@ -- __ ** !!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Markdown(s)
		if !regexp.MustCompile("(?s)```").MatchString(out) && rawTag.MatchString(out) {
			t.Fatalf("raw HTML in %q", out)
		}
	})
}
