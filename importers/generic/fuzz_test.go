package generic

import (
	"context"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"os"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
)

// FuzzParse feeds the same bytes to both importers: nothing may panic, every
// event needs a time, text and an external id, and every rejection a line.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/timeline.csv", "testdata/semicolon.csv", "testdata/events.jsonl"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, data string) {
		for _, imp := range []importers.Importer{NewCSV(), NewJSONL()} {
			var r recorder
			_ = imp.Parse(context.Background(), importertest.StringInput("f", data), importers.Options{}, &r)
			for _, e := range r.Events {
				if e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" || e.ExternalID == "" {
					t.Fatalf("%s: incomplete event %#v", imp.Source(), e)
				}
				e.Normalize()
				if err := e.Validate(); err != nil && !strings.Contains(err.Error(), "characters") && !strings.Contains(err.Error(), "bytes") {
					t.Fatalf("%s: invalid event %#v: %v", imp.Source(), e, err)
				}
			}
			for _, rej := range r.Rejects {
				if rej.File != "f" || rej.Line < 1 {
					t.Fatalf("%s: rejection without position: %#v", imp.Source(), rej)
				}
			}
		}
	})
}
