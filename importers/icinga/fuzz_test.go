package icinga

import (
	"context"
	"os"
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
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"type":"Flapping","host":"h","service":"s","timestamp":1e300}`)
	f.Add(`{"type":"DowntimeAdded","timestamp":"-1","downtime":{"host_name":"h","start_time":9e18}}`)
	f.Add(`{"NOTIFICATIONTYPE":"PROBLEM","HOSTNAME":"h","LONGDATETIME":"Mon Jan 15 12:30:45 UTC 2024"}`)
	f.Fuzz(func(t *testing.T, data string) {
		var r importertest.Recorder
		_ = New().Parse(context.Background(), importertest.StringInput("f.json", data), importers.Options{}, &r)
		for _, e := range r.Events {
			if e.ExternalID == "" || e.ThreadID == "" && e.Metadata["alert_id"] != nil {
				t.Fatalf("incomplete event %#v", e)
			}
			e.Normalize()
			if err := e.Validate(); err != nil {
				t.Fatalf("invalid event %#v: %v", e, err)
			}
			if tagRe.MatchString(e.Body) {
				t.Fatalf("raw tag in body %q", e.Body)
			}
		}
		for _, rej := range r.Rejects {
			if rej.File != "f.json" || rej.Line < 1 || rej.Reason == "" {
				t.Fatalf("rejection without position: %#v", rej)
			}
		}
		var d importertest.Recorder
		err := New().ParseDelivery(context.Background(), importers.Delivery{ContentType: "application/json", Body: []byte(data)}, &d)
		if err != nil && len(d.Events) > 0 {
			t.Fatalf("refused delivery handed over %d events", len(d.Events))
		}
		if err != nil && strings.TrimSpace(err.Error()) == "" {
			t.Fatal("error without text")
		}
	})
}

// tagRe finds an unescaped "<tag" that markdown would treat as raw HTML.
var tagRe = regexp.MustCompile(`(^|[^\\])<[A-Za-z/!?]`)
