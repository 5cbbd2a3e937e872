package bugzilla

import (
	"regexp"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// rawTag is HTML that must not survive in a body.
var rawTag = regexp.MustCompile(`(?i)<(script|img|iframe|a|b|p|div)\b`)

// FuzzParse feeds any bytes to the file importer: it may not panic, every
// event must be valid, and no body may carry a raw HTML tag.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"bug.json", "comments.json", "history.json", "combined.json", "captures.jsonl"} {
		f.Add(importertest.ReadFile(f, "testdata/"+name))
	}
	f.Add([]byte(`{"bug":{"id":1,"creation_time":"1700000000","summary":"<b>"},"comments":[{"count":0,"text":"<script>"},{}],"history":[{"when":"0","changes":[{}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := importertest.ParseString(New(), "f.json", string(b), importers.Options{})
		importertest.Check(t, importertest.Want{File: "f.json", Reason: true, Complete: true, Tolerate: []string{"between years"}}, r.Events, r.Rejects)
		for _, e := range r.Events {
			if rawTag.MatchString(e.Body) {
				t.Fatalf("raw HTML in %q", e.Body)
			}
		}
	})
}
