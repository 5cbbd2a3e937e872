package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// rcaRecord is a row of rcas.
type rcaRecord struct {
	ID         int64  `gorm:"column:id;primaryKey"`
	IncidentID int64  `gorm:"column:incident_id"`
	Template   string `gorm:"column:template"`
	Status     string `gorm:"column:status"`
	UpdatedBy  string `gorm:"column:updated_by"`
	Version    int    `gorm:"column:version"`
	CreatedAt  dbTime `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt  dbTime `gorm:"column:updated_at;autoUpdateTime:false"`
	// The review state; only reviews.go writes it.
	ReviewRound int     `gorm:"column:review_round"`
	PublishedAt *dbTime `gorm:"column:published_at"`
	PublishedBy string  `gorm:"column:published_by"`
	AmendReason string  `gorm:"column:amend_reason"`
}

func (rcaRecord) TableName() string { return "rcas" }

// rcaSectionRecord is a row of rca_sections.
type rcaSectionRecord struct {
	RCAID    int64  `gorm:"column:rca_id;primaryKey;autoIncrement:false"`
	Position int    `gorm:"column:position;primaryKey;autoIncrement:false"`
	Key      string `gorm:"column:key"`
	Title    string `gorm:"column:title"`
	Body     string `gorm:"column:body"`
	Audience string `gorm:"column:audience"`
	Help     string `gorm:"column:help"`
	Required bool   `gorm:"column:required"`
	Block    string `gorm:"column:block"`
}

func (rcaSectionRecord) TableName() string { return "rca_sections" }

func (r rcaSectionRecord) domain() incident.Section {
	return incident.Section{Key: r.Key, Title: r.Title, Body: r.Body, Audience: incident.Audience(r.Audience),
		Help: r.Help, Required: r.Required, Block: incident.Block(r.Block)}
}

// rcaRevisionRecord is a row of rca_revisions.
type rcaRevisionRecord struct {
	ID        int64  `gorm:"column:id;primaryKey"`
	RCAID     int64  `gorm:"column:rca_id"`
	Version   int    `gorm:"column:version"`
	Status    string `gorm:"column:status"`
	Sections  string `gorm:"column:sections"` // JSON array of sectionJSON
	Author    string `gorm:"column:author"`
	CreatedAt dbTime `gorm:"column:created_at;autoCreateTime:false"`
	Reason    string `gorm:"column:reason"`
}

func (rcaRevisionRecord) TableName() string { return "rca_revisions" }

// sectionJSON is a section as kept in a revision.
type sectionJSON struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Audience string `json:"audience"`
	Help     string `json:"help,omitempty"`
	Required bool   `json:"required,omitempty"`
	Block    string `json:"block,omitempty"`
}

func toSectionJSON(s incident.Section) sectionJSON {
	return sectionJSON{Key: s.Key, Title: s.Title, Body: s.Body, Audience: string(s.Audience),
		Help: s.Help, Required: s.Required, Block: string(s.Block)}
}

func (s sectionJSON) domain() incident.Section {
	return incident.Section{Key: s.Key, Title: s.Title, Body: s.Body, Audience: incident.Audience(s.Audience),
		Help: s.Help, Required: s.Required, Block: incident.Block(s.Block)}
}

func (r rcaRecord) domain(secs []rcaSectionRecord) incident.RCA {
	out := incident.RCA{
		ID: r.ID, IncidentID: r.IncidentID, Template: r.Template, Status: incident.RCAStatus(r.Status),
		Sections: make([]incident.Section, len(secs)), Version: r.Version,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt), UpdatedBy: r.UpdatedBy,
		ReviewRound: r.ReviewRound, PublishedAt: fromDBPtr(r.PublishedAt), PublishedBy: r.PublishedBy, AmendReason: r.AmendReason,
	}
	for i, s := range secs {
		out.Sections[i] = s.domain()
	}
	return out
}

// RCA returns the RCA of an incident with its sections in order.
func (s *Store) RCA(ctx context.Context, incidentID int64) (incident.RCA, error) {
	var rec rcaRecord
	res := s.conn(ctx).Where("incident_id = ?", incidentID).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.RCA{}, fmt.Errorf("store: rca: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.RCA{}, incident.NotFound("rca", incident.FormatKey(incidentID))
	}
	var secs []rcaSectionRecord
	if err := s.conn(ctx).Where("rca_id = ?", rec.ID).Order("position").Find(&secs).Error; err != nil {
		return incident.RCA{}, fmt.Errorf("store: rca sections: %w", err)
	}
	out := rec.domain(secs)
	reviewers, err := s.roundReviews(ctx, rec.ID, rec.ReviewRound)
	if err != nil {
		return incident.RCA{}, err
	}
	out.Reviewers = reviewers
	return out, nil
}

// CreateRCA inserts the RCA of r.IncidentID with its sections and sets ID,
// Version (1) and timestamps. When the incident already has an RCA it
// returns a *incident.ConflictError with that RCA as Current.
func (s *Store) CreateRCA(ctx context.Context, r *incident.RCA) error {
	now := s.nowUTC()
	rec := rcaRecord{
		IncidentID: r.IncidentID, Template: r.Template, Status: string(r.Status), UpdatedBy: r.UpdatedBy,
		Version: 1, CreatedAt: toDB(now), UpdatedAt: toDB(now),
	}
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "incident_id"}}, DoNothing: true}).Create(&rec)
		if res.Error != nil {
			if isForeignKeyViolation(res.Error) {
				return incident.NotFound("incident", ref(r.IncidentID))
			}
			return fmt.Errorf("store: create rca: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			cur, err := tx.RCA(ctx, r.IncidentID)
			if err != nil {
				return err
			}
			return &incident.ConflictError{Object: "rca", Current: cur}
		}
		return tx.writeSections(ctx, rec.ID, r.Sections)
	})
	if err != nil {
		return err
	}
	r.ID, r.Version, r.CreatedAt, r.UpdatedAt = rec.ID, 1, now, now
	if r.Sections == nil {
		r.Sections = []incident.Section{}
	}
	return nil
}

// UpdateRCA replaces the template, status, updated_by and sections of the
// RCA (found by r.ID, else r.IncidentID) if its version is still
// expectedVersion, and returns it as stored. A stale version gives a
// *incident.ConflictError with the stored incident.RCA as Current.
func (s *Store) UpdateRCA(ctx context.Context, r incident.RCA, expectedVersion int) (incident.RCA, error) {
	var out incident.RCA
	err := s.InTx(ctx, func(tx *Store) error {
		cur, err := tx.rcaByRef(ctx, r)
		if err != nil {
			return err
		}
		res := tx.conn(ctx).Model(&rcaRecord{}).Where("id = ? AND version = ?", cur.ID, expectedVersion).Updates(map[string]any{
			"template": r.Template, "status": string(r.Status), "updated_by": r.UpdatedBy,
			"version": gorm.Expr("version + 1"), "updated_at": toDB(tx.nowUTC()),
		})
		if res.Error != nil {
			return fmt.Errorf("store: update rca: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			if cur, err = tx.RCA(ctx, cur.IncidentID); err != nil {
				return err
			}
			return &incident.ConflictError{Object: "rca", Current: cur}
		}
		if err := tx.conn(ctx).Where("rca_id = ?", cur.ID).Delete(&rcaSectionRecord{}).Error; err != nil {
			return fmt.Errorf("store: update rca sections: %w", err)
		}
		if err := tx.writeSections(ctx, cur.ID, r.Sections); err != nil {
			return err
		}
		out, err = tx.RCA(ctx, cur.IncidentID)
		return err
	})
	if err != nil {
		return incident.RCA{}, err
	}
	return out, nil
}

// rcaByRef reads the RCA r names, by ID or else by incident.
func (s *Store) rcaByRef(ctx context.Context, r incident.RCA) (incident.RCA, error) {
	incidentID := r.IncidentID
	if r.ID != 0 {
		res := s.conn(ctx).Model(&rcaRecord{}).Where("id = ?", r.ID).Limit(1).Pluck("incident_id", &incidentID)
		if res.Error != nil {
			return incident.RCA{}, fmt.Errorf("store: rca: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return incident.RCA{}, incident.NotFound("rca", ref(r.ID))
		}
	}
	return s.RCA(ctx, incidentID)
}

func (s *Store) writeSections(ctx context.Context, rcaID int64, secs []incident.Section) error {
	if len(secs) == 0 {
		return nil
	}
	recs := make([]rcaSectionRecord, len(secs))
	for i, sec := range secs {
		recs[i] = rcaSectionRecord{RCAID: rcaID, Position: i, Key: sec.Key, Title: sec.Title, Body: sec.Body,
			Audience: string(sec.Audience), Help: sec.Help, Required: sec.Required, Block: string(sec.Block)}
	}
	if err := s.conn(ctx).Create(&recs).Error; err != nil {
		return fmt.Errorf("store: write rca sections: %w", err)
	}
	return nil
}

// AddRCARevision records the RCA as it was after one save. rev.Version must
// be new for the RCA.
func (s *Store) AddRCARevision(ctx context.Context, rev incident.RCARevision) error {
	secs := make([]sectionJSON, len(rev.Sections))
	for i, sec := range rev.Sections {
		secs[i] = toSectionJSON(sec)
	}
	b, err := marshalJSON(secs)
	if err != nil {
		return err
	}
	created := rev.CreatedAt
	if created.IsZero() {
		created = s.nowUTC()
	}
	rec := rcaRevisionRecord{RCAID: rev.RCAID, Version: rev.Version, Status: string(rev.Status), Sections: b, Author: rev.Author, CreatedAt: toDB(created), Reason: rev.Reason}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if isForeignKeyViolation(err) {
			return incident.NotFound("rca", ref(rev.RCAID))
		}
		return fmt.Errorf("store: add rca revision: %w", err)
	}
	return nil
}

// RCARevisions returns the revisions of an RCA, newest first.
func (s *Store) RCARevisions(ctx context.Context, rcaID int64) ([]incident.RCARevision, error) {
	var recs []rcaRevisionRecord
	if err := s.conn(ctx).Where("rca_id = ?", rcaID).Order("version DESC").Find(&recs).Error; err != nil {
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

func (r rcaRevisionRecord) domain() (incident.RCARevision, error) {
	var secs []sectionJSON
	if err := json.Unmarshal([]byte(r.Sections), &secs); err != nil {
		return incident.RCARevision{}, fmt.Errorf("store: rca revision %d: %w", r.ID, err)
	}
	rev := incident.RCARevision{
		ID: r.ID, RCAID: r.RCAID, Version: r.Version, Status: incident.RCAStatus(r.Status),
		Sections: make([]incident.Section, len(secs)), Author: r.Author, CreatedAt: time.Time(r.CreatedAt),
		Reason: r.Reason,
	}
	for j, sec := range secs {
		rev.Sections[j] = sec.domain()
	}
	return rev, nil
}
