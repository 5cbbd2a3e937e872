package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// createRCA stores a draft RCA with one section for a new incident.
func createRCA(t *testing.T, s *store.Store, title string) incident.RCA {
	t.Helper()
	inc := createIncident(t, s, newIncident(title))
	r := incident.RCA{IncidentID: inc.ID, Status: incident.RCADraft, UpdatedBy: "alice",
		Sections: []incident.Section{{Key: "timeline", Title: "Timeline", Audience: incident.AudienceInternal}}}
	if err := s.CreateRCA(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// wantNotFound fails unless err is a not-found of object.
func wantNotFound(t *testing.T, err error, object string) {
	t.Helper()
	var nf *incident.NotFoundError
	if !errors.As(err, &nf) || nf.Object != object {
		t.Errorf("err = %v, want %s not found", err, object)
	}
}

func TestStore_ReviewRounds(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := createRCA(t, s, "reviews")
		at := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		if err := s.StartReviewRound(ctx, r.ID, 1, []string{"ana", "bo"}, at); err != nil {
			t.Fatal(err)
		}
		got, err := s.RCA(ctx, r.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		want := []incident.Review{
			{RCAID: r.ID, Round: 1, Reviewer: "ana", State: incident.ReviewRequested, RequestedAt: at},
			{RCAID: r.ID, Round: 1, Reviewer: "bo", State: incident.ReviewRequested, RequestedAt: at},
		}
		if got.ReviewRound != 1 {
			t.Errorf("review round = %d", got.ReviewRound)
		}
		if diff := cmp.Diff(want, got.Reviewers, cmpIgnoreID); diff != "" {
			t.Errorf("reviewers (-want +got):\n%s", diff)
		}

		decided := at.Add(time.Hour)
		rv, err := s.DecideReview(ctx, incident.Review{RCAID: r.ID, Round: 1, Reviewer: "bo",
			State: incident.ReviewApproved, Note: "LGTM", DecidedAt: &decided})
		if err != nil {
			t.Fatal(err)
		}
		want[1].State, want[1].Note, want[1].DecidedAt = incident.ReviewApproved, "LGTM", &decided
		if diff := cmp.Diff(want[1], rv, cmpIgnoreID); diff != "" {
			t.Errorf("decided review (-want +got):\n%s", diff)
		}

		if err := s.StartReviewRound(ctx, r.ID, 2, []string{"cy"}, decided); err != nil {
			t.Fatal(err)
		}
		got, _ = s.RCA(ctx, r.IncidentID)
		if len(got.Reviewers) != 1 || got.Reviewers[0].Reviewer != "cy" || got.ReviewRound != 2 {
			t.Errorf("round 2 reviewers = %+v", got.Reviewers)
		}
		old, err := s.RCAReviews(ctx, r.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, old, cmpIgnoreID); diff != "" {
			t.Errorf("round 1 is kept (-want +got):\n%s", diff)
		}
		if none, err := s.RCAReviews(ctx, r.ID, 9); err != nil || none == nil || len(none) != 0 {
			t.Errorf("reviews of an unknown round = %#v, %v", none, err)
		}

		for _, tc := range []struct {
			name  string
			err   error
			check func(t *testing.T, err error)
		}{
			{"decision of a reviewer not named", func() error {
				_, err := s.DecideReview(ctx, incident.Review{RCAID: r.ID, Round: 2, Reviewer: "ana", State: incident.ReviewApproved})
				return err
			}(), func(t *testing.T, err error) { wantNotFound(t, err, "review") }},
			{"same reviewer twice in a round", s.StartReviewRound(ctx, r.ID, 3, []string{"dee", "dee"}, at), func(t *testing.T, err error) {
				if err == nil {
					t.Error("accepted")
				}
			}},
			{"round of an unknown rca", s.StartReviewRound(ctx, 999, 1, []string{"ana"}, at), func(t *testing.T, err error) {
				wantNotFound(t, err, "rca")
			}},
			{"publication of an unknown rca", s.SetRCAPublished(ctx, 999, at, "ana"), func(t *testing.T, err error) {
				wantNotFound(t, err, "rca")
			}},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.err) })
		}
	})
}

func TestStore_RCAPublicationSurvivesSaves(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := createRCA(t, s, "publication")
		at := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		if err := s.SetRCAPublished(ctx, r.ID, at, "ana"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRCAAmendReason(ctx, r.ID, "wrong root cause"); err != nil {
			t.Fatal(err)
		}
		r.Status = incident.RCAInReview
		updated, err := s.UpdateRCA(ctx, r, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		if updated.PublishedAt == nil || !updated.PublishedAt.Equal(at) || updated.PublishedBy != "ana" || updated.AmendReason != "wrong root cause" {
			t.Errorf("after a save: published %v by %q, amend reason %q", updated.PublishedAt, updated.PublishedBy, updated.AmendReason)
		}
	})
}

func TestStore_RCARevisionPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := createRCA(t, s, "revisions")
		at := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		var revs []incident.RCARevision
		for v := 1; v <= 5; v++ {
			rev := incident.RCARevision{RCAID: r.ID, Version: v, Status: incident.RCADraft, Author: "alice",
				Sections:  []incident.Section{{Key: "timeline", Title: "Timeline", Body: "v" + strconv.Itoa(v), Audience: incident.AudienceInternal}},
				CreatedAt: at.Add(time.Duration(v) * time.Minute), Reason: "reason " + strconv.Itoa(v)}
			if err := s.AddRCARevision(ctx, rev); err != nil {
				t.Fatal(err)
			}
			revs = append(revs, rev)
		}
		got, err := s.RCARevision(ctx, r.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(revs[2], got, cmpIgnoreID); diff != "" {
			t.Errorf("revision 3 (-want +got):\n%s", diff)
		}
		_, err = s.RCARevision(ctx, r.ID, 6)
		wantNotFound(t, err, "rca_revision")

		for _, tc := range []struct {
			name         string
			before, n    int
			wantVersions []int
		}{
			{name: "first page", n: 2, wantVersions: []int{5, 4}},
			{name: "next page", before: 4, n: 2, wantVersions: []int{3, 2}},
			{name: "last page", before: 2, n: 2, wantVersions: []int{1}},
			{name: "past the end", before: 1, n: 2, wantVersions: []int{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.RCARevisionsPage(ctx, r.ID, tc.before, tc.n)
				if err != nil {
					t.Fatal(err)
				}
				versions := []int{}
				for _, p := range page {
					versions = append(versions, p.Version)
				}
				if !cmp.Equal(versions, tc.wantVersions) {
					t.Errorf("versions = %v, want %v", versions, tc.wantVersions)
				}
			})
		}
		if n, err := s.CountRCARevisions(ctx, r.ID); err != nil || n != 5 {
			t.Errorf("count = %d, %v", n, err)
		}
	})
}

func TestStore_RCAComments(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := createRCA(t, s, "comments")
		other := createRCA(t, s, "other")
		at := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		c1 := incident.Comment{RCAID: r.ID, SectionKey: "timeline", Author: "ana", Body: "Add the page at 10:04.", CreatedAt: at}
		c2 := incident.Comment{RCAID: r.ID, SectionKey: "timeline", Author: "bo", Body: "And the rollback.", CreatedAt: at.Add(time.Minute)}
		for _, c := range []*incident.Comment{&c1, &c2} {
			if err := s.AddRCAComment(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		resolvedAt := at.Add(time.Hour)
		res, err := s.ResolveRCAComment(ctx, r.ID, c1.ID, "carol", resolvedAt)
		if err != nil {
			t.Fatal(err)
		}
		if res.ResolvedAt == nil || !res.ResolvedAt.Equal(resolvedAt) || res.ResolvedBy != "carol" {
			t.Errorf("resolved = %+v", res)
		}
		again, err := s.ResolveRCAComment(ctx, r.ID, c1.ID, "dan", resolvedAt.Add(time.Hour))
		if err != nil || again.ResolvedBy != "carol" || !again.ResolvedAt.Equal(resolvedAt) {
			t.Errorf("resolving twice changed it: %+v, %v", again, err)
		}
		got, err := s.RCAComments(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		c1.ResolvedAt, c1.ResolvedBy = &resolvedAt, "carol"
		if diff := cmp.Diff([]incident.Comment{c1, c2}, got); diff != "" {
			t.Errorf("comments (-want +got):\n%s", diff)
		}

		_, err = s.ResolveRCAComment(ctx, other.ID, c2.ID, "dan", at)
		wantNotFound(t, err, "rca_comment")
		wantNotFound(t, s.AddRCAComment(ctx, &incident.Comment{RCAID: 999, SectionKey: "x", Body: "x"}), "rca")
		if none, err := s.RCAComments(ctx, other.ID); err != nil || none == nil || len(none) != 0 {
			t.Errorf("comments of another rca = %#v, %v", none, err)
		}
	})
}
