package templates_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/templates"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// realistic is an incident with every fact a template can use.
func realistic() incident.Incident {
	return incident.Incident{
		ID: 42, Key: "INC-42", Title: "Checkout errors in EU", Summary: "Payments failed for EU customers.",
		Severity: incident.SEV2, Status: incident.StatusResolved,
		Services: []string{"checkout", "payments"}, Teams: []string{"payments-team"}, Commander: "dana",
		CustomerImpact: "12% of EU checkouts failed.",
		StartedAt:      at("2026-03-01T10:00:00Z"), DetectedAt: at("2026-03-01T11:25:00Z"),
		AcknowledgedAt: at("2026-03-01T11:29:30Z"), MitigatedAt: at("2026-03-01T12:10:00Z"),
		ResolvedAt: at("2026-03-02T13:15:00Z"),
	}
}

func TestBuiltin(t *testing.T) {
	r, err := templates.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, tm := range r.Templates() {
		keys = append(keys, tm.Key)
	}
	if diff := cmp.Diff([]string{"essentials", "sre", "five-whys", "contributing-factors"}, keys); diff != "" {
		t.Errorf("built-in keys (-want +got):\n%s", diff)
	}
	for _, tm := range r.Templates() {
		t.Run(tm.Key, func(t *testing.T) {
			if tm.Source != incident.TemplateBuiltin {
				t.Errorf("source = %q", tm.Source)
			}
			if err := templates.Validate(tm); err != nil {
				t.Errorf("validate: %v", err)
			}
			if tm.Name == "" || len(tm.Description) < 40 {
				t.Errorf("name %q / description %q too thin", tm.Name, tm.Description)
			}
			for _, s := range tm.Sections {
				if len(s.Help) < 80 {
					t.Errorf("section %s: help text %q is too thin to guide a writer", s.Key, s.Help)
				}
				wantBlock := map[string]incident.Block{"timeline": incident.BlockTimeline, "root-causes": incident.BlockRootCauses,
					"contributing-factors": incident.BlockRootCauses, "corrective-actions": incident.BlockActions,
					"action-items": incident.BlockActions, "follow-ups": incident.BlockActions}[s.Key]
				if s.Block != wantBlock {
					t.Errorf("section %s: block %q, want %q", s.Key, s.Block, wantBlock)
				}
			}
			secs, err := templates.Render(tm, realistic())
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if len(secs) != len(tm.Sections) {
				t.Fatalf("rendered %d sections, want %d", len(secs), len(tm.Sections))
			}
			for i, s := range secs {
				if strings.Contains(s.Body, "{{") || strings.Contains(s.Body, "unknown") {
					t.Errorf("section %s: body not fully rendered for a complete incident: %q", s.Key, s.Body)
				}
				orig := tm.Sections[i]
				if s.Key != orig.Key || s.Title != orig.Title || s.Help != orig.Help || s.Audience != orig.Audience ||
					s.Required != orig.Required || s.Block != orig.Block {
					t.Errorf("section %d: attributes not copied: %+v vs %+v", i, s, orig)
				}
			}
			// The template's sections become an RCA; it must be valid.
			rca := incident.RCA{Template: tm.Key, Sections: secs}
			rca.Normalize()
			if err := rca.Validate(); err != nil {
				t.Errorf("rendered RCA invalid: %v", err)
			}
		})
	}
}

func TestBuiltin_Contents(t *testing.T) {
	r := templates.MustBuiltin()
	sectionTitles := func(key string) []string {
		tm, ok := r.Template(key)
		if !ok {
			t.Fatalf("no built-in %s", key)
		}
		var out []string
		for _, s := range tm.Sections {
			out = append(out, s.Title)
		}
		return out
	}
	tests := []struct {
		name string
		key  string
		want []string
	}{
		{"essentials", "essentials", []string{"Event description", "Timeline", "Root causes", "Corrective actions"}},
		{"sre", "sre", []string{"Summary", "Impact", "Root causes", "Trigger", "Resolution", "Detection", "Action items", "Lessons learned", "Timeline"}},
		{"five whys", "five-whys", []string{"Problem statement", "Impact", "Timeline", "Five whys", "Root causes", "Corrective actions"}},
		{"contributing factors", "contributing-factors", []string{"Overview", "What happened", "Timeline", "Contributing factors", "Mitigators", "Risks", "Follow-ups"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, sectionTitles(tc.key)); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
		})
	}

	ess, _ := r.Template("essentials")
	for _, s := range ess.Sections {
		if !s.Required {
			t.Errorf("essentials %s is not required", s.Key)
		}
	}
	if h := ess.Sections[1].Help; !strings.Contains(h, "start") || !strings.Contains(h, "end") {
		t.Errorf("essentials timeline help does not ask for start and end: %q", h)
	}
	sre, _ := r.Template("sre")
	lessons := sre.Sections[slices.IndexFunc(sre.Sections, func(s incident.Section) bool { return s.Key == "lessons-learned" })]
	for _, want := range []string{"What went well", "What went wrong", "Where we got lucky"} {
		if !strings.Contains(lessons.Body, want) {
			t.Errorf("sre lessons learned lacks %q", want)
		}
	}
	for _, s := range sre.Sections {
		if s.Key == "summary" && s.Audience != incident.AudiencePublic || s.Key == "timeline" && s.Audience != incident.AudienceInternal {
			t.Errorf("sre %s has audience %s", s.Key, s.Audience)
		}
	}

	// Copies: changing what the registry returned does not change it.
	ess.Sections[0].Title = "changed"
	if again, _ := r.Template("essentials"); again.Sections[0].Title != "Event description" {
		t.Error("registry handed out its own sections")
	}
}

func TestVars(t *testing.T) {
	tests := []struct {
		name string
		inc  func() incident.Incident
		want map[string]string
	}{
		{"complete", realistic, map[string]string{
			"title": "Checkout errors in EU", "key": "INC-42", "severity": "SEV2", "services": "checkout, payments",
			"teams": "payments-team", "commander": "dana", "started_at": "2026-03-01T10:00:00Z",
			"resolved_at": "2026-03-02T13:15:00Z", "time_to_detect": "1h 25m", "time_to_acknowledge": "5m",
			"time_to_mitigate": "2h 10m", "time_to_resolve": "1d 3h 15m", "impact_duration": "2h 10m",
			"summary": "Payments failed for EU customers.", "customer_impact": "12% of EU checkouts failed.",
		}},
		{"impact ends at resolution when not mitigated", func() incident.Incident {
			i := realistic()
			i.MitigatedAt = nil
			return i
		}, map[string]string{"mitigated_at": "unknown", "time_to_mitigate": "unknown", "impact_duration": "1d 3h 15m"}},
		{"nothing known", func() incident.Incident { return incident.Incident{Title: "t"} }, map[string]string{
			"severity": "unknown", "services": "none", "teams": "none", "commander": "unknown", "started_at": "unknown",
			"time_to_detect": "unknown", "impact_duration": "unknown", "summary": "", "customer_impact": "",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := templates.Vars(tc.inc())
			if len(got) != len(templates.Variables) {
				t.Errorf("%d values for %d variables", len(got), len(templates.Variables))
			}
			for k, want := range tc.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{"zero", 0, "0s"},
		{"seconds", 45 * time.Second, "45s"},
		{"minutes", 7 * time.Minute, "7m"},
		{"rounds to the minute", time.Hour + 25*time.Minute + 40*time.Second, "1h 26m"},
		{"whole hours", 2 * time.Hour, "2h"},
		{"days", 27*time.Hour + 15*time.Minute, "1d 3h 15m"},
		{"negative", -90 * time.Second, "-2m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := templates.HumanDuration(tc.d); got != tc.want {
				t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	tm := incident.Template{Key: "t", Name: "T", Sections: []incident.Section{
		{Key: "a", Title: "A", Audience: incident.AudiencePublic, Body: "{{ title }} / {{key}} lasted {{impact_duration}}"},
		{Key: "b", Title: "B", Audience: incident.AudienceInternal, Body: "no variables {single braces}"},
	}}
	inc := realistic()
	inc.Title = "Title with {{summary}} and <script>"
	secs, err := templates.Render(tm, inc)
	if err != nil {
		t.Fatal(err)
	}
	// One pass: a value holding {{…}} is not expanded again; text stays text.
	if want := "Title with {{summary}} and <script> / INC-42 lasted 2h 10m"; secs[0].Body != want {
		t.Errorf("body = %q, want %q", secs[0].Body, want)
	}
	if secs[1].Body != "no variables {single braces}" {
		t.Errorf("body = %q", secs[1].Body)
	}
	if tm.Sections[0].Body != "{{ title }} / {{key}} lasted {{impact_duration}}" {
		t.Error("Render changed the template")
	}

	tm.Sections[1].Body = "{{nope}}"
	_, err = templates.Render(tm, inc)
	var verr *incident.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Fields["sections[1].body"], "unknown variable {{nope}}") {
		t.Errorf("err = %v, want an unknown-variable error on sections[1].body", err)
	}
}

func TestLoad(t *testing.T) {
	write := func(t *testing.T, dir, name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const override = "key: essentials\nname: Our essentials\nsections:\n  - title: What happened\n    audience: public\n"
	const extra = "key: security\nname: Security incident\nsections:\n  - title: Exposure\n"
	tests := []struct {
		name    string
		files   map[string]string
		wantErr []string
		check   func(t *testing.T, r *templates.Registry, dir string)
	}{
		{"override and add", map[string]string{"a.yaml": override, "b.YML": extra, "notes.txt": "not a template", ".hidden.yaml": "{"},
			nil, func(t *testing.T, r *templates.Registry, dir string) {
				ess, ok := r.Template("essentials")
				if !ok || ess.Name != "Our essentials" || ess.Source != incident.TemplateDir || len(ess.Sections) != 1 || ess.Sections[0].Key != "what-happened" {
					t.Errorf("essentials = %+v", ess)
				}
				if r.File("essentials") != filepath.Join(dir, "a.yaml") {
					t.Errorf("file = %q", r.File("essentials"))
				}
				var keys []string
				for _, tm := range r.Templates() {
					keys = append(keys, tm.Key)
				}
				if diff := cmp.Diff([]string{"essentials", "sre", "five-whys", "contributing-factors", "security"}, keys); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
				if sec, _ := r.Template("security"); sec.Sections[0].Audience != incident.AudienceInternal {
					t.Errorf("default audience = %q, want internal", sec.Sections[0].Audience)
				}
			}},
		{"bad file names the file and line", map[string]string{"good.yaml": extra, "bad.yaml": "key: x\nname: A\n  bad: indent\n"},
			[]string{"bad.yaml", "line 3", "mapping values are not allowed"}, nil},
		{"every bad file is reported", map[string]string{"one.yaml": "key: x\n", "two.yaml": "name: y\nsections: []\n"},
			[]string{"one.yaml", "two.yaml", "name: is required", "key: is required"}, nil},
		{"duplicate keys in the dir", map[string]string{"a.yaml": extra, "b.yaml": extra},
			[]string{"b.yaml", `key "security" is already used by`, "a.yaml"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tc.files {
				write(t, dir, name, text)
			}
			r, err := templates.Load(dir)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r, dir)
		})
	}

	t.Run("no dir means built-ins", func(t *testing.T) {
		r, err := templates.Load("")
		if err != nil || len(r.Templates()) != 4 {
			t.Errorf("Load(\"\") = %v, %v", r, err)
		}
	})
	t.Run("missing dir", func(t *testing.T) {
		_, err := templates.Load(filepath.Join(t.TempDir(), "nope"))
		if err == nil || !strings.Contains(err.Error(), "HINDSIGHT_TEMPLATES_DIR") {
			t.Errorf("err = %v", err)
		}
	})
}
