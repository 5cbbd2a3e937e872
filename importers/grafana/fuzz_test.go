package grafana

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse feeds the same bytes to the file importer and the webhook
// parser: nothing may panic, every event must be a valid alert event with
// an id, and every rejection must say where.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		f.Add(importertest.ReadFile(f, p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := importertest.ParseString(New(), "f", string(data), importers.Options{})
		live, _ := importertest.Deliver(t, New(), importers.Delivery{Body: data, ReceivedAt: time.Unix(1714557600, 0)})
		importertest.Check(t, importertest.Want{File: "f", Reason: true, Alert: true}, append(r.Events, live.Events...), r.Rejects)
	})
}
