package incident

import (
	"math"
	"strings"
	"testing"
	"time"
)

func mar(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

func TestAvailability(t *testing.T) {
	from, to := mar(1, 0), mar(11, 0) // 10 days = 240 h
	cases := []struct {
		name    string
		windows []ImpactWindow
		want    float64
	}{
		{"no incidents", nil, 1},
		{"one major hour", []ImpactWindow{{mar(2, 0), mar(2, 1), ImpactMajorOutage}}, 1 - 1.0/240},
		{"partial counts 30%", []ImpactWindow{{mar(2, 0), mar(2, 10), ImpactPartialOutage}}, 1 - 3.0/240},
		{"degraded counts nothing", []ImpactWindow{{mar(2, 0), mar(4, 0), ImpactDegraded}}, 1},
		{"overlapping majors count once", []ImpactWindow{
			{mar(2, 0), mar(2, 2), ImpactMajorOutage}, {mar(2, 1), mar(2, 3), ImpactMajorOutage},
		}, 1 - 3.0/240},
		{"worst impact wins where they overlap", []ImpactWindow{
			{mar(2, 0), mar(2, 10), ImpactPartialOutage}, {mar(2, 2), mar(2, 4), ImpactMajorOutage},
		}, 1 - (2+0.3*8)/240},
		{"nested partial inside major adds nothing", []ImpactWindow{
			{mar(2, 0), mar(2, 10), ImpactMajorOutage}, {mar(2, 2), mar(2, 4), ImpactPartialOutage},
		}, 1 - 10.0/240},
		{"clipped at the start", []ImpactWindow{{mar(1, 0).Add(-5 * time.Hour), mar(1, 2), ImpactMajorOutage}}, 1 - 2.0/240},
		{"clipped at the end (open incident to now)", []ImpactWindow{{mar(10, 20), mar(12, 0), ImpactMajorOutage}}, 1 - 4.0/240},
		{"outside the range", []ImpactWindow{{mar(20, 0), mar(21, 0), ImpactMajorOutage}}, 1},
		{"empty window", []ImpactWindow{{mar(2, 0), mar(2, 0), ImpactMajorOutage}}, 1},
		{"unknown impact ignored", []ImpactWindow{{mar(2, 0), mar(3, 0), PublicImpact("")}}, 1},
		{"all down", []ImpactWindow{{mar(1, 0), mar(11, 0), ImpactMajorOutage}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Availability(tc.windows, from, to)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Availability = %.9f, want %.9f", got, tc.want)
			}
		})
	}
	if got := Availability(nil, to, from); got != 1 {
		t.Errorf("empty range = %v, want 1", got)
	}
}

func TestHistory(t *testing.T) {
	now := mar(10, 12)
	windows := []ImpactWindow{
		{mar(8, 23), mar(9, 1), ImpactPartialOutage}, // spans midnight
		{mar(9, 6), mar(9, 7), ImpactMajorOutage},
		{mar(10, 0), now, ImpactDegraded}, // open
	}
	days := History(windows, 4, now)
	if len(days) != 4 || !days[0].Day.Equal(mar(7, 0)) || !days[3].Day.Equal(mar(10, 0)) {
		t.Fatalf("days = %+v", days)
	}
	want := []PublicImpact{"", ImpactPartialOutage, ImpactMajorOutage, ImpactDegraded}
	for n, d := range days {
		if d.Worst != want[n] {
			t.Errorf("day %d worst = %q, want %q", n, d.Worst, want[n])
		}
	}
	if math.Abs(days[2].Availability-(1-(0.3+1)/24)) > 1e-12 {
		t.Errorf("day 9 availability = %v", days[2].Availability)
	}
	if days[3].Availability != 1 {
		t.Errorf("today (degraded only) availability = %v, want 1", days[3].Availability)
	}
}

func tptr(t time.Time) *time.Time { return &t }

func TestImpactTimes_Window(t *testing.T) {
	now := mar(10, 12)
	cases := []struct {
		name     string
		times    ImpactTimes
		from, to time.Time
		ongoing  bool
	}{
		{"explicit window wins", ImpactTimes{ImpactStartedAt: tptr(mar(2, 1)), ImpactEndedAt: tptr(mar(2, 3)), StartedAt: tptr(mar(2, 0)), MitigatedAt: tptr(mar(2, 5)), Status: StatusResolved}, mar(2, 1), mar(2, 3), false},
		{"started to mitigated", ImpactTimes{StartedAt: tptr(mar(2, 0)), MitigatedAt: tptr(mar(2, 2)), ResolvedAt: tptr(mar(3, 0)), Status: StatusResolved}, mar(2, 0), mar(2, 2), false},
		{"detected to resolved", ImpactTimes{DetectedAt: tptr(mar(2, 0)), ResolvedAt: tptr(mar(2, 4)), Status: StatusResolved}, mar(2, 0), mar(2, 4), false},
		{"created, still open", ImpactTimes{CreatedAt: mar(9, 0), Status: StatusOpen}, mar(9, 0), now, true},
		{"closed without end times is empty", ImpactTimes{StartedAt: tptr(mar(2, 0)), Status: StatusResolved}, mar(2, 0), mar(2, 0), false},
		{"end before start is empty", ImpactTimes{StartedAt: tptr(mar(2, 5)), ImpactEndedAt: tptr(mar(2, 1)), Status: StatusResolved}, mar(2, 5), mar(2, 5), false},
		{"impact end in the future is ongoing", ImpactTimes{StartedAt: tptr(mar(10, 0)), ImpactEndedAt: tptr(mar(11, 0)), Status: StatusMitigated}, mar(10, 0), mar(11, 0), true},
		{"a resolved incident is never ongoing", ImpactTimes{StartedAt: tptr(mar(10, 0)), ImpactEndedAt: tptr(mar(11, 0)), Status: StatusResolved}, mar(10, 0), mar(11, 0), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			from, to := tc.times.Window(now)
			if !from.Equal(tc.from) || !to.Equal(tc.to) {
				t.Errorf("Window = %v .. %v, want %v .. %v", from, to, tc.from, tc.to)
			}
			if got := tc.times.Ongoing(now); got != tc.ongoing {
				t.Errorf("Ongoing = %v, want %v", got, tc.ongoing)
			}
		})
	}
}

func TestIncident_ValidatePublic(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(i *Incident)
		field string // "" = valid
		msg   string
	}{
		{"not public needs nothing", func(i *Incident) {}, "", ""},
		{"public with title and impact", func(i *Incident) {
			i.Public, i.PublicTitle, i.PublicImpact = true, "Login slow", ImpactDegraded
		}, "", ""},
		{"public needs a title", func(i *Incident) { i.Public, i.PublicImpact = true, ImpactDegraded }, "public_title", "required"},
		{"public needs an impact", func(i *Incident) { i.Public, i.PublicTitle = true, "x" }, "public_impact", "required"},
		{"unknown impact", func(i *Incident) { i.PublicImpact = "meltdown" }, "public_impact", "must be one of"},
		{"restricted cannot be public", func(i *Incident) {
			i.Public, i.PublicTitle, i.PublicImpact = true, "x", ImpactMajorOutage
			i.Visibility, i.RestrictedTo = VisibilityRestricted, []string{"sec"}
		}, "public", "a restricted incident cannot be public"},
		{"window backwards", func(i *Incident) {
			i.ImpactStartedAt, i.ImpactEndedAt = tptr(mar(2, 2)), tptr(mar(2, 1))
		}, "impact_ended_at", "must not be before impact_started_at"},
		{"summary too long", func(i *Incident) { i.PublicSummary = strings.Repeat("x", MaxPublicSummary+1) }, "public_summary", "at most"},
		{"impact in year 1", func(i *Incident) { i.ImpactStartedAt = tptr(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)) }, "impact_started_at", "before 1970"},
		{"impact long before the start", func(i *Incident) {
			i.StartedAt, i.ImpactStartedAt = tptr(mar(2, 0)), tptr(mar(2, 0).AddDate(-2, 0, 0))
		}, "impact_started_at", "more than a year before the incident started"},
		{"public and resolved without an end", func(i *Incident) {
			i.Public, i.PublicTitle, i.PublicImpact, i.Status, i.StartedAt = true, "x", ImpactMajorOutage, StatusResolved, tptr(mar(2, 0))
		}, "impact_ended_at", "is required for a public incident that is resolved"},
		{"impact ends after the resolution", func(i *Incident) {
			i.ResolvedAt, i.ImpactEndedAt = tptr(mar(2, 0)), tptr(mar(3, 0))
		}, "impact_ended_at", "must not be after resolved_at"},
		{"public and resolved with a resolved time", func(i *Incident) {
			i.Public, i.PublicTitle, i.PublicImpact, i.Status, i.ResolvedAt = true, "x", ImpactMajorOutage, StatusResolved, tptr(mar(2, 0))
		}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			i := Incident{Title: "DB down"}
			tc.edit(&i)
			i.Normalize()
			err := i.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || !strings.Contains(ve.Fields[tc.field], tc.msg) {
				t.Fatalf("Validate = %v, want %s: …%s…", err, tc.field, tc.msg)
			}
		})
	}
}

func TestIncidentUpdate_Validate(t *testing.T) {
	cases := []struct {
		name  string
		u     IncidentUpdate
		field string
	}{
		{"ok", IncidentUpdate{Status: "Investigating", Body: " We are looking. "}, ""},
		{"no body", IncidentUpdate{Status: UpdateIdentified, Body: "  "}, "body"},
		{"bad status", IncidentUpdate{Status: "fixed", Body: "x"}, "status"},
		{"long body", IncidentUpdate{Status: UpdateResolved, Body: strings.Repeat("y", MaxUpdateBody+1)}, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.u.Normalize()
			err := tc.u.Validate()
			if tc.field == "" {
				if err != nil || tc.u.Status != UpdateInvestigating || tc.u.Body != "We are looking." {
					t.Fatalf("Validate = %v, update %+v", err, tc.u)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || ve.Fields[tc.field] == "" {
				t.Fatalf("Validate = %v, want an error on %s", err, tc.field)
			}
		})
	}
}

func TestStatusServices_Validate(t *testing.T) {
	list := NormalizeStatusServices([]StatusService{{Name: " api "}, {Name: "Web", DisplayName: "Website"}, {Name: "API"}, {Name: "a,b"}})
	if list[0].DisplayName != "api" || list[1].Position != 1 {
		t.Fatalf("normalized = %+v", list)
	}
	err := ValidateStatusServices(list)
	ve, ok := err.(*ValidationError)
	if !ok || !strings.Contains(ve.Fields["services[2].name"], "repeats services[0].name") || ve.Fields["services[3].name"] == "" {
		t.Fatalf("ValidateStatusServices = %v", err)
	}
	if err := ValidateStatusServices(list[:2]); err != nil {
		t.Fatalf("valid list: %v", err)
	}
}

func TestPublicSlug(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	s := PublicSlug(42, at)
	if len(s) != 16 || strings.ToLower(s) != s || strings.Contains(s, "42") {
		t.Fatalf("slug %q", s)
	}
	if PublicSlug(42, at.Truncate(time.Microsecond)) != s || PublicSlug(42, at.In(time.FixedZone("x", 3600))) != s {
		t.Errorf("the slug must not depend on sub-microsecond digits or the zone")
	}
	if PublicSlug(43, at) == s || PublicSlug(42, at.Add(time.Microsecond)) == s {
		t.Errorf("different incidents share a slug")
	}
	if PublicPath(s) != "/status/incidents/"+s {
		t.Errorf("path %q", PublicPath(s))
	}
}
