package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/report"
)

// seedReport creates INC-1 with secrets in every internal-only field, a
// starred event, a root cause, an action and an RCA.
func seedReport(t *testing.T, h http.Handler) {
	t.Helper()
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout errors","summary":"EU checkout failed.",
		"severity":"SEV2","services":["svc-secret"],"teams":["team-secret"],"tags":["tag-secret"],"commander":"alice.secret",
		"customer_impact":"Orders were declined.","started_at":"2026-03-01T10:00:00Z","detected_at":"2026-03-01T10:05:00Z",
		"mitigated_at":"2026-03-01T11:30:00Z"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/timeline", `{"events":[
		{"occurred_at":"2026-03-01T10:02:00Z","source":"slack","actor":"bob.secret","body":"db-17.internal disk full","key_event":true}]}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/root-causes", `{"category":"capacity","description":"Disk filled up.","evidence_event_ids":[1]}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Alert on disk","owner":"owner.secret","priority":"high"}`)
	mustDo(t, h, http.StatusCreated, "PUT", "/api/v1/incidents/INC-1/rca", `{"template":"essentials","sections":[
		{"key":"event-description","title":"Event description","body":"Checkout failed.","audience":"public"},
		{"key":"timeline","title":"Timeline","body":"","audience":"customer_success","block":"timeline"},
		{"key":"root-causes","title":"Root causes","body":"Why.","audience":"customer_success","block":"root_causes"},
		{"key":"corrective-actions","title":"Corrective actions","body":"","audience":"customer_success","block":"corrective_actions"},
		{"key":"notes","title":"Engineering notes","body":"host db-17.internal ![disk graph](https://grafana.example/g.png)","audience":"internal"}]}`)
}

var reportSecrets = []string{"alice.secret", "bob.secret", "db-17.internal", "owner.secret", "svc-secret", "team-secret", "tag-secret", "Engineering notes"}

func TestAPI_Report(t *testing.T) {
	h := newTestHandler(t)
	seedReport(t, h)
	runScenarios(t, h, []scenario{
		{
			name: "internal by default", method: "GET", url: "/api/v1/incidents/INC-1/report",
			wantStatus: http.StatusOK,
			wantContains: []string{`"audience":"internal"`, `"commander":"alice.secret"`, `"time_to_detect":300`,
				`"impact_duration":5400`, `"key":"notes"`, `db-17.internal disk full`, `"html":"\u003cp\u003eCheckout failed.`,
				// the app's CSP would block another site's image: a link instead
				`\u003ca href=\"https://grafana.example/g.png\" rel=\"nofollow noopener\" target=\"_blank\"\u003eImage: disk graph\u003c/a\u003e`},
			notContains: []string{`\u003cimg src=\"https://grafana.example`},
		},
		{
			name: "public", method: "GET", url: "/api/v1/incidents/INC-1/report?audience=public",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"audience":"public"`, `"key":"event-description"`, `"impact_duration":5400`, `"customer_impact":"Orders were declined."`},
			notContains:  append([]string{`"key":"timeline"`, `time_to_detect`, `Disk filled up`}, reportSecrets...),
		},
		{
			name: "customer success", method: "GET", url: "/api/v1/incidents/1/report?audience=customer_success",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"key":"timeline"`, `Disk filled up.`, `| Alert on disk | open |`, `"time_to_detect":300`},
			notContains:  reportSecrets,
		},
		{
			name: "bad audience", method: "GET", url: "/api/v1/incidents/INC-1/report?audience=everyone",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"audience":"must be one of public, customer_success, internal"`},
		},
		{
			name: "unknown incident", method: "GET", url: "/api/v1/incidents/INC-9/report",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
	})
}

func TestAPI_Export(t *testing.T) {
	h := newTestHandler(t)
	seedReport(t, h)
	cases := []scenario{
		{
			name: "markdown", method: "GET", url: "/api/v1/incidents/INC-1/export?format=md",
			wantStatus:   http.StatusOK,
			wantContains: []string{"---\ntitle: Checkout errors\n", "key: INC-1", "## Event description", "<!-- hindsight:section "},
			wantHeaders: map[string]string{
				"Content-Disposition": `attachment; filename="INC-1-checkout-errors.md"`,
				"Content-Type":        "text/markdown; charset=utf-8",
			},
		},
		{
			name: "public html", method: "GET", url: "/api/v1/incidents/INC-1/export?format=html&audience=public",
			wantStatus:   http.StatusOK,
			wantContains: []string{"<!DOCTYPE html>", "@media print", "Event description"},
			notContains:  reportSecrets,
			wantHeaders:  map[string]string{"Content-Disposition": `attachment; filename="INC-1-checkout-errors.html"`},
		},
		{
			name: "customer success json", method: "GET", url: "/api/v1/incidents/INC-1/export?format=json&audience=customer_success",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"audience": "customer_success"`, `"title": "Alert on disk"`},
			notContains:  reportSecrets,
		},
		{
			name: "public markdown", method: "GET", url: "/api/v1/incidents/INC-1/export?format=md&audience=public",
			wantStatus: http.StatusOK, notContains: append([]string{"root_causes:", "timeline:"}, reportSecrets...),
		},
		{
			name: "bad format", method: "GET", url: "/api/v1/incidents/INC-1/export?format=docx",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"format":"must be one of md, html, pdf, json"`},
		},
		{
			name: "bad audience", method: "GET", url: "/api/v1/incidents/INC-1/export?audience=all",
			wantStatus: http.StatusUnprocessableEntity,
		},
	}
	if _, err := report.FindChromium(""); err == nil {
		cases = append(cases, scenario{
			name: "pdf", method: "GET", url: "/api/v1/incidents/INC-1/export?format=pdf&audience=public",
			wantStatus: http.StatusOK, wantContains: []string{"%PDF"},
			wantHeaders: map[string]string{"Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="INC-1-checkout-errors.pdf"`},
		})
	}
	runScenarios(t, h, cases)
	t.Run("pdf without chromium", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		scenario{
			method: "GET", url: "/api/v1/incidents/INC-1/export?format=pdf",
			wantStatus:   http.StatusNotImplemented,
			wantContains: []string{`"code":"pdf_unavailable"`, "install the chromium package or set HINDSIGHT_CHROMIUM_PATH"},
		}.run(t, h)
	})
}

func TestAPI_ImportIncident(t *testing.T) {
	h := newTestHandler(t)
	seedReport(t, h)
	md := mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/INC-1/export?format=md", "")
	md1 := mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/INC-1/rca", "")
	markdown := map[string]string{"Content-Type": "text/markdown; charset=utf-8"}
	runScenarios(t, h, []scenario{
		{
			name: "import the export", method: "POST", url: "/api/v1/incidents/import", body: md, headers: markdown,
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"key":"INC-2"`, `"title":"Checkout errors"`, `"commander":"alice.secret"`},
			wantHeaders:  map[string]string{"Location": "/api/v1/incidents/INC-2"},
		},
		{
			name: "not markdown", method: "POST", url: "/api/v1/incidents/import", body: `{"title":"x"}`,
			wantStatus: http.StatusUnsupportedMediaType, wantContains: []string{`"code":"unsupported_media_type"`},
		},
		{
			name: "line-numbered problem", method: "POST", url: "/api/v1/incidents/import", headers: markdown,
			body:       "---\ntitle: x\nseverity: SEV9\n---\n",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"severity (line 3)":"must be one of`},
		},
		{
			name: "no front matter", method: "POST", url: "/api/v1/incidents/import", headers: markdown,
			body: "# hello\n", wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`front_matter (line 1)`},
		},
	})
	// The imported RCA has the same sections as the exported one.
	sections := func(body string) string {
		_, s, _ := strings.Cut(body, `"sections":`)
		s, _, _ = strings.Cut(s, `],`)
		return s
	}
	md2 := mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/INC-2/rca", "")
	if sections(md1) != sections(md2) || sections(md1) == "" {
		t.Errorf("sections differ:\n%s\n%s", sections(md1), sections(md2))
	}
	// A failed import leaves nothing behind.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/incidents", nil))
	if !strings.Contains(rec.Body.String(), `"total":2`) {
		t.Errorf("incidents after imports: %s", rec.Body.String())
	}
}

// starEvents adds n starred events of bodies of the rune r repeated size
// times to INC-1.
func starEvents(t *testing.T, h http.Handler, n, size int, r string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"events":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"occurred_at":"2026-03-01T10:%02d:%02dZ","source":"chat","external_id":"e%d","body":"%d %s","key_event":true}`,
			(i/60)%60, i%60, i, i, strings.Repeat(r, size))
	}
	b.WriteString(`]}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/timeline", b.String())
}

// TestAPI_ReportLargeTimeline: 2,500 starred events of 480 characters once
// made the report and the exports answer 500.
func TestAPI_ReportLargeTimeline(t *testing.T) {
	h := newTestHandler(t)
	seedReport(t, h)
	starEvents(t, h, 2500, 480, "x")
	runScenarios(t, h, []scenario{
		{
			name: "report", method: "GET", url: "/api/v1/incidents/INC-1/report",
			wantStatus: http.StatusOK, wantContains: []string{"more key events — see the incident timeline"},
		},
		{name: "export md", method: "GET", url: "/api/v1/incidents/INC-1/export?format=md", wantStatus: http.StatusOK},
		{name: "export json", method: "GET", url: "/api/v1/incidents/INC-1/export?format=json", wantStatus: http.StatusOK},
		{name: "export html", method: "GET", url: "/api/v1/incidents/INC-1/export?format=html", wantStatus: http.StatusOK},
	})
}

// TestAPI_ReportSectionTooLarge: a section whose text and generated block
// are over what the Markdown pipeline renders is a 413 naming the section
// for the outputs that render HTML; Markdown and JSON exports still work.
func TestAPI_ReportSectionTooLarge(t *testing.T) {
	h := newTestHandler(t)
	seedReport(t, h)
	starEvents(t, h, 500, 300, "𝄞")
	body := strings.Repeat("𝄞", 199000)
	mustDo(t, h, http.StatusOK, "PUT", "/api/v1/incidents/INC-1/rca", `{"version":1,"sections":[
		{"key":"timeline","title":"Timeline","body":"`+body+`","audience":"internal","block":"timeline"}]}`)
	tooLarge := []string{`"code":"document_too_large"`, `"sections[timeline]"`}
	runScenarios(t, h, []scenario{
		{name: "report", method: "GET", url: "/api/v1/incidents/INC-1/report", wantStatus: http.StatusRequestEntityTooLarge, wantContains: tooLarge},
		{name: "export html", method: "GET", url: "/api/v1/incidents/INC-1/export?format=html", wantStatus: http.StatusRequestEntityTooLarge, wantContains: tooLarge},
		{name: "export md", method: "GET", url: "/api/v1/incidents/INC-1/export?format=md", wantStatus: http.StatusOK},
		{name: "export json", method: "GET", url: "/api/v1/incidents/INC-1/export?format=json", wantStatus: http.StatusOK},
	})
}

// TestAPI_ReportDraftAndSummary: the public report never carries the
// incident summary, and says when the RCA is an unpublished draft.
func TestAPI_ReportDraftAndSummary(t *testing.T) {
	h := newTestHandler(t)
	seedReport(t, h)
	runScenarios(t, h, []scenario{
		{
			name: "public", method: "GET", url: "/api/v1/incidents/INC-1/report?audience=public",
			wantStatus: http.StatusOK, wantContains: []string{`"draft":true`}, notContains: []string{"EU checkout failed", `"summary"`},
		},
		{
			name: "customer success keeps the summary", method: "GET", url: "/api/v1/incidents/INC-1/report?audience=customer_success",
			wantStatus: http.StatusOK, wantContains: []string{`"draft":true`, `"summary":"EU checkout failed."`},
		},
		{
			name: "public markdown", method: "GET", url: "/api/v1/incidents/INC-1/export?format=md&audience=public",
			wantStatus: http.StatusOK, wantContains: []string{"Draft — not yet published"}, notContains: []string{"EU checkout failed", "summary:"},
		},
		{
			name: "public html", method: "GET", url: "/api/v1/incidents/INC-1/export?format=html&audience=public",
			wantStatus: http.StatusOK, wantContains: []string{"Draft — not yet published"}, notContains: []string{"EU checkout failed"},
		},
	})
}
