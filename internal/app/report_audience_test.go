package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/report"
)

// TestApp_ReportWithManyKeyEvents: 2,500 starred events of 480 characters
// once made the report and every export fail.
func TestApp_ReportWithManyKeyEvents(t *testing.T) {
	a := newApp(t, "sqlite")
	ctx := context.Background()
	inc := essentials(t, a)
	evs := make([]incident.TimelineEvent, 2500)
	for i := range evs {
		evs[i] = incident.TimelineEvent{
			OccurredAt: t0.Add(time.Duration(i) * time.Second), Source: "chat", ExternalID: "bulk-" + strconv.Itoa(i),
			Body: strconv.Itoa(i) + " " + strings.Repeat("y", 480), KeyEvent: true,
		}
	}
	if _, err := a.AppendTimeline(ctx, inc.Key, evs); err != nil {
		t.Fatal(err)
	}
	d, err := a.Report(ctx, inc.Key, incident.AudienceInternal)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if !strings.Contains(d.Sections[1].HTML, "more key events — see the incident timeline") {
		t.Error("timeline does not say events were left out")
	}
	for _, format := range []string{"md", "json", "html"} {
		if _, err := a.Export(ctx, inc.Key, format, incident.AudienceInternal); err != nil {
			t.Errorf("export %s: %v", format, err)
		}
	}
}

// publish walks the RCA through review to published.
func publish(t *testing.T, a *app.App, key string) incident.RCA {
	t.Helper()
	ctx := context.Background()
	r, err := a.RCA(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = a.SubmitRCA(ctx, key, []string{"bo"}, &r.Version); err != nil {
		t.Fatal(err)
	}
	if _, err = a.ApproveRCA(incident.WithActor(ctx, incident.Actor{Name: "bo"}), key, "", "", nil); err != nil {
		t.Fatal(err)
	}
	r, _ = a.RCA(ctx, key)
	if r, err = a.PublishRCA(ctx, key, &r.Version); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestApp_ReportAfterAmend: while a published RCA is amended, public and
// customer-success readers keep reading the published text; internal
// readers see the draft.
func TestApp_ReportAfterAmend(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := essentials(t, a)

		// Never published: everyone gets the draft, marked as one.
		d, err := a.Report(ctx, inc.Key, incident.AudiencePublic)
		if err != nil || !d.Draft || d.Sections[0].Body != "Checkout failed." {
			t.Fatalf("unpublished report: draft %v, %v, %+v", d.Draft, err, d.Sections)
		}

		r := publish(t, a, inc.Key)
		if r, err = a.AmendRCA(ctx, inc.Key, "wrong impact", &r.Version); err != nil {
			t.Fatal(err)
		}
		r.Sections[0].Body = "UNREVIEWED rewrite."
		if _, err = a.SaveRCA(ctx, inc.Key, r); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			audience incident.Audience
			body     string
			draft    bool
		}{
			{name: "public", audience: incident.AudiencePublic, body: "Checkout failed."},
			{name: "customer success", audience: incident.AudienceCustomerSuccess, body: "Checkout failed."},
			{name: "internal", audience: incident.AudienceInternal, body: "UNREVIEWED rewrite.", draft: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d, err := a.Report(ctx, inc.Key, tt.audience)
				if err != nil {
					t.Fatal(err)
				}
				if d.Sections[0].Body != tt.body || d.Draft != tt.draft {
					t.Errorf("body %q draft %v, want %q %v", d.Sections[0].Body, d.Draft, tt.body, tt.draft)
				}
				for _, format := range []string{"md", "html", "json"} {
					exp, err := a.Export(ctx, inc.Key, format, tt.audience)
					if err != nil {
						t.Fatal(err)
					}
					if got := strings.Contains(string(exp.Data), "UNREVIEWED"); got != (tt.audience == incident.AudienceInternal) {
						t.Errorf("%s shows the unreviewed text = %v", format, got)
					}
				}
			})
		}
	})
}

// TestApp_ImportPublishedNeedsRequiredSections: a file claiming a published
// RCA with an empty required section is imported as a draft, and the
// revision says why.
func TestApp_ImportPublishedNeedsRequiredSections(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		file := func(body string) string {
			return "---\ntitle: Outage\nrca_status: published\n---\n\n" +
				`<!-- hindsight:section {"key":"what","audience":"public","required":true} -->` + "\n## What\n\n" + body + "\n\n" +
				`<!-- hindsight:section {"key":"notes","audience":"internal"} -->` + "\n## Notes\n"
		}
		tests := []struct {
			name       string
			body       string
			wantStatus incident.RCAStatus
			wantReason string
		}{
			{name: "required section empty", body: "   ", wantStatus: incident.RCADraft, wantReason: "as draft: published in the file, but required sections are empty: what"},
			{name: "required sections written", body: "It broke.", wantStatus: incident.RCAPublished, wantReason: "imported"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				imp, err := report.ParseMarkdown([]byte(file(tt.body)))
				if err != nil {
					t.Fatal(err)
				}
				inc, err := a.ImportDocument(ctx, imp)
				if err != nil {
					t.Fatal(err)
				}
				r, err := a.RCA(ctx, inc.Key)
				if err != nil {
					t.Fatal(err)
				}
				if r.Status != tt.wantStatus {
					t.Errorf("status = %s, want %s", r.Status, tt.wantStatus)
				}
				rev, err := a.RCARevision(ctx, inc.Key, r.Version)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(rev.Reason, tt.wantReason) || rev.Status != tt.wantStatus {
					t.Errorf("revision = %s %q, want %s %q", rev.Status, rev.Reason, tt.wantStatus, tt.wantReason)
				}
			})
		}
	})
}
