package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// rootCauseRecord is a row of root_causes.
type rootCauseRecord struct {
	ID          int64  `gorm:"column:id;primaryKey"`
	IncidentID  int64  `gorm:"column:incident_id"`
	Category    string `gorm:"column:category"`
	Description string `gorm:"column:description"`
	Version     int    `gorm:"column:version"`
	CreatedAt   dbTime `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt   dbTime `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (rootCauseRecord) TableName() string { return "root_causes" }

// evidenceRecord is a row of root_cause_evidence.
type evidenceRecord struct {
	RootCauseID     int64 `gorm:"column:root_cause_id;primaryKey;autoIncrement:false"`
	TimelineEventID int64 `gorm:"column:timeline_event_id;primaryKey;autoIncrement:false"`
	Position        int   `gorm:"column:position"`
}

func (evidenceRecord) TableName() string { return "root_cause_evidence" }

func (r rootCauseRecord) domain(evidence []int64) incident.RootCause {
	if evidence == nil {
		evidence = []int64{}
	}
	return incident.RootCause{
		ID: r.ID, IncidentID: r.IncidentID, Category: incident.RootCauseCategory(r.Category),
		Description: r.Description, EvidenceEventIDs: evidence, Version: r.Version,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
}

// CreateRootCause inserts rc with its evidence links and sets ID, Version (1)
// and timestamps. Evidence ids must be events (check with ExistingEventIDs
// that they are the incident's); an unknown one is a validation error.
func (s *Store) CreateRootCause(ctx context.Context, rc *incident.RootCause) error {
	now := s.nowUTC()
	rec := rootCauseRecord{
		IncidentID: rc.IncidentID, Category: string(rc.Category), Description: rc.Description,
		Version: 1, CreatedAt: toDB(now), UpdatedAt: toDB(now),
	}
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Create(&rec).Error; err != nil {
			if isForeignKeyViolation(err) {
				return incident.NotFound("incident", ref(rc.IncidentID))
			}
			return fmt.Errorf("store: create root cause: %w", err)
		}
		return tx.writeEvidence(ctx, rec.ID, rc.EvidenceEventIDs)
	})
	if err != nil {
		return err
	}
	rc.ID, rc.Version, rc.CreatedAt, rc.UpdatedAt = rec.ID, 1, now, now
	if rc.EvidenceEventIDs == nil {
		rc.EvidenceEventIDs = []int64{}
	}
	return nil
}

func (s *Store) writeEvidence(ctx context.Context, rootCauseID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	recs := make([]evidenceRecord, len(ids))
	for i, id := range ids {
		recs[i] = evidenceRecord{RootCauseID: rootCauseID, TimelineEventID: id, Position: i}
	}
	if err := s.conn(ctx).Create(&recs).Error; err != nil {
		if isForeignKeyViolation(err) {
			return incident.Invalid("evidence_event_ids", "must name timeline events of this incident")
		}
		return fmt.Errorf("store: write root cause evidence: %w", err)
	}
	return nil
}

// RootCause returns the root cause with that id.
func (s *Store) RootCause(ctx context.Context, id int64) (incident.RootCause, error) {
	var rec rootCauseRecord
	res := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.RootCause{}, fmt.Errorf("store: root cause: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.RootCause{}, incident.NotFound("root_cause", ref(id))
	}
	ev, err := s.evidence(ctx, []int64{id})
	if err != nil {
		return incident.RootCause{}, err
	}
	return rec.domain(ev[id]), nil
}

// RootCauses returns the root causes of an incident in id order, each with
// its evidence ids in the order they were given.
func (s *Store) RootCauses(ctx context.Context, incidentID int64) ([]incident.RootCause, error) {
	var recs []rootCauseRecord
	if err := s.conn(ctx).Where("incident_id = ?", incidentID).Order("id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: root causes: %w", err)
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	ev, err := s.evidence(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]incident.RootCause, len(recs))
	for i, r := range recs {
		out[i] = r.domain(ev[r.ID])
	}
	return out, nil
}

// evidence returns the evidence event ids of root causes, in position order.
func (s *Store) evidence(ctx context.Context, rootCauseIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(rootCauseIDs) == 0 {
		return out, nil
	}
	var recs []evidenceRecord
	err := s.conn(ctx).Where("root_cause_id IN ?", rootCauseIDs).Order("root_cause_id, position").Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: root cause evidence: %w", err)
	}
	for _, r := range recs {
		out[r.RootCauseID] = append(out[r.RootCauseID], r.TimelineEventID)
	}
	return out, nil
}

// UpdateRootCause writes the named columns of rc (category, description,
// and evidence_event_ids, which replaces the evidence links) if its version
// is still expectedVersion. A stale version gives a *incident.ConflictError
// with the stored incident.RootCause as Current.
func (s *Store) UpdateRootCause(ctx context.Context, rc incident.RootCause, expectedVersion int, columns []string) (incident.RootCause, error) {
	set := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": toDB(s.nowUTC())}
	replaceEvidence := false
	for _, c := range columns {
		switch c {
		case "category":
			set[c] = string(rc.Category)
		case "description":
			set[c] = rc.Description
		case "evidence_event_ids":
			replaceEvidence = true
		default:
			return incident.RootCause{}, fmt.Errorf("store: root_cause has no updatable column %q", c)
		}
	}
	var out incident.RootCause
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&rootCauseRecord{}).Where("id = ? AND version = ?", rc.ID, expectedVersion).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("store: update root cause: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			cur, err := tx.RootCause(ctx, rc.ID)
			if err != nil {
				return err
			}
			return &incident.ConflictError{Object: "root_cause", Current: cur}
		}
		if replaceEvidence {
			if err := tx.conn(ctx).Where("root_cause_id = ?", rc.ID).Delete(&evidenceRecord{}).Error; err != nil {
				return fmt.Errorf("store: replace root cause evidence: %w", err)
			}
			if err := tx.writeEvidence(ctx, rc.ID, rc.EvidenceEventIDs); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.RootCause(ctx, rc.ID)
		return err
	})
	if err != nil {
		return incident.RootCause{}, err
	}
	return out, nil
}

// DeleteRootCause deletes a root cause and its evidence links.
func (s *Store) DeleteRootCause(ctx context.Context, id int64) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&rootCauseRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete root cause: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("root_cause", ref(id))
	}
	return nil
}
