package zabbix

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzParse checks that no input panics and that every event is one the
// timeline accepts, from files and deliveries alike.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/webhook_problem.json", "testdata/webhooks.jsonl", "testdata/event_get.json", "testdata/problem_get.json", "testdata/custom_mapping.json"} {
		f.Add(mustRead(f, p))
	}
	f.Add(`{"event_id":"1","event_value":"0","event_recovery_timestamp":"1709370900","event_tags":"a:b,hindsight:INC-1"}`)
	f.Add(`[{"eventid":"1","clock":"1","ns":"x","acknowledges":[{"action":"-1"}]}]`)
	f.Fuzz(func(t *testing.T, data string) {
		var r importertest.Recorder
		_ = New().Parse(context.Background(), importertest.StringInput("f.json", data), importers.Options{Mapping: map[string]string{"title": "a.b"}}, &r)
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(data), ReceivedAt: time.Unix(1700000000, 0)}, &r)
		for _, e := range r.Events {
			if e.ExternalID == "" || e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" || e.ThreadID == "" {
				t.Fatalf("incomplete event %#v", e)
			}
			e.Normalize()
			if err := e.Validate(); err != nil && !strings.Contains(err.Error(), "occurred_at") && !strings.Contains(err.Error(), "characters") {
				t.Fatalf("invalid event %#v: %v", e, err)
			}
		}
		for _, rej := range r.Rejects {
			if rej.File != "f.json" || rej.Line < 1 {
				t.Fatalf("rejection without position: %#v", rej)
			}
		}
	})
}
