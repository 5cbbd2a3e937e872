package teams

import (
	"context"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
)

// FuzzParse checks that no input panics and that every event is one the
// timeline accepts, with no raw HTML tag left in the body.
func FuzzParse(f *testing.F) {
	page, err := os.ReadFile("testdata/channel_messages.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(page))
	f.Add(`[{"id":"1","createdDateTime":"2024-11-20T10:00:00Z","body":{"contentType":"html","content":"<at id=\"0\">A</at><a href=\"https://x\">y</a>"},"mentions":[{"id":0,"mentionText":"A"}]}]`)
	f.Add(`{"value":[{"id":"1","replies":[{"id":"2"}]}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		var r recorder
		_ = New().Parse(context.Background(), importertest.StringInput("f.json", data), importers.Options{}, &r)
		for _, e := range r.Events {
			if e.ExternalID == "" || e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" {
				t.Fatalf("incomplete event %#v", e)
			}
			e.Normalize()
			if err := e.Validate(); err != nil && !strings.Contains(err.Error(), "occurred_at") && !strings.Contains(err.Error(), "characters") {
				t.Fatalf("invalid event %#v: %v", e, err)
			}
			if tagRe.MatchString(e.Body) {
				t.Fatalf("raw tag in body %q", e.Body)
			}
		}
		for _, rej := range r.Rejects {
			if rej.File != "f.json" || rej.Line < 1 {
				t.Fatalf("rejection without position: %#v", rej)
			}
		}
	})
}

// tagRe finds an unescaped "<tag" that markdown would treat as raw HTML.
var tagRe = regexp.MustCompile(`(^|[^\\])<[A-Za-z/!?]`)
