package alertmanager

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// FuzzParse feeds the same bytes to the file importer and the webhook
// parser: nothing may panic, every event must be a valid alert event with
// an id, and every rejection must say where.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r importertest.Recorder
		_ = New().Parse(context.Background(), importertest.StringInput("f", string(data)), importers.Options{}, &r)
		for _, rej := range r.Rejects {
			if rej.File != "f" || rej.Line < 1 || rej.Reason == "" {
				t.Fatalf("rejection without position: %#v", rej)
			}
		}
		var live importertest.Recorder
		if err := New().ParseDelivery(context.Background(), importers.Delivery{Body: data, ReceivedAt: time.Unix(1714557600, 0)}, &live); err != nil && len(live.Events) > 0 {
			t.Fatalf("a refused delivery gave %d events", len(live.Events))
		}
		for _, e := range append(r.Events, live.Events...) {
			if e.ExternalID == "" || e.Kind != incident.KindAlert {
				t.Fatalf("incomplete event %#v", e)
			}
			e.Normalize()
			if err := e.Validate(); err != nil {
				t.Fatalf("invalid event %#v: %v", e, err)
			}
		}
	})
}
