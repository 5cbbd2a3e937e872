package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/markdown"
)

// TestAPI_Render checks what POST /render returns for markdown, decoded
// from the JSON (which escapes < and >).
func TestAPI_Render(t *testing.T) {
	h := newTestHandler(t)
	tests := []struct {
		name     string
		markdown string
		want     []string
		notWant  []string
		wantText string
	}{
		{name: "gfm", markdown: "## Impact\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] paged\n\n~~old~~ https://status.example.com",
			want: []string{`<h2 id="impact">Impact</h2>`, `<th align="left">a</th>`, `<input checked="" disabled="" type="checkbox">`,
				"<del>old</del>", `<a href="https://status.example.com" rel="nofollow noopener" target="_blank">`},
			wantText: "Impact a b 1 2 paged old https://status.example.com"},
		{name: "highlighted code", markdown: "```sql\nSELECT 1;\n```",
			want: []string{`class="chroma"`, `<span class="k">SELECT</span>`}, notWant: []string{"style="}},
		{name: "script and handlers inert", markdown: "<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) <iframe src=//evil>",
			notWant: []string{"<script", "onerror", "javascript:", "<iframe", "<img"}},
		{name: "empty", markdown: "", wantText: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"markdown": tt.markdown})
			out := mustDo(t, h, http.StatusOK, "POST", "/api/v1/render", string(body))
			var got struct{ HTML, Text string }
			decodeTestJSON(t, out, &got)
			for _, w := range tt.want {
				if !strings.Contains(got.HTML, w) {
					t.Errorf("html lacks %q: %s", w, got.HTML)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got.HTML, w) {
					t.Errorf("html has %q: %s", w, got.HTML)
				}
			}
			if tt.wantText != "" && got.Text != tt.wantText {
				t.Errorf("text = %q, want %q", got.Text, tt.wantText)
			}
		})
	}
}

func TestAPI_RenderErrors(t *testing.T) {
	h := newTestHandler(t)
	tooLong, _ := json.Marshal(map[string]string{"markdown": strings.Repeat("a", markdown.MaxSource+1)})
	runScenarios(t, h, []scenario{
		{name: "markdown over the limit", method: "POST", url: "/api/v1/render", body: string(tooLong),
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"markdown_too_large"`, `"markdown":"must be at most 1048576 bytes"`}},
		{name: "unknown field", method: "POST", url: "/api/v1/render", body: `{"markdown":"x","unsafe":true}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"unsafe":"unknown field"`}},
		{name: "wrong type", method: "POST", url: "/api/v1/render", body: `{"markdown":3}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"markdown":"must be a string"`}},
		{name: "no body", method: "POST", url: "/api/v1/render",
			wantStatus: http.StatusBadRequest, wantContains: []string{`"code":"malformed_json"`}},
		{name: "GET not allowed", method: "GET", url: "/api/v1/render", wantStatus: http.StatusMethodNotAllowed},
	})

	small := New(Deps{testIdentity: testUser, Service: newTestService(t), MaxBodyBytes: 100})
	runScenarios(t, small, []scenario{
		{name: "body over the global limit", method: "POST", url: "/api/v1/render", body: `{"markdown":"` + strings.Repeat("a", 200) + `"}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"body_too_large"`}},
	})
}
