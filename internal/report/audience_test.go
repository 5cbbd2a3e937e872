package report

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
)

// TestReport_LargeTimelineIsBounded: 2,500 starred events with long bodies
// once made the timeline section too large for the Markdown pipeline.
func TestReport_LargeTimelineIsBounded(t *testing.T) {
	f := newFixture()
	f.events = nil
	start := *f.inc.StartedAt
	for i := range 2500 {
		f.events = append(f.events, incident.TimelineEvent{
			ID: int64(100 + i), OccurredAt: start.Add(time.Duration(i) * time.Second), Source: "slack", Actor: "bot",
			Body: "event " + strconv.Itoa(i) + " " + strings.Repeat("x", 480), KeyEvent: true,
		})
	}
	d := f.build(incident.AudienceInternal)
	md := d.Sections[1].Markdown()
	if len(md) > markdown.MaxSource/2 {
		t.Errorf("timeline section is %d bytes", len(md))
	}
	for _, want := range []string{"event 499 ", "… and 2000 more key events — see the incident timeline", "**Resolved**", strings.Repeat("x", 290) + "…"} {
		if !strings.Contains(md, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if strings.Contains(md, "event 500 ") || strings.Contains(md, strings.Repeat("x", 301)) {
		t.Error("timeline not bounded")
	}
	if _, err := RenderHTML(d, markdown.New()); err != nil {
		t.Fatalf("html: %v", err)
	}
	if _, err := RenderMarkdown(d); err != nil {
		t.Fatalf("md: %v", err)
	}
}

func TestReport_TooLargeSection(t *testing.T) {
	f := newFixture()
	f.rca.Sections[0].Body = strings.Repeat("word ", markdown.MaxSource/5+10)
	d := f.build(incident.AudiencePublic)
	err := RenderSectionsHTML(&d, markdown.New())
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Key != "event-description" || !errors.Is(err, markdown.ErrTooLarge) {
		t.Fatalf("err = %v, want a TooLargeError for event-description", err)
	}
	if _, err := RenderMarkdown(d); err != nil { // Markdown needs no HTML
		t.Errorf("md: %v", err)
	}
}

// TestReport_SummaryIsNotPublic: the summary is the responders' text; the
// customer-facing field is customer_impact.
func TestReport_SummaryIsNotPublic(t *testing.T) {
	f := newFixture()
	f.inc.Summary = "summary-secret: db-42.internal paged carol"
	tests := []struct {
		name     string
		audience incident.Audience
		want     bool
	}{
		{name: "public", audience: incident.AudiencePublic, want: false},
		{name: "customer success", audience: incident.AudienceCustomerSuccess, want: true},
		{name: "internal", audience: incident.AudienceInternal, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := f.build(tt.audience)
			if _, ok := d.IncidentFields()["summary"]; ok != tt.want {
				t.Errorf("summary field present = %v, want %v", ok, tt.want)
			}
			for format, out := range renderAll(t, d) {
				if strings.Contains(out, "summary-secret") != tt.want {
					t.Errorf("%s: summary shown = %v, want %v", format, !tt.want, tt.want)
				}
				if !strings.Contains(out, "Payments were declined.") {
					t.Errorf("%s lacks the customer impact", format)
				}
			}
		})
	}
}

// TestReport_RecordsFollowVisibleSections uses the audiences of the
// essentials template: root causes internal, corrective actions customer
// success.
func TestReport_RecordsFollowVisibleSections(t *testing.T) {
	f := newFixture()
	f.rca.Sections[1].Audience = incident.AudienceInternal        // timeline
	f.rca.Sections[2].Audience = incident.AudienceInternal        // root causes
	f.rca.Sections[3].Audience = incident.AudienceCustomerSuccess // corrective actions
	tests := []struct {
		name     string
		audience incident.Audience
		want     []string
		notWant  []string
	}{
		{
			name: "customer success", audience: incident.AudienceCustomerSuccess,
			want:    []string{"Alert on disk usage", "in_progress"},
			notWant: []string{"The database disk filled up.", "root_causes", "capacity", "owner.secret", "internal-action-desc"},
		},
		{
			name: "public", audience: incident.AudiencePublic,
			notWant: []string{"The database disk filled up.", "Alert on disk usage", "root_causes", "actions"},
		},
		{
			name: "internal", audience: incident.AudienceInternal,
			want: []string{"The database disk filled up.", "Alert on disk usage", "owner.secret", "root_causes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := f.build(tt.audience)
			outs := renderAll(t, d)
			for _, format := range []string{"md", "json"} {
				out := outs[format]
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s lacks %q:\n%s", format, w, out)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(out, w) {
						t.Errorf("%s contains %q:\n%s", format, w, out)
					}
				}
			}
		})
	}
	// With the root causes section shown to customer success, they see them.
	f.rca.Sections[2].Audience = incident.AudienceCustomerSuccess
	if d := f.build(incident.AudienceCustomerSuccess); len(d.RootCauses) != 1 {
		t.Errorf("root causes = %v, want the one record", d.RootCauses)
	}
}

func TestReport_DraftBanner(t *testing.T) {
	tests := []struct {
		name   string
		status incident.RCAStatus
		draft  bool
	}{
		{name: "draft", status: incident.RCADraft, draft: true},
		{name: "in review", status: incident.RCAInReview, draft: true},
		{name: "published", status: incident.RCAPublished, draft: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			f.rca.Status = tt.status
			d := f.build(incident.AudiencePublic)
			if d.Draft != tt.draft {
				t.Errorf("Draft = %v", d.Draft)
			}
			outs := renderAll(t, d)
			for _, format := range []string{"md", "html"} {
				if strings.Contains(outs[format], DraftNotice) != tt.draft {
					t.Errorf("%s banner shown = %v, want %v", format, !tt.draft, tt.draft)
				}
			}
			if strings.Contains(outs["json"], `"draft": true`) != tt.draft {
				t.Errorf("json draft flag wrong:\n%s", outs["json"])
			}
		})
	}
	if d := Build(newFixture().inc, incident.RCA{}, nil, nil, nil, incident.AudiencePublic); d.Draft {
		t.Error("an incident without an RCA is not a draft")
	}
}
