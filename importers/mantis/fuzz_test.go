package mantis

import (
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse feeds any bytes to the importer: no panic, valid events.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"issue.json", "bad.jsonl"} {
		f.Add(importertest.ReadFile(f, "testdata/"+name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := importertest.ParseString(Importer{BaseURL: "https://bugs.example.com"}, "f.json", string(b), importers.Options{})
		importertest.Check(t, importertest.Want{File: "f.json", Reason: true, Complete: true}, r.Events, r.Rejects)
	})
}
