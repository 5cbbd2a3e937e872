package incident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckTransition(t *testing.T) {
	tests := []struct {
		name     string
		from, to RCAStatus
		wantCode string // "" = allowed
	}{
		{name: "submit", from: RCADraft, to: RCAInReview},
		{name: "request changes", from: RCAInReview, to: RCADraft},
		{name: "publish", from: RCAInReview, to: RCAPublished},
		{name: "amend", from: RCAPublished, to: RCADraft},
		{name: "publish a draft", from: RCADraft, to: RCAPublished, wantCode: CodeNotInReview},
		{name: "review a published rca", from: RCAPublished, to: RCAInReview, wantCode: CodePublished},
		{name: "publish twice", from: RCAPublished, to: RCAPublished, wantCode: CodePublished},
		{name: "submit twice", from: RCAInReview, to: RCAInReview, wantCode: CodeInvalidTransition},
		{name: "draft to draft", from: RCADraft, to: RCADraft, wantCode: CodeInvalidTransition},
		{name: "unknown status", from: "archived", to: RCADraft, wantCode: CodeInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertTransition(t, CheckTransition(tt.from, tt.to), tt.wantCode)
		})
	}
}

// assertTransition checks that err is nil when wantCode is "", and
// otherwise a *TransitionError with that code.
func assertTransition(t *testing.T, err error, wantCode string) {
	t.Helper()
	if wantCode == "" {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	var te *TransitionError
	if !errors.As(err, &te) || !errors.Is(err, ErrInvalidTransition) {
		t.Fatalf("err = %v, want a TransitionError", err)
	}
	if te.ErrorCode() != wantCode || te.Error() == "" {
		t.Errorf("code = %q (%v), want %q", te.ErrorCode(), te, wantCode)
	}
}

func TestCheckEdit(t *testing.T) {
	tests := []struct {
		name     string
		cur, req RCAStatus
		want     RCAStatus // "" = the current status
		wantCode string
	}{
		{name: "new without status", cur: "", req: "", want: RCADraft},
		{name: "new as draft", cur: "", req: RCADraft, want: RCADraft},
		{name: "new as published", cur: "", req: RCAPublished, want: RCADraft, wantCode: CodeInvalidTransition},
		{name: "draft without status", cur: RCADraft, req: ""},
		{name: "draft as draft", cur: RCADraft, req: RCADraft},
		{name: "in review without status", cur: RCAInReview, req: ""},
		{name: "in review as in review", cur: RCAInReview, req: RCAInReview},
		{name: "submit by saving", cur: RCADraft, req: RCAInReview, wantCode: CodeInvalidTransition},
		{name: "publish by saving", cur: RCAInReview, req: RCAPublished, wantCode: CodeInvalidTransition},
		{name: "edit a published rca", cur: RCAPublished, req: "", wantCode: CodePublished},
		{name: "edit a published rca as published", cur: RCAPublished, req: RCAPublished, wantCode: CodePublished},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckEdit(tt.cur, tt.req)
			assertTransition(t, err, tt.wantCode)
			want := tt.cur
			if tt.want != "" {
				want = tt.want
			}
			if got != want {
				t.Errorf("status = %q, want %q", got, want)
			}
		})
	}
}

func TestCheckReviewable(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   RCAStatus
		wantCode string
	}{
		{name: "in review", status: RCAInReview},
		{name: "draft", status: RCADraft, wantCode: CodeNotInReview},
		{name: "published", status: RCAPublished, wantCode: CodeNotInReview},
	} {
		t.Run(tt.name, func(t *testing.T) { assertTransition(t, CheckReviewable(tt.status), tt.wantCode) })
	}
}

func TestCheckPublishable(t *testing.T) {
	filled := []Section{
		{Key: "summary", Title: "Summary", Body: "It broke.", Required: true},
		{Key: "notes", Title: "Notes"},
	}
	empty := []Section{
		{Key: "summary", Title: "Summary", Body: " \n\t", Required: true},
		{Key: "timeline", Title: "Timeline", Required: true},
		{Key: "notes", Title: "Notes"},
	}
	decided := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pending := []Review{{Reviewer: "ana", State: ReviewRequested}, {Reviewer: "bo", State: ReviewRequested}}
	approved := []Review{{Reviewer: "ana", State: ReviewRequested}, {Reviewer: "bo", State: ReviewApproved, DecidedAt: &decided}}
	tests := []struct {
		name       string
		rca        RCA
		round      []Review
		wantCode   string
		wantFields []string
	}{
		{name: "approved and filled", rca: RCA{Status: RCAInReview, Sections: filled}, round: approved},
		{name: "no reviewers named", rca: RCA{Status: RCAInReview, Sections: filled}},
		{name: "draft", rca: RCA{Status: RCADraft, Sections: filled}, round: approved, wantCode: CodeNotInReview},
		{name: "already published", rca: RCA{Status: RCAPublished, Sections: filled}, round: approved, wantCode: CodePublished},
		{name: "no approval yet", rca: RCA{Status: RCAInReview, Sections: filled}, round: pending, wantCode: CodeApprovalRequired},
		{name: "required sections blank", rca: RCA{Status: RCAInReview, Sections: empty}, round: approved,
			wantFields: []string{"sections[summary]", "sections[timeline]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPublishable(tt.rca, tt.round, nil)
			if len(tt.wantFields) == 0 {
				assertTransition(t, err, tt.wantCode)
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || len(v.Fields) != len(tt.wantFields) {
				t.Fatalf("err = %v, want fields %v", err, tt.wantFields)
			}
			for _, f := range tt.wantFields {
				if _, ok := v.Fields[f]; !ok {
					t.Errorf("field %q not reported in %v", f, v.Fields)
				}
			}
		})
	}
}

func TestNormalizeReviewers(t *testing.T) {
	many := make([]string, MaxReviewers+1)
	for i := range many {
		many[i] = "r" + string(rune('a'+i))
	}
	tests := []struct {
		name       string
		in         []string
		want       []string
		wantFields []string
	}{
		{name: "trimmed and deduplicated", in: []string{" ana ", "bo", "Ana"}, want: []string{"ana", "bo"}},
		{name: "none", in: nil, wantFields: []string{"reviewers"}},
		{name: "blank name", in: []string{"ana", "  "}, wantFields: []string{"reviewers[1]"}},
		{name: "long name", in: []string{strings.Repeat("x", MaxName+1)}, wantFields: []string{"reviewers[0]"}},
		{name: "too many", in: many, wantFields: []string{"reviewers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeReviewers(tt.in)
			if len(tt.wantFields) == 0 {
				if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
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

func TestComment_Validate(t *testing.T) {
	r := RCA{Sections: []Section{{Key: "timeline", Title: "Timeline"}}}
	tests := []struct {
		name       string
		c          Comment
		wantFields []string
	}{
		{name: "ok", c: Comment{SectionKey: " timeline ", Body: " Add the 10:04 page. "}},
		{name: "unknown section", c: Comment{SectionKey: "impact", Body: "x"}, wantFields: []string{"section_key"}},
		{name: "no section", c: Comment{Body: "x"}, wantFields: []string{"section_key"}},
		{name: "no body", c: Comment{SectionKey: "timeline", Body: "  "}, wantFields: []string{"body"}},
		{name: "long body", c: Comment{SectionKey: "timeline", Body: strings.Repeat("x", MaxSummary+1)}, wantFields: []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate(r)
			if len(tt.wantFields) == 0 {
				if err != nil || tt.c.SectionKey != "timeline" || tt.c.Body != "Add the 10:04 page." {
					t.Fatalf("err = %v, comment %+v", err, tt.c)
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

func TestFindReview(t *testing.T) {
	round := []Review{{Reviewer: "Ana"}, {Reviewer: "bo"}}
	for _, tt := range []struct {
		name string
		who  string
		want bool
	}{
		{name: "exact", who: "bo", want: true},
		{name: "other case", who: "ana", want: true},
		{name: "not named", who: "cy", want: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := FindReview(round, tt.who); ok != tt.want {
				t.Errorf("FindReview(%q) = %v", tt.who, ok)
			}
		})
	}
	if got := strings.Join(Reviewers(round), ","); got != "Ana,bo" {
		t.Errorf("Reviewers = %q", got)
	}
}
