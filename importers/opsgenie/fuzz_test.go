package opsgenie

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse feeds any bytes to the file importer and the webhook parser:
// neither may panic, and every event they emit must be valid.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"webhook_create.json", "webhooks.jsonl", "webhook_escalate.json", "alert.json", "alerts_list.json", "alert_logs.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(r *importertest.Recorder) {
			for _, e := range r.Events {
				if err := e.Validate(); err != nil {
					t.Fatalf("invalid event %+v: %v", e, err)
				}
			}
		}
		var r importertest.Recorder
		_ = New().Parse(context.Background(), importertest.StringInput("f.json", string(b)), importers.Options{}, &r)
		check(&r)
		var h importertest.Recorder
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: b, ReceivedAt: time.Unix(1700000000, 0)}, &h)
		check(&h)
	})
}
