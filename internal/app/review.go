package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// The review workflow of an RCA: draft → in_review (submit, naming
// reviewers) → published, with approve and request-changes (back to draft)
// in between, and amend (published → draft, with a reason). Every status
// change is a save: it bumps the RCA's version and stores a revision whose
// reason says what happened. Approvals and comments do not change the
// document, so they keep its version.

// withCurrent attaches the RCA as it is to a workflow refusal, so the client
// sees the state it ran into.
func withCurrent(err error, cur incident.RCA) error {
	var te *incident.TransitionError
	if errors.As(err, &te) && te.Current == nil {
		te.Current = cur
	}
	return err
}

// requireVersion refuses a status change without the version the client
// based it on: changing a document one has not seen is not allowed.
func requireVersion(version *int) error {
	if version == nil {
		return incident.Invalid("version", "is required: send the version of the RCA you act on")
	}
	return nil
}

// reviewerName is who decides on a review: the acting user. Until sign-in
// exists, requests act as incident.Anonymous, and only those may name the
// reviewer they speak for in the request (override); a signed-in user
// cannot speak for someone else.
func reviewerName(ctx context.Context, override string) (string, error) {
	actor := incident.ActorFrom(ctx).Name
	override = strings.TrimSpace(incident.CleanText(override))
	switch {
	case override == "" || strings.EqualFold(override, actor):
		return actor, nil
	case actor != incident.Anonymous:
		return "", incident.Invalid("reviewer", "can only be given by requests nobody signed in for; you act as "+actor)
	case utf8.RuneCountInString(override) > incident.MaxName:
		return "", incident.Invalid("reviewer", "must be at most "+strconv.Itoa(incident.MaxName)+" characters")
	}
	return override, nil
}

// roundReview finds name among the reviewers of the RCA's current round.
func roundReview(cur incident.RCA, name string) (incident.Review, error) {
	if len(cur.Reviewers) == 0 {
		return incident.Review{}, incident.Invalid("reviewer", "no reviewers were named when the RCA was submitted")
	}
	rv, ok := incident.FindReview(cur.Reviewers, name)
	if !ok {
		return incident.Review{}, incident.Invalid("reviewer", name+" is not a reviewer of this review round (reviewers: "+
			strings.Join(incident.Reviewers(cur.Reviewers), ", ")+")")
	}
	return rv, nil
}

// lockRCA resolves ref inside tx, takes the incident's row lock and reads
// the RCA under it.
func (a *App) lockRCA(ctx context.Context, tx *store.Store, ref string) (incident.Incident, incident.RCA, error) {
	inc, err := a.lockIncident(ctx, tx, ref)
	if err != nil {
		return incident.Incident{}, incident.RCA{}, err
	}
	cur, err := tx.RCA(ctx, inc.ID)
	if err != nil {
		return incident.Incident{}, incident.RCA{}, notFoundAs(err, "rca", inc.Key)
	}
	return inc, cur, nil
}

// rcaStep is what one workflow step saves: the RCA's new status and
// sections, the revision's reason and the audit action.
type rcaStep struct {
	action   string
	status   incident.RCAStatus
	sections []incident.Section
	reason   string
}

// changeRCA runs one workflow step in one transaction: the client's version
// must be the current one; step checks itself against the RCA as it is,
// makes its own writes (reviews, publication) and says what to save; that
// is saved as a new version with a revision and recorded.
func (a *App) changeRCA(ctx context.Context, ref string, version *int, step func(tx *store.Store, cur incident.RCA) (rcaStep, error)) (incident.RCA, error) {
	actor := incident.ActorFrom(ctx).Name
	var out incident.RCA
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		inc, cur, err := a.lockRCA(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := checkVersion("rca", version, cur.Version, cur); err != nil {
			return err
		}
		st, err := step(tx, cur)
		if err != nil {
			return withCurrent(err, cur)
		}
		next := cur
		next.Status, next.UpdatedBy = st.status, actor
		if st.sections != nil {
			next.Sections = st.sections
		}
		if _, err := tx.UpdateRCA(ctx, next, cur.Version); err != nil {
			return err
		}
		if out, err = tx.RCA(ctx, inc.ID); err != nil {
			return err
		}
		if err := tx.AddRCARevision(ctx, incident.RCARevision{
			RCAID: out.ID, Version: out.Version, Status: out.Status, Sections: out.Sections,
			Author: actor, CreatedAt: a.Now(), Reason: st.reason,
		}); err != nil {
			return err
		}
		return a.record(ctx, tx, st.action, incident.ObjectRCA, out.ID, inc.ID, incident.OpUpsert,
			"version "+strconv.Itoa(out.Version)+": "+st.reason)
	})
	if err != nil {
		return incident.RCA{}, err
	}
	return out, nil
}

// SubmitRCA sends a draft RCA for review by the named reviewers (at least
// one), starting a new review round. version is the RCA version the client
// submits (required).
func (a *App) SubmitRCA(ctx context.Context, ref string, reviewers []string, version *int) (incident.RCA, error) {
	if err := requireVersion(version); err != nil {
		return incident.RCA{}, err
	}
	names, err := incident.NormalizeReviewers(reviewers)
	if err != nil {
		return incident.RCA{}, err
	}
	return a.changeRCA(ctx, ref, version, func(tx *store.Store, cur incident.RCA) (rcaStep, error) {
		if err := incident.CheckTransition(cur.Status, incident.RCAInReview); err != nil {
			return rcaStep{}, err
		}
		if err := tx.StartReviewRound(ctx, cur.ID, cur.ReviewRound+1, names, a.Now()); err != nil {
			return rcaStep{}, err
		}
		return rcaStep{action: "rca.submit", status: incident.RCAInReview,
			reason: "submitted for review to " + strings.Join(names, ", ")}, nil
	})
}

// ApproveRCA records the approval of a reviewer of the current round, with
// an optional note. The reviewer is the acting user (see reviewerName for
// override). It does not change the document, so the version stays; when
// version is given it must be current (one approves what one has read).
func (a *App) ApproveRCA(ctx context.Context, ref, reviewer, note string, version *int) (incident.RCA, error) {
	name, err := reviewerName(ctx, reviewer)
	if err != nil {
		return incident.RCA{}, err
	}
	if note, err = incident.CleanNote("note", note, false, incident.MaxSummary); err != nil {
		return incident.RCA{}, err
	}
	var out incident.RCA
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		inc, cur, err := a.lockRCA(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := checkVersion("rca", version, cur.Version, cur); err != nil {
			return err
		}
		if err := incident.CheckReviewable(cur.Status); err != nil {
			return withCurrent(err, cur)
		}
		rv, err := roundReview(cur, name)
		if err != nil {
			return err
		}
		now := a.Now()
		rv.State, rv.Note, rv.DecidedAt = incident.ReviewApproved, note, &now
		if _, err := tx.DecideReview(ctx, rv); err != nil {
			return err
		}
		if out, err = tx.RCA(ctx, inc.ID); err != nil {
			return err
		}
		return a.record(ctx, tx, "rca.approve", incident.ObjectRCA, out.ID, inc.ID, incident.OpUpsert,
			"approved by "+rv.Reviewer+" (version "+strconv.Itoa(out.Version)+")")
	})
	if err != nil {
		return incident.RCA{}, err
	}
	return out, nil
}

// RequestRCAChanges sends an RCA in review back to draft with a note
// (required) saying what to change. When reviewers were named, only they
// may; the decision is kept with their review.
func (a *App) RequestRCAChanges(ctx context.Context, ref, reviewer, note string, version *int) (incident.RCA, error) {
	name, err := reviewerName(ctx, reviewer)
	if err != nil {
		return incident.RCA{}, err
	}
	if note, err = incident.CleanNote("note", note, true, incident.MaxSummary); err != nil {
		return incident.RCA{}, err
	}
	return a.changeRCA(ctx, ref, version, func(tx *store.Store, cur incident.RCA) (rcaStep, error) {
		if err := incident.CheckReviewable(cur.Status); err != nil {
			return rcaStep{}, err
		}
		if len(cur.Reviewers) > 0 {
			rv, err := roundReview(cur, name)
			if err != nil {
				return rcaStep{}, err
			}
			now := a.Now()
			rv.State, rv.Note, rv.DecidedAt = incident.ReviewChangesRequested, note, &now
			if _, err := tx.DecideReview(ctx, rv); err != nil {
				return rcaStep{}, err
			}
			name = rv.Reviewer
		}
		return rcaStep{action: "rca.request_changes", status: incident.RCADraft,
			reason: "changes requested by " + name + ": " + note}, nil
	})
}

// PublishRCA publishes an RCA in review: every required section must be
// filled and, when reviewers were named, one of them must have approved in
// the current round. version is required.
func (a *App) PublishRCA(ctx context.Context, ref string, version *int) (incident.RCA, error) {
	if err := requireVersion(version); err != nil {
		return incident.RCA{}, err
	}
	return a.changeRCA(ctx, ref, version, func(tx *store.Store, cur incident.RCA) (rcaStep, error) {
		filled, err := a.filledCheck(ctx, tx, cur)
		if err != nil {
			return rcaStep{}, err
		}
		if err := incident.CheckPublishable(cur, cur.Reviewers, filled); err != nil {
			return rcaStep{}, err
		}
		if err := tx.SetRCAPublished(ctx, cur.ID, a.Now(), incident.ActorFrom(ctx).Name); err != nil {
			return rcaStep{}, err
		}
		return rcaStep{action: "rca.publish", status: incident.RCAPublished, reason: "published"}, nil
	})
}

// AmendRCA reopens a published RCA for editing (back to draft) for the
// reason given (required, recorded with the RCA and its revision); the next
// publish goes through review again. version is required.
func (a *App) AmendRCA(ctx context.Context, ref, reason string, version *int) (incident.RCA, error) {
	if err := requireVersion(version); err != nil {
		return incident.RCA{}, err
	}
	reason, err := incident.CleanNote("reason", reason, true, incident.MaxSummary)
	if err != nil {
		return incident.RCA{}, err
	}
	return a.changeRCA(ctx, ref, version, func(tx *store.Store, cur incident.RCA) (rcaStep, error) {
		if cur.Status != incident.RCAPublished {
			return rcaStep{}, &incident.TransitionError{From: cur.Status, To: incident.RCADraft,
				Reason: "only a published RCA is amended; this one is " + string(cur.Status) + " and can be edited as it is"}
		}
		if err := tx.SetRCAAmendReason(ctx, cur.ID, reason); err != nil {
			return rcaStep{}, err
		}
		return rcaStep{action: "rca.amend", status: incident.RCADraft, reason: "amended: " + reason}, nil
	})
}
