package report

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// fixture is an incident with secret-looking values in every field only
// internal readers may see.
type fixture struct {
	inc     incident.Incident
	rca     incident.RCA
	events  []incident.TimelineEvent
	causes  []incident.RootCause
	actions []incident.CorrectiveAction
}

// secrets are the values no public or customer-success output may contain.
var secrets = []string{
	"alice.secret", "bob.secret", "carol.secret", "db-17.internal", "team-secret",
	"tag-secret", "svc-secret", "restricted.secret", "evidence-secret", "cs-hidden-help",
	"owner.secret", "team-owner-secret", "TICKET-SECRET", "internal-action-desc",
	"starred event secret body", "Internal notes",
}

func newFixture() fixture {
	due := incident.Date{Year: 2026, Month: 4, Day: 1}
	return fixture{
		inc: incident.Incident{
			ID: 7, Key: "INC-7", Title: "Checkout outage", Summary: "Checkout failed for EU customers.",
			Severity: incident.SEV2, Status: incident.StatusResolved,
			Services: []string{"svc-secret"}, Teams: []string{"team-secret"}, Tags: []string{"tag-secret"},
			Commander: "alice.secret", Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"restricted.secret"},
			CustomerImpact: "Payments were declined.",
			StartedAt:      at("2026-03-01T10:00:00Z"), DetectedAt: at("2026-03-01T10:05:00Z"),
			AcknowledgedAt: at("2026-03-01T10:07:00Z"), MitigatedAt: at("2026-03-01T11:30:00Z"),
			ResolvedAt: at("2026-03-01T12:00:00Z"), Version: 3,
		},
		rca: incident.RCA{
			Template: "essentials", Status: incident.RCADraft,
			Sections: []incident.Section{
				{Key: "event-description", Title: "Event description", Body: "Checkout returned errors.", Audience: incident.AudiencePublic, Required: true},
				{Key: "timeline", Title: "Timeline", Body: "What happened when.", Audience: incident.AudiencePublic, Block: incident.BlockTimeline, Required: true},
				{Key: "root-causes", Title: "Root causes", Body: "Why it broke.", Audience: incident.AudienceCustomerSuccess, Block: incident.BlockRootCauses, Help: "cs-hidden-help"},
				{Key: "corrective-actions", Title: "Corrective actions", Body: "", Audience: incident.AudienceCustomerSuccess, Block: incident.BlockActions},
				{Key: "internal-notes", Title: "Internal notes", Body: "host db-17.internal ran out of disk", Audience: incident.AudienceInternal},
			},
		},
		events: []incident.TimelineEvent{
			{ID: 11, OccurredAt: *at("2026-03-01T10:03:00Z"), Source: "slack", Kind: incident.KindChat, Actor: "bob.secret", Body: "starred event secret body", KeyEvent: true},
			{ID: 12, OccurredAt: *at("2026-03-01T10:04:00Z"), Source: "slack", Kind: incident.KindChat, Actor: "carol.secret", Body: "evidence-secret disk full", KeyEvent: false},
			{ID: 13, OccurredAt: *at("2026-03-01T10:06:00Z"), Source: "slack", Kind: incident.KindChat, Actor: "dave", Body: "hidden key event", KeyEvent: true, Hidden: true},
		},
		causes: []incident.RootCause{
			{ID: 21, Category: incident.CategoryCapacity, Description: "The database disk filled up.", EvidenceEventIDs: []int64{12}},
		},
		actions: []incident.CorrectiveAction{
			{ID: 31, Title: "Alert on disk usage", Description: "internal-action-desc", Type: incident.ActionDetective,
				Priority: incident.PriorityHigh, Owner: "owner.secret", Team: "team-owner-secret", DueDate: &due,
				Status: incident.ActionInProgress, TicketSystem: "jira", TicketKey: "TICKET-SECRET", TicketURL: "https://jira.example.com/browse/OPS-1"},
		},
	}
}

func (f fixture) build(a incident.Audience) Document {
	return Build(f.inc, f.rca, f.events, f.causes, f.actions, a)
}

// renderAll renders the document in every text format.
func renderAll(t *testing.T, d Document) map[string]string {
	t.Helper()
	md, err := RenderMarkdown(d)
	if err != nil {
		t.Fatal(err)
	}
	h, err := RenderHTML(d, markdown.New())
	if err != nil {
		t.Fatal(err)
	}
	js, err := RenderJSON(d)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"md": string(md), "html": string(h), "json": string(js)}
}

func TestReport_AudiencesNeverLeak(t *testing.T) {
	f := newFixture()
	for _, a := range []incident.Audience{incident.AudiencePublic, incident.AudienceCustomerSuccess} {
		for format, out := range renderAll(t, f.build(a)) {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s %s output contains %q:\n%s", a, format, s, out)
				}
			}
		}
	}
	// The same values do reach internal readers, so the check above can fail.
	for format, out := range renderAll(t, f.build(incident.AudienceInternal)) {
		for _, s := range []string{"alice.secret", "bob.secret", "db-17.internal", "owner.secret", "evidence-secret"} {
			if !strings.Contains(out, s) {
				t.Errorf("internal %s output lacks %q", format, s)
			}
		}
	}
}

func TestReport_BuildSections(t *testing.T) {
	f := newFixture()
	tests := []struct {
		name     string
		audience incident.Audience
		keys     []string
		want     []string
		notWant  []string
	}{
		{
			name: "internal", audience: incident.AudienceInternal,
			keys: []string{"event-description", "timeline", "root-causes", "corrective-actions", "internal-notes"},
			want: []string{
				"| 2026-03-01 10:03:00 UTC | slack | bob.secret | starred event secret body |",
				"| 2026-03-01 10:00:00 UTC | lifecycle |  | **Incident started** |",
				"- **capacity**: The database disk filled up.",
				"Evidence: 2026-03-01 10:04:00 UTC · slack · carol.secret: evidence-secret disk full",
				"| Alert on disk usage | detective | high | owner.secret | team-owner-secret | 2026-04-01 | in progress | [TICKET-SECRET](https://jira.example.com/browse/OPS-1) |",
			},
			notWant: []string{"hidden key event"},
		},
		{
			name: "customer success", audience: incident.AudienceCustomerSuccess,
			keys:    []string{"event-description", "timeline", "root-causes", "corrective-actions"},
			want:    []string{"| 2026-03-01 11:30:00 UTC | **Mitigated** |", "- **capacity**: The database disk filled up.", "| Alert on disk usage | in progress |"},
			notWant: []string{"Evidence", "owner.secret", "bob.secret"},
		},
		{
			name: "public", audience: incident.AudiencePublic,
			keys:    []string{"event-description", "timeline"},
			want:    []string{"| 2026-03-01 12:00:00 UTC | **Resolved** |"},
			notWant: []string{"capacity", "Alert on disk usage"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := f.build(tt.audience)
			var keys []string
			var all strings.Builder
			for _, s := range d.Sections {
				keys = append(keys, s.Key)
				all.WriteString(s.Markdown() + "\n")
			}
			if strings.Join(keys, ",") != strings.Join(tt.keys, ",") {
				t.Errorf("sections = %v, want %v", keys, tt.keys)
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("document lacks %q:\n%s", w, all.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all.String(), w) {
					t.Errorf("document contains %q:\n%s", w, all.String())
				}
			}
		})
	}
}

func TestReport_TimelineOrder(t *testing.T) {
	d := newFixture().build(incident.AudienceInternal)
	md := d.Sections[1].Markdown()
	order := []string{"What happened when.", "Incident started", "starred event secret body", "Detected", "Acknowledged", "Mitigated", "Resolved"}
	last := -1
	for _, w := range order {
		i := strings.Index(md, w)
		if i <= last {
			t.Fatalf("%q out of order in:\n%s", w, md)
		}
		last = i
	}
}

func TestReport_Facts(t *testing.T) {
	f := newFixture()
	tests := []struct {
		name     string
		audience incident.Audience
		mutate   func(*incident.Incident)
		want     map[string]string
	}{
		{name: "internal", audience: incident.AudienceInternal, want: map[string]string{
			"time_to_detect": "5m", "time_to_acknowledge": "2m", "time_to_mitigate": "1h 30m",
			"time_to_resolve": "2h", "impact_duration": "1h 30m",
		}},
		{name: "public sees impact only", audience: incident.AudiencePublic, want: map[string]string{"impact_duration": "1h 30m"}},
		{name: "impact until resolved without mitigation", audience: incident.AudienceCustomerSuccess,
			mutate: func(i *incident.Incident) { i.MitigatedAt = nil },
			want:   map[string]string{"time_to_detect": "5m", "time_to_acknowledge": "2m", "time_to_resolve": "2h", "impact_duration": "2h"}},
		{name: "nothing known", audience: incident.AudienceInternal,
			mutate: func(i *incident.Incident) {
				i.StartedAt, i.DetectedAt, i.MitigatedAt, i.ResolvedAt = nil, nil, nil, nil
			},
			want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := f.inc
			if tt.mutate != nil {
				tt.mutate(&inc)
			}
			got := Build(inc, f.rca, nil, nil, nil, tt.audience).FactTexts()
			if len(got) != len(tt.want) {
				t.Errorf("facts = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestReport_Human(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{name: "zero", in: 0, want: "0s"},
		{name: "seconds", in: 45 * time.Second, want: "45s"},
		{name: "minutes and seconds", in: 4*time.Minute + 30*time.Second, want: "4m 30s"},
		{name: "hours and minutes", in: 65 * time.Minute, want: "1h 5m"},
		{name: "days and hours", in: 51*time.Hour + 10*time.Minute, want: "2d 3h"},
		{name: "gap drops smaller units", in: time.Hour + 5*time.Second, want: "1h"},
		{name: "sub-second dropped", in: 1500 * time.Millisecond, want: "1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Human(tt.in); got != tt.want {
				t.Errorf("Human(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReport_ParseAudienceAndFormat(t *testing.T) {
	tests := []struct {
		name, in string
		want     incident.Audience
		wantErr  bool
	}{
		{name: "default internal", in: "", want: incident.AudienceInternal},
		{name: "public", in: "public", want: incident.AudiencePublic},
		{name: "customer success", in: "customer_success", want: incident.AudienceCustomerSuccess},
		{name: "unknown", in: "everyone", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAudience(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseAudience(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
	if f, err := ParseFormat("Markdown"); err != nil || f != FormatMarkdown {
		t.Errorf("ParseFormat(Markdown) = %q, %v", f, err)
	}
	if _, err := ParseFormat("docx"); err == nil {
		t.Error("ParseFormat(docx) succeeded")
	}
	if got := FileName(newFixture().inc, "md"); got != "INC-7-checkout-outage.md" {
		t.Errorf("FileName = %q", got)
	}
}

func TestReport_HTML(t *testing.T) {
	f := newFixture()
	f.rca.Sections[0].Body = "Click <script>alert(1)</script> [me](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n```go\nfunc main() {}\n```"
	f.inc.Title = `<b onmouseover="x()">Outage</b>`
	out, err := RenderHTML(f.build(incident.AudienceInternal), markdown.New())
	if err != nil {
		t.Fatal(err)
	}
	h := string(out)
	for _, bad := range []string{"<script>", "javascript:", "onerror", "onmouseover=\""} {
		if strings.Contains(h, bad) {
			t.Errorf("html contains %q", bad)
		}
	}
	for _, want := range []string{"<!DOCTYPE html>", "@media print", "break-inside: avoid", "<table>", "Content-Security-Policy", "Time to detect", "&lt;b onmouseover=", markdown.CSS()[:20]} {
		if !strings.Contains(h, want) {
			t.Errorf("html lacks %q", want)
		}
	}
}
