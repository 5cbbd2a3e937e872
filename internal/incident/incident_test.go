package incident

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestIncident_Validate(t *testing.T) {
	tests := []struct {
		name       string
		inc        Incident
		wantFields []string // fields that must be reported; none = valid
	}{
		{name: "minimal", inc: Incident{Title: "Checkout down"}},
		{name: "missing title", inc: Incident{}, wantFields: []string{"title"}},
		{name: "long title", inc: Incident{Title: strings.Repeat("x", MaxTitle+1)}, wantFields: []string{"title"}},
		{name: "bad severity", inc: Incident{Title: "x", Severity: "SEV9"}, wantFields: []string{"severity"}},
		{name: "lower-case severity is fine", inc: Incident{Title: "x", Severity: "sev1"}},
		{name: "bad status", inc: Incident{Title: "x", Status: "closed"}, wantFields: []string{"status"}},
		{name: "restricted needs members", inc: Incident{Title: "x", Visibility: VisibilityRestricted}, wantFields: []string{"restricted_to"}},
		{name: "resolved before started", inc: Incident{Title: "x", StartedAt: at("2026-01-02T10:00:00Z"), ResolvedAt: at("2026-01-02T09:00:00Z")}, wantFields: []string{"resolved_at"}},
		{name: "detected before started", inc: Incident{Title: "x", StartedAt: at("2026-01-02T10:00:00Z"), DetectedAt: at("2026-01-02T09:59:59Z")}, wantFields: []string{"detected_at"}},
		{name: "mitigated after resolved", inc: Incident{Title: "x", MitigatedAt: at("2026-01-02T11:00:00Z"), ResolvedAt: at("2026-01-02T10:00:00Z")}, wantFields: []string{"resolved_at"}},
		{name: "gaps are fine", inc: Incident{Title: "x", StartedAt: at("2026-01-02T10:00:00Z"), ResolvedAt: at("2026-01-02T12:00:00+01:00")}},
		{name: "offsets compared as instants", inc: Incident{Title: "x", StartedAt: at("2026-01-02T10:00:00+02:00"), ResolvedAt: at("2026-01-02T09:00:00Z")}},
		{name: "comma in label", inc: Incident{Title: "x", Services: []string{"a,b"}}, wantFields: []string{"services[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.inc.Normalize()
			err := tt.inc.Validate()
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			for _, f := range tt.wantFields {
				if _, ok := v.Fields[f]; !ok {
					t.Errorf("field %q not reported in %v", f, v.Fields)
				}
			}
		})
	}
}

func TestIncident_Normalize(t *testing.T) {
	inc := Incident{Title: "  t ", Services: []string{" api ", "API", "", "db"}, StartedAt: at("2026-01-02T10:00:00.1234567+02:00")}
	inc.Normalize()
	if inc.Title != "t" || len(inc.Services) != 2 || inc.Services[0] != "api" || inc.Services[1] != "db" {
		t.Fatalf("normalize: %+v", inc)
	}
	if inc.Tags == nil || inc.Teams == nil {
		t.Fatal("labels must never be nil")
	}
	if inc.StartedAt.Location() != time.UTC || inc.StartedAt.Nanosecond() != 123456000 {
		t.Fatalf("started_at = %v, want UTC truncated to µs", inc.StartedAt)
	}
	if inc.Severity != SEV3 || inc.Status != StatusOpen || inc.Visibility != VisibilityInternal {
		t.Fatalf("defaults: %+v", inc)
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
		ok   bool
	}{
		{"key", "INC-42", 42, true},
		{"lower", "inc-7", 7, true},
		{"zero", "INC-0", 0, false},
		{"negative", "INC--1", 0, false},
		{"number only", "42", 0, false},
		{"prefix only", "INC-", 0, false},
		{"junk", "INC-4x", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := ParseKey(tt.in)
			if n != tt.want || ok != tt.ok {
				t.Fatalf("ParseKey(%q) = %d, %v", tt.in, n, ok)
			}
			if ok && FormatKey(n) != strings.ToUpper(tt.in) {
				t.Fatalf("FormatKey(%d) = %s", n, FormatKey(n))
			}
		})
	}
}

func TestIncidentPatch_Apply(t *testing.T) {
	var req struct {
		Title      Opt[string]     `json:"title"`
		Summary    Opt[string]     `json:"summary"`
		ResolvedAt Opt[*time.Time] `json:"resolved_at"`
		Tags       Opt[[]string]   `json:"tags"`
	}
	if err := json.Unmarshal([]byte(`{"title":"new","resolved_at":null,"tags":["a"]}`), &req); err != nil {
		t.Fatal(err)
	}
	if req.Summary.Set || !req.ResolvedAt.Set {
		t.Fatalf("absent vs null not told apart: %+v", req)
	}
	p := IncidentPatch{Title: req.Title, Summary: req.Summary, ResolvedAt: req.ResolvedAt, Tags: req.Tags}
	inc := Incident{Title: "old", Summary: "keep", ResolvedAt: at("2026-01-01T00:00:00Z")}
	cols := p.Apply(&inc)
	if strings.Join(cols, ",") != "title,tags,resolved_at" {
		t.Fatalf("cols = %v", cols)
	}
	if inc.Title != "new" || inc.Summary != "keep" || inc.ResolvedAt != nil || inc.Tags[0] != "a" {
		t.Fatalf("applied: %+v", inc)
	}
}

func TestTimelineEvent_Validate(t *testing.T) {
	ok := TimelineEvent{OccurredAt: *at("2026-01-02T10:00:00Z"), Body: "hi"}
	tests := []struct {
		name      string
		mod       func(e *TimelineEvent)
		wantField string
	}{
		{name: "valid", mod: func(*TimelineEvent) {}},
		{name: "no time", mod: func(e *TimelineEvent) { e.OccurredAt = time.Time{} }, wantField: "occurred_at"},
		{name: "no body", mod: func(e *TimelineEvent) { e.Body = "  " }, wantField: "body"},
		{name: "bad kind", mod: func(e *TimelineEvent) { e.Kind = "tweet" }, wantField: "kind"},
		{name: "bad source", mod: func(e *TimelineEvent) { e.Source = "Slack Export!" }, wantField: "source"},
		{name: "bad link", mod: func(e *TimelineEvent) { e.Link = "javascript:alert(1)" }, wantField: "link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.mod(&e)
			e.Normalize()
			err := e.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatal(err)
				}
				if e.Source != SourceManual || e.Kind != KindNote {
					t.Fatalf("defaults: %+v", e)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Fields[tt.wantField] == "" {
				t.Fatalf("err = %v, want field %s", err, tt.wantField)
			}
		})
	}
}

func TestRCA_Validate(t *testing.T) {
	r := RCA{Sections: []Section{{Title: "Event description"}, {Title: "Root causes", Audience: "public"}, {Key: "root-causes", Title: "Again"}}}
	r.Normalize()
	if r.Sections[0].Key != "event-description" || r.Sections[0].Audience != AudienceInternal || r.Status != RCADraft {
		t.Fatalf("normalize: %+v", r)
	}
	var v *ValidationError
	if err := r.Validate(); !errors.As(err, &v) || v.Fields["sections[2].key"] == "" {
		t.Fatalf("want duplicate key error, got %v", err)
	}
	r.Sections[1].Audience = "everyone"
	r.Sections = r.Sections[:2]
	if err := r.Validate(); !errors.As(err, &v) || v.Fields["sections[1].audience"] == "" {
		t.Fatalf("want audience error, got %v", err)
	}
}

func TestCorrectiveAction_Overdue(t *testing.T) {
	today := Date{2026, 11, 24}
	yesterday := today.AddDays(-1)
	tests := []struct {
		name string
		a    CorrectiveAction
		want bool
	}{
		{"open past due", CorrectiveAction{Status: ActionOpen, DueDate: &yesterday}, true},
		{"due today", CorrectiveAction{Status: ActionOpen, DueDate: &today}, false},
		{"done past due", CorrectiveAction{Status: ActionDone, DueDate: &yesterday}, false},
		{"wont do", CorrectiveAction{Status: ActionWontDo, DueDate: &yesterday}, false},
		{"no due date", CorrectiveAction{Status: ActionInProgress}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Overdue(today); got != tt.want {
				t.Fatalf("Overdue = %v", got)
			}
		})
	}
}

func TestDate_JSON(t *testing.T) {
	var d Date
	if err := json.Unmarshal([]byte(`"2026-02-28"`), &d); err != nil || d.String() != "2026-02-28" {
		t.Fatalf("d = %v, err = %v", d, err)
	}
	for _, bad := range []string{`"2026-02-30"`, `"28/02/2026"`, `20260228`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s: want error", bad)
		}
	}
	if d.AddDays(1).String() != "2026-03-01" {
		t.Fatalf("AddDays: %v", d.AddDays(1))
	}
}

func TestCursor_RoundTrip(t *testing.T) {
	c := Cursor{Value: "2026-01-02T10:00:00Z", ID: 9}
	got, err := DecodeCursor(EncodeCursor(c))
	if err != nil || *got != c {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"%%%", "e30", "bm90IGpzb24"} {
		if _, err := DecodeCursor(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestErrors(t *testing.T) {
	if !errors.Is(NotFound("incident", "INC-1"), ErrNotFound) {
		t.Fatal("NotFound must wrap ErrNotFound")
	}
	if !errors.Is(&ConflictError{Object: "rca"}, ErrConflict) {
		t.Fatal("ConflictError must wrap ErrConflict")
	}
	v := &ValidationError{}
	if v.Err() != nil {
		t.Fatal("empty ValidationError must be nil")
	}
	v.Add("a", "first")
	v.Add("a", "second")
	v.Merge("events[1].", &ValidationError{Fields: map[string]string{"body": "is required"}})
	if v.Fields["a"] != "first" || v.Fields["events[1].body"] == "" || !strings.Contains(v.Error(), "events[1].body: is required") {
		t.Fatalf("fields = %v", v.Fields)
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "héllo", "héllo"},
		{"nul", "a\x00b", "ab"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in); got != tt.want {
				t.Fatalf("CleanText(%q) = %q", tt.in, got)
			}
		})
	}
	e := TimelineEvent{Body: "x\x00y"}
	e.Normalize()
	if e.Body != "xy" {
		t.Fatalf("Normalize kept NUL: %q", e.Body)
	}
}

func TestIncident_Durations(t *testing.T) {
	inc := Incident{StartedAt: at("2026-01-02T10:00:00Z"), DetectedAt: at("2026-01-02T10:05:00Z"),
		AcknowledgedAt: at("2026-01-02T10:07:00Z"), ResolvedAt: at("2026-01-02T11:00:00Z")}
	d := inc.Durations()
	if *d.ToDetect != 5*time.Minute || *d.ToAcknowledge != 2*time.Minute || d.ToMitigate != nil || *d.ToResolve != time.Hour {
		t.Fatalf("durations: %+v", d)
	}
	inc.DetectedAt = nil
	if d := inc.Durations(); *d.ToAcknowledge != 7*time.Minute || d.ToDetect != nil {
		t.Fatalf("acknowledge without detection counts from start: %+v", d)
	}
}

func TestPatch_CheckRejectsClearingRequiredFields(t *testing.T) {
	tests := []struct {
		name  string
		check func() error
		field string
	}{
		{"incident visibility", (&IncidentPatch{Visibility: Some(Visibility(""))}).Check, "visibility"},
		{"incident severity", (&IncidentPatch{Severity: Some(Severity(""))}).Check, "severity"},
		{"action status", (&ActionPatch{Status: Some(ActionStatus(""))}).Check, "status"},
		{"root cause category", (&RootCausePatch{Category: Some(RootCauseCategory(""))}).Check, "category"},
		{"event body", (&TimelineEventPatch{Body: Some("")}).Check, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v *ValidationError
			if err := tt.check(); !errors.As(err, &v) || v.Fields[tt.field] == "" {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if err := (&IncidentPatch{Summary: Some("")}).Check(); err != nil {
		t.Fatalf("clearing an optional field: %v", err)
	}
}

func TestValidate_TimeRange(t *testing.T) {
	far := time.Date(9999, 12, 31, 23, 30, 0, 0, time.FixedZone("", -5*3600))
	inc := Incident{Title: "x", StartedAt: &far}
	inc.Normalize()
	var v *ValidationError
	if err := inc.Validate(); !errors.As(err, &v) || v.Fields["started_at"] == "" {
		t.Fatalf("year 10000 accepted: %v", err)
	}
	e := TimelineEvent{OccurredAt: time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC), Body: "x"}
	e.Normalize()
	if err := e.Validate(); !errors.As(err, &v) || v.Fields["occurred_at"] == "" {
		t.Fatalf("year 0 accepted: %v", err)
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "payments", "payments"},
		{"empty", "", ""},
		{"formula", "=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"plus", "+1", "'+1"},
		{"minus", "-1", "'-1"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\tx", "'\tx"},
		{"inner equals", "a=b", "a=b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SpreadsheetSafe(tc.in); got != tc.want {
				t.Errorf("SpreadsheetSafe(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
