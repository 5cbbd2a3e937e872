package pagerduty

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse feeds any bytes to the file importer and the webhook parser:
// neither may panic, and every event they emit must be valid.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"v3_triggered.json", "v3_events.jsonl", "v2_webhook.json", "log_entries.json", "log_entry.json", "bad.jsonl"} {
		f.Add(importertest.ReadFile(f, "testdata/"+name))
	}
	f.Add([]byte(`[{"type":"x_log_entry","created_at":"1700000000","incident":{"id":"Q"}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(r *importertest.Recorder) {
			for _, e := range r.Events {
				if err := e.Validate(); err != nil {
					t.Fatalf("invalid event %+v: %v", e, err)
				}
			}
		}
		check(importertest.ParseString(New(), "f.json", string(b), importers.Options{}))
		var h importertest.Recorder
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: b, ReceivedAt: time.Unix(1700000000, 0)}, &h)
		check(&h)
	})
}
