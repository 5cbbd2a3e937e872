package report

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
)

// chromiumOrSkip returns the Chromium to test with; without one the test
// is skipped, except under CI, where PDF export must be tested.
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	p, err := FindChromium(os.Getenv("HINDSIGHT_CHROMIUM_PATH"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but no Chromium: %v", err)
		}
		t.Skip(err)
	}
	return p
}

func TestReport_PDF(t *testing.T) {
	path := chromiumOrSkip(t)
	f := newFixture()
	f.rca.Sections[0].Body = "Remote image, never fetched: ![x](https://203.0.113.1/pixel.png)"
	page, err := RenderHTML(f.build(incident.AudiencePublic), markdown.New())
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := PDF(context.Background(), path, page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 1024 {
		t.Errorf("not a PDF: %d bytes, starts %q", len(pdf), pdf[:min(len(pdf), 8)])
	}
}

func TestReport_FindChromium(t *testing.T) {
	_, err := FindChromium("/nonexistent/chromium")
	if !errors.Is(err, ErrPDFUnavailable) {
		t.Errorf("err = %v, want ErrPDFUnavailable", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := FindChromium(""); !errors.Is(err, ErrPDFUnavailable) {
		t.Errorf("empty PATH: err = %v, want ErrPDFUnavailable", err)
	}
}
