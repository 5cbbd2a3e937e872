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
		{name: "images of other sites become links (the CSP blocks them)", markdown: "![a \"q\" <b> & c](https://ex.com/p.png?a=1&b=2 \"t\") ![](HTTP://ex.com/n.png) ![rel](/x.png)",
			want: []string{`<a href="https://ex.com/p.png?a=1&amp;b=2" rel="nofollow noopener" target="_blank">Image: a &#34;q&#34;  &amp; c</a>`,
				`<a href="http://ex.com/n.png" rel="nofollow noopener" target="_blank">Image: image</a>`, `<img src="/x.png" alt="rel">`},
			notWant: []string{`<img src="https`, `<img src="http:`, "<b>"}},
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
		{name: "id_prefix with a quote", method: "POST", url: "/api/v1/render", body: `{"markdown":"x","id_prefix":"a\"b"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"code":"validation_failed"`, `"id_prefix":"must be`}},
		{name: "id_prefix upper case", method: "POST", url: "/api/v1/render", body: `{"markdown":"x","id_prefix":"S-Impact"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"id_prefix":"must be`}},
		{name: "id_prefix too long", method: "POST", url: "/api/v1/render", body: `{"markdown":"x","id_prefix":"` + strings.Repeat("a", 81) + `"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"id_prefix":"must be`}},
		{name: "id_prefix wrong type", method: "POST", url: "/api/v1/render", body: `{"markdown":"x","id_prefix":1}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"id_prefix":"must be a string"`}},
	})

	small := New(Deps{testIdentity: testUser, Service: newTestService(t), MaxBodyBytes: 100})
	runScenarios(t, small, []scenario{
		{name: "body over the global limit", method: "POST", url: "/api/v1/render", body: `{"markdown":"` + strings.Repeat("a", 200) + `"}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"body_too_large"`}},
	})
}

// TestAPI_RenderIDPrefix checks that id_prefix keeps the anchors of two
// previews on one page apart: every id and every in-page link is prefixed,
// and without it the HTML is as before.
func TestAPI_RenderIDPrefix(t *testing.T) {
	h := newTestHandler(t)
	md := "## Impact\n\nSee the note[^1] and [impact](#impact).\n\n[^1]: The note.\n"
	render := func(prefix string) string {
		t.Helper()
		in := map[string]string{"markdown": md}
		if prefix != "" {
			in["id_prefix"] = prefix
		}
		body, _ := json.Marshal(in)
		out := mustDo(t, h, http.StatusOK, "POST", "/api/v1/render", string(body))
		var got struct{ HTML string }
		decodeTestJSON(t, out, &got)
		return got.HTML
	}
	plain := render("")
	if !strings.Contains(plain, `id="impact"`) || !strings.Contains(plain, `href="#impact"`) {
		t.Fatalf("without a prefix the ids are plain: %s", plain)
	}
	got := render("s-impact-")
	for _, w := range []string{`id="s-impact--impact"`, `href="#s-impact--impact"`, `id="s-impact--fn:1"`, `href="#s-impact--fn:1"`, `href="#s-impact--fnref:1"`} {
		if !strings.Contains(got, w) {
			t.Errorf("html lacks %q: %s", w, got)
		}
	}
	for _, bad := range []string{`id="impact"`, `id="fn:1"`, `href="#fn:1"`, `href="#impact"`} {
		if strings.Contains(got, bad) {
			t.Errorf("html keeps the unprefixed %q: %s", bad, got)
		}
	}
	if got == plain || strings.ReplaceAll(got, "s-impact--", "") != plain {
		t.Errorf("the prefix should be the only difference:\n%s\n%s", plain, got)
	}
}
