package incident

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ReviewState is where one reviewer is in a review round.
type ReviewState string

// Review states.
const (
	ReviewRequested        ReviewState = "requested"
	ReviewApproved         ReviewState = "approved"
	ReviewChangesRequested ReviewState = "changes_requested"
)

// ReviewStates lists every valid review state.
var ReviewStates = []ReviewState{ReviewRequested, ReviewApproved, ReviewChangesRequested}

// Valid reports whether s is a known review state.
func (s ReviewState) Valid() bool { return oneOf(s, ReviewStates) }

// Review is one reviewer's part in one review round of an RCA. A round
// starts when the RCA is submitted for review and names its reviewers.
type Review struct {
	ID          int64
	RCAID       int64
	Round       int
	Reviewer    string
	State       ReviewState
	Note        string
	RequestedAt time.Time
	DecidedAt   *time.Time
}

// Comment is a remark on one section of an RCA, open until resolved.
type Comment struct {
	ID         int64
	RCAID      int64
	SectionKey string
	Author     string
	Body       string
	CreatedAt  time.Time
	ResolvedAt *time.Time
	ResolvedBy string
}

// MaxReviewers bounds the reviewers of one review round.
const MaxReviewers = 20

// ErrInvalidTransition is wrapped by every *TransitionError.
var ErrInvalidTransition = errors.New("invalid rca status transition")

// Stable codes of TransitionError, what clients match on.
const (
	// CodeInvalidTransition: the move is not in the workflow at all.
	CodeInvalidTransition = "invalid_transition"
	// CodeNotInReview: the action needs the RCA in review (publishing a
	// draft, approving a draft).
	CodeNotInReview = "rca_not_in_review"
	// CodePublished: a published RCA changes only after it is amended.
	CodePublished = "rca_published"
	// CodeApprovalRequired: reviewers were named and none approved yet.
	CodeApprovalRequired = "approval_required"
)

// TransitionError is returned when the review workflow does not allow what
// was asked in the RCA's current status. Current, when set, holds the RCA
// as it is now.
type TransitionError struct {
	From   RCAStatus
	To     RCAStatus
	Code   string // one of the Code* constants; "" means CodeInvalidTransition
	Reason string
	// Current is the RCA as it is now, for the client to show.
	Current any
}

// Error implements error.
func (e *TransitionError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	return "the RCA cannot go from " + string(e.From) + " to " + string(e.To)
}

// Is makes errors.Is(err, ErrInvalidTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// ErrorCode is the stable code of the error.
func (e *TransitionError) ErrorCode() string {
	if e.Code == "" {
		return CodeInvalidTransition
	}
	return e.Code
}

// CheckTransition says whether the workflow lets an RCA go from one status
// to another: draft → in_review (submit), in_review → draft (changes
// requested), in_review → published (publish), published → draft (amend).
func CheckTransition(from, to RCAStatus) error {
	switch {
	case from == RCADraft && to == RCAInReview,
		from == RCAInReview && to == RCADraft,
		from == RCAInReview && to == RCAPublished,
		from == RCAPublished && to == RCADraft:
		return nil
	case from == RCADraft && to == RCAPublished:
		return &TransitionError{From: from, To: to, Code: CodeNotInReview,
			Reason: "the RCA is a draft: submit it for review before publishing"}
	case from == RCAPublished:
		return &TransitionError{From: from, To: to, Code: CodePublished,
			Reason: "the RCA is published: amend it first"}
	case from == to:
		return &TransitionError{From: from, To: to, Reason: "the RCA is already " + string(from)}
	}
	return &TransitionError{From: from, To: to}
}

// CheckEdit decides the status an RCA keeps when its sections are saved:
// requested (as the client sent it, "" for none) must be empty or the
// current status, because status changes go through the review workflow;
// and a published RCA is not edited at all until it is amended. current ""
// means the save creates the RCA, which starts as a draft.
func CheckEdit(current, requested RCAStatus) (RCAStatus, error) {
	if current == "" {
		if requested == "" || requested == RCADraft {
			return RCADraft, nil
		}
		return RCADraft, &TransitionError{To: requested,
			Reason: "a new RCA starts as a draft: submit it for review when it is ready"}
	}
	if current == RCAPublished {
		return current, &TransitionError{From: current, To: current, Code: CodePublished,
			Reason: "the RCA is published: amend it first (POST …/rca/amend with a reason)"}
	}
	if requested == "" || requested == current {
		return current, nil
	}
	return current, &TransitionError{From: current, To: requested,
		Reason: "the status changes only through the review workflow (submit, request-changes, publish, amend), not by saving"}
}

// CheckReviewable says whether reviewers may decide on the RCA now: only
// while it is in review.
func CheckReviewable(status RCAStatus) error {
	if status == RCAInReview {
		return nil
	}
	return &TransitionError{From: status, To: status, Code: CodeNotInReview,
		Reason: "the RCA is " + string(status) + ": reviewers decide while it is in review"}
}

// CheckPublishable says whether r may be published now given the reviews
// of its current round: it must be in review, every required section must
// be filled (a ValidationError naming each unfilled one as
// "sections[<key>]"), and when reviewers were named at least one must have
// approved. filled decides what counts as filled; nil means a non-blank body.
func CheckPublishable(r RCA, round []Review, filled func(Section) bool) error {
	if err := CheckTransition(r.Status, RCAPublished); err != nil {
		return err
	}
	if filled == nil {
		filled = func(s Section) bool { return strings.TrimSpace(s.Body) != "" }
	}
	v := &ValidationError{}
	for _, s := range r.Sections {
		if s.Required && !filled(s) {
			v.Add("sections["+s.Key+"]", "is required before publishing: "+s.Title+" still needs to be written")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if len(round) == 0 {
		return nil
	}
	for _, rv := range round {
		if rv.State == ReviewApproved {
			return nil
		}
	}
	return &TransitionError{From: r.Status, To: RCAPublished, Code: CodeApprovalRequired,
		Reason: "publishing needs an approval from one of the reviewers: " + strings.Join(Reviewers(round), ", ")}
}

// Reviewers lists the names of a round's reviewers, in order.
func Reviewers(round []Review) []string {
	out := make([]string, len(round))
	for i, rv := range round {
		out[i] = rv.Reviewer
	}
	return out
}

// FindReview returns the review of name in round; names match regardless
// of case.
func FindReview(round []Review, name string) (Review, bool) {
	for _, rv := range round {
		if strings.EqualFold(rv.Reviewer, name) {
			return rv, true
		}
	}
	return Review{}, false
}

// NormalizeReviewers cleans the reviewers named for a round: trimmed, at
// least one, at most MaxReviewers, each a name of at most MaxName
// characters; repeats (regardless of case) are dropped.
func NormalizeReviewers(names []string) ([]string, error) {
	v := &ValidationError{}
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		n = strings.TrimSpace(CleanText(n))
		f := "reviewers[" + strconv.Itoa(i) + "]"
		switch {
		case n == "":
			v.Add(f, "is empty")
			continue
		case utf8.RuneCountInString(n) > MaxName:
			v.Add(f, "must be at most "+strconv.Itoa(MaxName)+" characters")
			continue
		}
		if k := strings.ToLower(n); !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	switch {
	case len(names) == 0:
		v.Add("reviewers", "name at least one reviewer")
	case len(out) > MaxReviewers:
		v.Add("reviewers", "must name at most "+strconv.Itoa(MaxReviewers)+" reviewers")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CleanNote cleans a free-text note, reason or comment body for field:
// required when required is set, at most limit characters.
func CleanNote(field, s string, required bool, limit int) (string, error) {
	s = strings.TrimSpace(CleanText(s))
	switch {
	case required && s == "":
		return "", Invalid(field, "is required")
	case utf8.RuneCountInString(s) > limit:
		return "", Invalid(field, "must be at most "+strconv.Itoa(limit)+" characters")
	}
	return s, nil
}

// Validate checks a new comment against the RCA it is about: the section
// must exist and the body must be there and not too long. It cleans the
// section key and body in place.
func (c *Comment) Validate(r RCA) error {
	v := &ValidationError{}
	c.SectionKey = strings.TrimSpace(CleanText(c.SectionKey))
	if c.SectionKey == "" {
		v.Add("section_key", "is required")
	} else if !r.HasSection(c.SectionKey) {
		v.Add("section_key", "the RCA has no section "+strconv.Quote(c.SectionKey))
	}
	body, err := CleanNote("body", c.Body, true, MaxSummary)
	var bv *ValidationError
	if errors.As(err, &bv) {
		v.Merge("", bv)
	}
	c.Body = body
	return v.Err()
}

// HasSection reports whether the RCA has a section with key.
func (r RCA) HasSection(key string) bool {
	for _, s := range r.Sections {
		if s.Key == key {
			return true
		}
	}
	return false
}
