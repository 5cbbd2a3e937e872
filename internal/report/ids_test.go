package report

import (
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/markdown"
)

// TestRenderSectionsHTML_AnchorsDoNotCollide: two sections with a footnote
// each link to their own footnote on a shared page.
func TestRenderSectionsHTML_AnchorsDoNotCollide(t *testing.T) {
	d := Document{Sections: []Section{
		{Key: "impact", Title: "Impact", Body: "Slow[^1].\n\n[^1]: p99 over 2s"},
		{Key: "root-causes", Title: "Root causes", Body: "Pool[^1].\n\n[^1]: max 100"},
	}}
	if err := RenderSectionsHTML(&d, markdown.New()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ section, want string }{
		{"impact", `href="#s-impact-fn:1"`},
		{"root-causes", `href="#s-root-causes-fn:1"`},
	} {
		t.Run(tt.section, func(t *testing.T) {
			var html string
			for _, s := range d.Sections {
				if s.Key == tt.section {
					html = s.HTML
				}
			}
			if !strings.Contains(html, tt.want) {
				t.Fatalf("missing %s in %s", tt.want, html)
			}
		})
	}
}
