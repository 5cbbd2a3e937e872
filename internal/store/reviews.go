package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// rcaReviewRecord is a row of rca_reviews.
type rcaReviewRecord struct {
	ID          int64   `gorm:"column:id;primaryKey"`
	RCAID       int64   `gorm:"column:rca_id"`
	Round       int     `gorm:"column:round"`
	Reviewer    string  `gorm:"column:reviewer"`
	State       string  `gorm:"column:state"`
	Note        string  `gorm:"column:note"`
	RequestedAt dbTime  `gorm:"column:requested_at;autoCreateTime:false"`
	DecidedAt   *dbTime `gorm:"column:decided_at"`
}

func (rcaReviewRecord) TableName() string { return "rca_reviews" }

func (r rcaReviewRecord) domain() incident.Review {
	return incident.Review{ID: r.ID, RCAID: r.RCAID, Round: r.Round, Reviewer: r.Reviewer,
		State: incident.ReviewState(r.State), Note: r.Note, RequestedAt: time.Time(r.RequestedAt),
		DecidedAt: fromDBPtr(r.DecidedAt)}
}

// rcaCommentRecord is a row of rca_comments.
type rcaCommentRecord struct {
	ID         int64   `gorm:"column:id;primaryKey"`
	RCAID      int64   `gorm:"column:rca_id"`
	SectionKey string  `gorm:"column:section_key"`
	Author     string  `gorm:"column:author"`
	Body       string  `gorm:"column:body"`
	CreatedAt  dbTime  `gorm:"column:created_at;autoCreateTime:false"`
	ResolvedAt *dbTime `gorm:"column:resolved_at"`
	ResolvedBy string  `gorm:"column:resolved_by"`
}

func (rcaCommentRecord) TableName() string { return "rca_comments" }

func (r rcaCommentRecord) domain() incident.Comment {
	return incident.Comment{ID: r.ID, RCAID: r.RCAID, SectionKey: r.SectionKey, Author: r.Author, Body: r.Body,
		CreatedAt: time.Time(r.CreatedAt), ResolvedAt: fromDBPtr(r.ResolvedAt), ResolvedBy: r.ResolvedBy}
}

// roundReviews returns the reviews of one round in the order the reviewers
// were named; nil when there are none (round 0 is "never submitted").
func (s *Store) roundReviews(ctx context.Context, rcaID int64, round int) ([]incident.Review, error) {
	if round == 0 {
		return nil, nil
	}
	var recs []rcaReviewRecord
	if err := s.conn(ctx).Where("rca_id = ? AND round = ?", rcaID, round).Order("id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: rca reviews: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	out := make([]incident.Review, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// RCAReviews returns the reviews of one review round of an RCA, in the
// order the reviewers were named (empty, not nil, when there are none).
func (s *Store) RCAReviews(ctx context.Context, rcaID int64, round int) ([]incident.Review, error) {
	out, err := s.roundReviews(ctx, rcaID, round)
	if out == nil && err == nil {
		out = []incident.Review{}
	}
	return out, err
}

// StartReviewRound makes round the RCA's current review round and names its
// reviewers, each in state requested since at.
func (s *Store) StartReviewRound(ctx context.Context, rcaID int64, round int, reviewers []string, at time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&rcaRecord{}).Where("id = ?", rcaID).Update("review_round", round)
		if res.Error != nil {
			return fmt.Errorf("store: start review round: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return incident.NotFound("rca", ref(rcaID))
		}
		if len(reviewers) == 0 {
			return nil
		}
		recs := make([]rcaReviewRecord, len(reviewers))
		for i, name := range reviewers {
			recs[i] = rcaReviewRecord{RCAID: rcaID, Round: round, Reviewer: name,
				State: string(incident.ReviewRequested), RequestedAt: toDB(at)}
		}
		if err := tx.conn(ctx).Create(&recs).Error; err != nil {
			return fmt.Errorf("store: name reviewers: %w", err)
		}
		return nil
	})
}

// DecideReview records the decision (State, Note, DecidedAt) of
// rv.Reviewer in round rv.Round of RCA rv.RCAID and returns the review as
// stored. A reviewer not named in that round is a not-found "review".
func (s *Store) DecideReview(ctx context.Context, rv incident.Review) (incident.Review, error) {
	var out incident.Review
	err := s.InTx(ctx, func(tx *Store) error {
		where := tx.conn(ctx).Where("rca_id = ? AND round = ? AND reviewer = ?", rv.RCAID, rv.Round, rv.Reviewer)
		res := where.Model(&rcaReviewRecord{}).Updates(map[string]any{
			"state": string(rv.State), "note": rv.Note, "decided_at": toDBPtr(rv.DecidedAt),
		})
		if res.Error != nil {
			return fmt.Errorf("store: decide review: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return incident.NotFound("review", rv.Reviewer)
		}
		var rec rcaReviewRecord
		if err := tx.conn(ctx).Where("rca_id = ? AND round = ? AND reviewer = ?", rv.RCAID, rv.Round, rv.Reviewer).
			Take(&rec).Error; err != nil {
			return fmt.Errorf("store: read review: %w", err)
		}
		out = rec.domain()
		return nil
	})
	return out, err
}

// SetRCAPublished records the latest publication of an RCA.
func (s *Store) SetRCAPublished(ctx context.Context, rcaID int64, at time.Time, by string) error {
	return s.updateRCAColumns(ctx, rcaID, map[string]any{"published_at": toDB(at), "published_by": by})
}

// SetRCAAmendReason records why a published RCA was reopened for editing.
func (s *Store) SetRCAAmendReason(ctx context.Context, rcaID int64, reason string) error {
	return s.updateRCAColumns(ctx, rcaID, map[string]any{"amend_reason": reason})
}

func (s *Store) updateRCAColumns(ctx context.Context, rcaID int64, cols map[string]any) error {
	res := s.conn(ctx).Model(&rcaRecord{}).Where("id = ?", rcaID).Updates(cols)
	if res.Error != nil {
		return fmt.Errorf("store: update rca review state: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("rca", ref(rcaID))
	}
	return nil
}

// RCARevision returns one revision of an RCA; a missing one is a not-found
// "rca_revision".
func (s *Store) RCARevision(ctx context.Context, rcaID int64, version int) (incident.RCARevision, error) {
	var rec rcaRevisionRecord
	res := s.conn(ctx).Where("rca_id = ? AND version = ?", rcaID, version).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.RCARevision{}, fmt.Errorf("store: rca revision: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.RCARevision{}, incident.NotFound("rca_revision", strconv.Itoa(version))
	}
	return rec.domain()
}

// RCARevisionsPage returns at most n revisions of an RCA, newest first,
// those older than version before when before > 0.
func (s *Store) RCARevisionsPage(ctx context.Context, rcaID int64, before, n int) ([]incident.RCARevision, error) {
	q := s.conn(ctx).Where("rca_id = ?", rcaID)
	if before > 0 {
		q = q.Where("version < ?", before)
	}
	var recs []rcaRevisionRecord
	if err := q.Order("version DESC").Limit(n).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: rca revisions: %w", err)
	}
	out := make([]incident.RCARevision, len(recs))
	for i, r := range recs {
		rev, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = rev
	}
	return out, nil
}

// CountRCARevisions counts the revisions of an RCA.
func (s *Store) CountRCARevisions(ctx context.Context, rcaID int64) (int, error) {
	var n int64
	if err := s.conn(ctx).Model(&rcaRevisionRecord{}).Where("rca_id = ?", rcaID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count rca revisions: %w", err)
	}
	return int(n), nil
}

// AddRCAComment stores a comment on a section and sets its ID.
func (s *Store) AddRCAComment(ctx context.Context, c *incident.Comment) error {
	rec := rcaCommentRecord{RCAID: c.RCAID, SectionKey: c.SectionKey, Author: c.Author, Body: c.Body,
		CreatedAt: toDB(c.CreatedAt), ResolvedAt: toDBPtr(c.ResolvedAt), ResolvedBy: c.ResolvedBy}
	if c.CreatedAt.IsZero() {
		rec.CreatedAt = toDB(s.nowUTC())
	}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if isForeignKeyViolation(err) {
			return incident.NotFound("rca", ref(c.RCAID))
		}
		return fmt.Errorf("store: add rca comment: %w", err)
	}
	c.ID, c.CreatedAt = rec.ID, time.Time(rec.CreatedAt)
	return nil
}

// RCAComments returns the comments on an RCA, oldest first.
func (s *Store) RCAComments(ctx context.Context, rcaID int64) ([]incident.Comment, error) {
	var recs []rcaCommentRecord
	if err := s.conn(ctx).Where("rca_id = ?", rcaID).Order("id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: rca comments: %w", err)
	}
	out := make([]incident.Comment, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// ResolveRCAComment marks a comment of an RCA resolved by by at at, and
// returns it; resolving a resolved comment changes nothing. A comment of
// another RCA is a not-found "rca_comment".
func (s *Store) ResolveRCAComment(ctx context.Context, rcaID, id int64, by string, at time.Time) (incident.Comment, error) {
	var out incident.Comment
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&rcaCommentRecord{}).Where("id = ? AND rca_id = ? AND resolved_at IS NULL", id, rcaID).
			Updates(map[string]any{"resolved_at": toDB(at), "resolved_by": by})
		if res.Error != nil {
			return fmt.Errorf("store: resolve rca comment: %w", res.Error)
		}
		var rec rcaCommentRecord
		found := tx.conn(ctx).Where("id = ? AND rca_id = ?", id, rcaID).Limit(1).Find(&rec)
		if found.Error != nil {
			return fmt.Errorf("store: rca comment: %w", found.Error)
		}
		if found.RowsAffected == 0 {
			return incident.NotFound("rca_comment", ref(id))
		}
		out = rec.domain()
		return nil
	})
	return out, err
}

// DismissApprovals turns the approvals of one review round back into
// requests (the text changed after they were given) and returns how many it
// dismissed. note says why, for the reviewers.
func (s *Store) DismissApprovals(ctx context.Context, rcaID int64, round int, note string) (int, error) {
	res := s.conn(ctx).Model(&rcaReviewRecord{}).
		Where("rca_id = ? AND round = ? AND state = ?", rcaID, round, string(incident.ReviewApproved)).
		Updates(map[string]any{"state": string(incident.ReviewRequested), "note": note, "decided_at": nil})
	if res.Error != nil {
		return 0, fmt.Errorf("store: dismiss approvals: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}
