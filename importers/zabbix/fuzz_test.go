package zabbix

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse checks that no input panics and that every event is one the
// timeline accepts, from files and deliveries alike.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/webhook_problem.json", "testdata/webhooks.jsonl", "testdata/event_get.json", "testdata/problem_get.json", "testdata/custom_mapping.json"} {
		f.Add(string(importertest.ReadFile(f, p)))
	}
	f.Add(`{"event_id":"1","event_value":"0","event_recovery_timestamp":"1709370900","event_tags":"a:b,hindsight:INC-1"}`)
	f.Add(`[{"eventid":"1","clock":"1","ns":"x","acknowledges":[{"action":"-1"}]}]`)
	f.Fuzz(func(t *testing.T, data string) {
		r := importertest.ParseString(New(), "f.json", data, importers.Options{Mapping: map[string]string{"title": "a.b"}})
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(data), ReceivedAt: time.Unix(1700000000, 0)}, r)
		importertest.Check(t, importertest.Want{File: "f.json", Complete: true, Tolerate: []string{"occurred_at", "characters"}}, r.Events, r.Rejects)
	})
}
