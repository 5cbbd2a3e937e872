package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// as is ctx acting as the named user.
func as(name string) context.Context {
	return incident.WithActor(context.Background(), incident.Actor{Name: name})
}

// wantCode fails unless err is a TransitionError with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var te *incident.TransitionError
	if !errors.As(err, &te) || te.ErrorCode() != code {
		t.Fatalf("err = %v, want a transition error %s", err, code)
	}
	if _, ok := te.Current.(incident.RCA); !ok {
		t.Errorf("transition error without the current RCA: %#v", te.Current)
	}
}

// wantField fails unless err is a ValidationError naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var v *incident.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("err = %v, want a validation error on %s", err, field)
	}
	if _, ok := v.Fields[field]; !ok {
		t.Fatalf("fields %v do not name %s", v.Fields, field)
	}
}

// wantConflict fails unless err is a version conflict carrying the RCA at version.
func wantConflict(t *testing.T, err error, version int) {
	t.Helper()
	var ce *incident.ConflictError
	if !errors.As(err, &ce) || ce.Current.(incident.RCA).Version != version {
		t.Fatalf("err = %v, want a conflict holding version %d", err, version)
	}
}

// result holds what a call returned, so that try(call()).must(t) reads
// in one line.
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must fails the test on the error and returns the value.
func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func TestApp_RCAComments(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		_, err := a.AddRCAComment(ctx, inc.Key, incident.Comment{SectionKey: "timeline", Body: "x"})
		wantNotFoundOf(t, err, "rca")
		try(a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{{Key: "timeline", Title: "Timeline"}}})).must(t)

		c := try(a.AddRCAComment(as("ana"), inc.Key, incident.Comment{SectionKey: "timeline", Body: " Add 10:04. ", Author: "mallory"})).must(t)
		if c.ID == 0 || c.Author != "ana" || c.Body != "Add 10:04." || !c.CreatedAt.Equal(a.Now()) || c.ResolvedAt != nil {
			t.Fatalf("comment: %+v", c)
		}
		_, err = a.AddRCAComment(ctx, inc.Key, incident.Comment{SectionKey: "impact", Body: "x"})
		wantField(t, err, "section_key")

		res := try(a.ResolveRCAComment(as("bo"), inc.Key, c.ID)).must(t)
		if res.ResolvedBy != "bo" || res.ResolvedAt == nil {
			t.Fatalf("resolved: %+v", res)
		}
		_, err = a.ResolveRCAComment(ctx, inc.Key, c.ID+100)
		wantNotFoundOf(t, err, "rca_comment")
		other := mustIncident(t, a)
		try(a.SaveRCA(ctx, other.Key, incident.RCA{Sections: []incident.Section{{Key: "timeline", Title: "Timeline"}}})).must(t)
		_, err = a.ResolveRCAComment(ctx, other.Key, c.ID)
		wantNotFoundOf(t, err, "rca_comment")

		list := try(a.RCAComments(ctx, inc.Key)).must(t)
		if len(list) != 1 || list[0].ResolvedBy != "bo" {
			t.Errorf("comments: %+v", list)
		}
		if none := try(a.RCAComments(ctx, other.Key)).must(t); len(none) != 0 {
			t.Errorf("comments of another RCA: %+v", none)
		}
	})
}

func wantNotFoundOf(t *testing.T, err error, object string) {
	t.Helper()
	var nf *incident.NotFoundError
	if !errors.As(err, &nf) || nf.Object != object {
		t.Fatalf("err = %v, want %s not found", err, object)
	}
}

// TestApp_ReviewWorkflow walks an RCA from draft through two review rounds
// to published, amends it, and then reads, diffs and restores its revisions.
func TestApp_ReviewWorkflow(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		r := try(a.SaveRCA(as("alice"), inc.Key, incident.RCA{Sections: []incident.Section{
			{Key: "summary", Title: "Summary", Body: "Checkout failed.\n", Required: true},
			{Key: "timeline", Title: "Timeline", Required: true, Block: incident.BlockTimeline},
			{Key: "notes", Title: "Notes"},
		}})).must(t)

		// Submitting needs reviewers and the version.
		_, err := a.SubmitRCA(ctx, inc.Key, nil, ptr(1))
		wantField(t, err, "reviewers")
		_, err = a.SubmitRCA(ctx, inc.Key, []string{"ana"}, nil)
		wantField(t, err, "version")
		_, err = a.SubmitRCA(ctx, inc.Key, []string{"ana"}, ptr(7))
		wantConflict(t, err, 1)

		r = try(a.SubmitRCA(as("alice"), inc.Key, []string{"ana", " bo "}, ptr(r.Version))).must(t)
		if r.Status != incident.RCAInReview || r.Version != 2 || r.ReviewRound != 1 || len(r.Reviewers) != 2 ||
			r.Reviewers[1].Reviewer != "bo" || r.Reviewers[1].State != incident.ReviewRequested {
			t.Fatalf("submitted: %+v", r)
		}
		_, err = a.SubmitRCA(ctx, inc.Key, []string{"ana"}, ptr(r.Version))
		wantCode(t, err, incident.CodeInvalidTransition)
		_, err = a.SaveRCA(ctx, inc.Key, incident.RCA{Version: r.Version, Status: incident.RCAPublished, Sections: r.Sections})
		wantCode(t, err, incident.CodeInvalidTransition)
		_, err = a.ApproveRCA(ctx, inc.Key, "cy", "", nil)
		wantField(t, err, "reviewer")
		_, err = a.PublishRCA(ctx, inc.Key, ptr(r.Version))
		wantField(t, err, "sections[timeline]")

		// bo sends it back; an anonymous request names him.
		r = try(a.RequestRCAChanges(ctx, inc.Key, "bo", "The timeline is empty.", nil)).must(t)
		if r.Status != incident.RCADraft || r.Version != 3 || r.Reviewers[1].State != incident.ReviewChangesRequested ||
			r.Reviewers[1].Note != "The timeline is empty." || r.Reviewers[1].DecidedAt == nil {
			t.Fatalf("changes requested: %+v", r)
		}
		_, err = a.ApproveRCA(as("ana"), inc.Key, "", "", nil)
		wantCode(t, err, incident.CodeNotInReview)
		_, err = a.PublishRCA(ctx, inc.Key, ptr(r.Version))
		wantCode(t, err, incident.CodeNotInReview)

		// Round two: only ana, who approves.
		r = try(a.SubmitRCA(as("alice"), inc.Key, []string{"ana"}, ptr(r.Version))).must(t)
		if r.ReviewRound != 2 || len(r.Reviewers) != 1 {
			t.Fatalf("round 2: %+v", r)
		}
		_, err = a.ApproveRCA(as("ana"), inc.Key, "", "", ptr(3))
		wantConflict(t, err, 4)
		_, err = a.ApproveRCA(as("ana"), inc.Key, "bo", "", nil)
		wantField(t, err, "reviewer")
		r = try(a.ApproveRCA(as("ana"), inc.Key, "", "Good work.", ptr(r.Version))).must(t)
		if r.Version != 4 || r.Reviewers[0].State != incident.ReviewApproved || r.Reviewers[0].Note != "Good work." {
			t.Fatalf("approved: %+v", r)
		}
		_, err = a.PublishRCA(ctx, inc.Key, ptr(r.Version))
		wantField(t, err, "sections[timeline]")

		// Filling the section keeps it in review but dismisses the approval:
		// what is published must be what was approved.
		secs := append([]incident.Section(nil), r.Sections...)
		secs[1].Body = "- 10:00 alerts\n- 10:20 rollback\n"
		r = try(a.SaveRCA(as("alice"), inc.Key, incident.RCA{Version: r.Version, Sections: secs})).must(t)
		if r.Status != incident.RCAInReview || r.Version != 5 || r.Reviewers[0].State != incident.ReviewRequested {
			t.Fatalf("filled: %+v", r)
		}
		_, err = a.PublishRCA(as("carol"), inc.Key, ptr(r.Version))
		var te *incident.TransitionError
		if !errors.As(err, &te) || te.Code != incident.CodeApprovalRequired {
			t.Fatalf("publishing edited text on a dismissed approval: %v", err)
		}
		r = try(a.ApproveRCA(as("ana"), inc.Key, "", "Still good.", ptr(r.Version))).must(t)
		r = try(a.PublishRCA(as("carol"), inc.Key, ptr(r.Version))).must(t)
		if r.Status != incident.RCAPublished || r.Version != 6 || r.PublishedBy != "carol" || r.PublishedAt == nil || !r.PublishedAt.Equal(a.Now()) {
			t.Fatalf("published: %+v", r)
		}

		// A published RCA changes only through amend.
		_, err = a.SaveRCA(ctx, inc.Key, incident.RCA{Version: r.Version, Sections: secs})
		wantCode(t, err, incident.CodePublished)
		_, err = a.RestoreRCARevision(ctx, inc.Key, 1, ptr(r.Version))
		wantCode(t, err, incident.CodePublished)
		_, err = a.PublishRCA(ctx, inc.Key, ptr(r.Version))
		wantCode(t, err, incident.CodePublished)
		_, err = a.AmendRCA(ctx, inc.Key, "  ", ptr(r.Version))
		wantField(t, err, "reason")
		_, err = a.AmendRCA(ctx, inc.Key, "Wrong trigger.", ptr(5))
		wantConflict(t, err, 6)
		r = try(a.AmendRCA(as("alice"), inc.Key, "Wrong trigger.", ptr(r.Version))).must(t)
		if r.Status != incident.RCADraft || r.Version != 7 || r.AmendReason != "Wrong trigger." || r.PublishedBy != "carol" {
			t.Fatalf("amended: %+v", r)
		}
		_, err = a.AmendRCA(ctx, inc.Key, "again", ptr(r.Version))
		wantCode(t, err, incident.CodeInvalidTransition)

		// Every step is a revision with its reason.
		page := try(a.RCARevisions(ctx, inc.Key, 0, nil)).must(t)
		wantReasons := []string{"amended: Wrong trigger.", "published", "", "submitted for review to ana",
			"changes requested by bo: The timeline is empty.", "submitted for review to ana, bo", ""}
		if page.Total != 7 || len(page.Items) != 7 || page.NextCursor != "" {
			t.Fatalf("revisions: %+v", page)
		}
		for i, rev := range page.Items {
			if rev.Version != 7-i || rev.Reason != wantReasons[i] {
				t.Errorf("revision %d: version %d, reason %q; want %q", i, rev.Version, rev.Reason, wantReasons[i])
			}
		}
		if c := page.Items[2].Changes; strings.Join(c.Changed, ",") != "timeline" || len(c.Added)+len(c.Removed) != 0 {
			t.Errorf("changes of version 5: %+v", c)
		}
		if c := page.Items[6].Changes; strings.Join(c.Added, ",") != "summary,timeline,notes" {
			t.Errorf("changes of version 1: %+v", c)
		}
		if page.Items[0].Author != "alice" || page.Items[1].Author != "carol" || page.Items[1].Status != incident.RCAPublished {
			t.Errorf("authors and statuses: %+v", page.Items[:2])
		}
		first := try(a.RCARevisions(ctx, inc.Key, 3, nil)).must(t)
		cursor := try(incident.DecodeCursor(first.NextCursor)).must(t)
		second := try(a.RCARevisions(ctx, inc.Key, 3, cursor)).must(t)
		if len(first.Items) != 3 || first.NextCursor == "" || len(second.Items) != 3 || second.Items[0].Version != 4 ||
			!second.Items[0].Changes.Empty() || second.Items[2].Version != 2 {
			t.Errorf("pages: %+v then %+v", first, second)
		}

		d := try(a.DiffRCARevisions(ctx, inc.Key, 1, 5)).must(t)
		if len(d.Sections) != 3 || d.Sections[0].Change != incident.SectionUnchanged || d.Sections[1].Change != incident.SectionChanged ||
			d.Sections[1].Diff != "--- v1/timeline\n+++ v5/timeline\n@@ -0,0 +1,2 @@\n+- 10:00 alerts\n+- 10:20 rollback\n" {
			t.Errorf("diff 1..5: %+v", d)
		}
		_, err = a.DiffRCARevisions(ctx, inc.Key, 1, 99)
		wantNotFoundOf(t, err, "rca_revision")
		v1 := try(a.RCARevision(ctx, inc.Key, 1)).must(t)
		if v1.Sections[1].Body != "" || v1.Author != "alice" {
			t.Errorf("revision 1: %+v", v1)
		}

		// Restoring version 1 is a new save; nothing is deleted.
		_, err = a.RestoreRCARevision(ctx, inc.Key, 1, ptr(6))
		wantConflict(t, err, 7)
		_, err = a.RestoreRCARevision(ctx, inc.Key, 99, ptr(7))
		wantNotFoundOf(t, err, "rca_revision")
		r = try(a.RestoreRCARevision(ctx, inc.Key, 1, ptr(7))).must(t)
		if r.Version != 8 || r.Status != incident.RCADraft || r.Sections[1].Body != "" || !r.Sections[1].Required {
			t.Fatalf("restored: %+v", r)
		}
		page = try(a.RCARevisions(ctx, inc.Key, 0, nil)).must(t)
		if page.Total != 8 || page.Items[0].Reason != "restored from version 1" || strings.Join(page.Items[0].Changes.Changed, ",") != "timeline" {
			t.Errorf("after restore: %+v", page.Items[0])
		}
	})
}

func TestApp_PublishNeedsAnApproval(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		r := try(a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{
			{Key: "summary", Title: "Summary", Body: "Filled.", Required: true}}})).must(t)
		r = try(a.SubmitRCA(ctx, inc.Key, []string{"ana", "bo"}, ptr(r.Version))).must(t)
		_, err := a.PublishRCA(ctx, inc.Key, ptr(r.Version))
		wantCode(t, err, incident.CodeApprovalRequired)
		try(a.ApproveRCA(as("bo"), inc.Key, "", "", nil)).must(t)
		r = try(a.PublishRCA(ctx, inc.Key, ptr(r.Version))).must(t)
		if r.Status != incident.RCAPublished || r.PublishedBy != incident.Anonymous || r.Reviewers[1].State != incident.ReviewApproved {
			t.Fatalf("published: %+v", r)
		}
	})
}
