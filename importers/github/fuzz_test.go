package github

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse feeds any bytes to the file importer and the webhook parser:
// neither may panic, and every event must be valid.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"issue.json", "comments.json", "issue_events.jsonl", "combined.json", "webhook_issues.jsonl", "webhook_comment.json", "bad.jsonl"} {
		f.Add(importertest.ReadFile(f, "testdata/"+name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := importertest.ParseString(New(), "f.json", string(b), importers.Options{})
		importertest.Check(t, importertest.Want{File: "f.json", Reason: true, Complete: true}, r.Events, r.Rejects)
		var h importertest.Recorder
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: b, ReceivedAt: time.Unix(1700000000, 0)}, &h)
		importertest.Check(t, importertest.Want{Complete: true}, h.Events, nil)
	})
}
