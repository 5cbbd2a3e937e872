package calls

import (
	"context"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
)

// FuzzParse checks that no transcript panics, that every event is dated at
// or after the call start and has text, and that rejections have a line.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/bridge.vtt", "testdata/bridge.srt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>x</v>\n")
	start := time.Date(2024, 11, 20, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data string) {
		var r recorder
		_ = New().Parse(context.Background(), importertest.StringInput("f.vtt", data), importers.Options{CallStart: &start}, &r)
		for _, e := range r.Events {
			if e.OccurredAt.Before(start) || strings.TrimSpace(e.Body) == "" || !strings.HasPrefix(e.ExternalID, "f.vtt#") {
				t.Fatalf("bad event %#v", e)
			}
			e.Normalize()
			if err := e.Validate(); err != nil && !strings.Contains(err.Error(), "characters") {
				t.Fatalf("invalid event %#v: %v", e, err)
			}
		}
		for _, rej := range r.Rejects {
			if rej.File != "f.vtt" || rej.Line < 1 || rej.Field == "" {
				t.Fatalf("rejection without position: %#v", rej)
			}
		}
	})
}
