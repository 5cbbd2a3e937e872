package icinga

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

// FuzzParse checks that no input panics, that every event is one the
// timeline accepts, and that a delivery is all or nothing.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/events.jsonl", "testdata/events_array.json", "testdata/nagios_macros.json"} {
		f.Add(string(importertest.ReadFile(f, p)))
	}
	f.Add(`{"type":"Flapping","host":"h","service":"s","timestamp":1e300}`)
	f.Add(`{"type":"DowntimeAdded","timestamp":"-1","downtime":{"host_name":"h","start_time":9e18}}`)
	f.Add(`{"NOTIFICATIONTYPE":"PROBLEM","HOSTNAME":"h","LONGDATETIME":"Mon Jan 15 12:30:45 UTC 2024"}`)
	f.Fuzz(func(t *testing.T, data string) {
		r := importertest.ParseString(New(), "f.json", data, importers.Options{})
		importertest.Check(t, importertest.Want{File: "f.json", Reason: true}, r.Events, r.Rejects)
		for _, e := range r.Events {
			if e.ThreadID == "" && e.Metadata["alert_id"] != nil {
				t.Fatalf("incomplete event %#v", e)
			}
			e.Normalize()
			if tagRe.MatchString(e.Body) {
				t.Fatalf("raw tag in body %q", e.Body)
			}
		}
		_, err := importertest.Deliver(t, New(), importers.Delivery{ContentType: "application/json", Body: []byte(data)})
		if err != nil && strings.TrimSpace(err.Error()) == "" {
			t.Fatal("error without text")
		}
	})
}

// tagRe finds an unescaped "<tag" that markdown would treat as raw HTML.
var tagRe = regexp.MustCompile(`(^|[^\\])<[A-Za-z/!?]`)
