package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// incidentUpdateRecord is a row of incident_updates.
type incidentUpdateRecord struct {
	ID         int64   `gorm:"column:id;primaryKey"`
	IncidentID int64   `gorm:"column:incident_id"`
	Status     string  `gorm:"column:status"`
	Body       string  `gorm:"column:body"`
	ETA        *dbTime `gorm:"column:eta"`
	PostedAt   dbTime  `gorm:"column:posted_at"`
	Author     string  `gorm:"column:author"`
	CreatedAt  dbTime  `gorm:"column:created_at;autoCreateTime:false"`
}

func (incidentUpdateRecord) TableName() string { return "incident_updates" }

func (r incidentUpdateRecord) domain() incident.IncidentUpdate {
	return incident.IncidentUpdate{
		ID: r.ID, IncidentID: r.IncidentID, Status: incident.UpdateStatus(r.Status), Body: r.Body,
		ETA: fromDBPtr(r.ETA), PostedAt: time.Time(r.PostedAt), Author: r.Author, CreatedAt: time.Time(r.CreatedAt),
	}
}

// CreateIncidentUpdate inserts u and sets its ID and CreatedAt.
func (s *Store) CreateIncidentUpdate(ctx context.Context, u *incident.IncidentUpdate) error {
	u.CreatedAt = s.nowUTC()
	rec := incidentUpdateRecord{
		IncidentID: u.IncidentID, Status: string(u.Status), Body: u.Body, ETA: toDBPtr(u.ETA),
		PostedAt: toDB(u.PostedAt), Author: u.Author, CreatedAt: toDB(u.CreatedAt),
	}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if isForeignKeyViolation(err) {
			return incident.NotFound("incident", ref(u.IncidentID))
		}
		return fmt.Errorf("store: create incident update: %w", err)
	}
	*u = rec.domain()
	return nil
}

// IncidentUpdates returns the customer updates of an incident, newest first.
func (s *Store) IncidentUpdates(ctx context.Context, incidentID int64) ([]incident.IncidentUpdate, error) {
	var recs []incidentUpdateRecord
	err := s.conn(ctx).Where("incident_id = ?", incidentID).Order("posted_at DESC, id DESC").
		Limit(maxIncidentUpdates).Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: incident updates: %w", err)
	}
	return updateDomain(recs), nil
}

// maxIncidentUpdates bounds the updates read for one incident.
const maxIncidentUpdates = 500

// IncidentUpdate returns one update of an incident.
func (s *Store) IncidentUpdate(ctx context.Context, incidentID, id int64) (incident.IncidentUpdate, error) {
	var recs []incidentUpdateRecord
	err := s.conn(ctx).Where("incident_id = ? AND id = ?", incidentID, id).Limit(1).Find(&recs).Error
	if err != nil {
		return incident.IncidentUpdate{}, fmt.Errorf("store: incident update: %w", err)
	}
	if len(recs) == 0 {
		return incident.IncidentUpdate{}, incident.NotFound("incident_update", ref(id))
	}
	return recs[0].domain(), nil
}

// DeleteIncidentUpdate deletes one update of an incident.
func (s *Store) DeleteIncidentUpdate(ctx context.Context, incidentID, id int64) error {
	res := s.conn(ctx).Where("incident_id = ? AND id = ?", incidentID, id).Delete(&incidentUpdateRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete incident update: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("incident_update", ref(id))
	}
	return nil
}

// LatestIncidentUpdates returns the newest update of each of the incidents
// (by incident id); incidents without one are absent.
func (s *Store) LatestIncidentUpdates(ctx context.Context, incidentIDs []int64) (map[int64]incident.IncidentUpdate, error) {
	out := make(map[int64]incident.IncidentUpdate, len(incidentIDs))
	if len(incidentIDs) == 0 {
		return out, nil
	}
	var recs []incidentUpdateRecord
	err := s.conn(ctx).Where("incident_id IN ?", incidentIDs).Order("incident_id, posted_at DESC, id DESC").Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: latest incident updates: %w", err)
	}
	for _, r := range recs {
		if _, ok := out[r.IncidentID]; !ok {
			out[r.IncidentID] = r.domain()
		}
	}
	return out, nil
}

// PublicIncidentUpdates returns the newest updates of public incidents
// (see publicWhere), at most limit: the status page's feed.
func (s *Store) PublicIncidentUpdates(ctx context.Context, limit int) ([]incident.IncidentUpdate, error) {
	var recs []incidentUpdateRecord
	err := s.conn(ctx).Table("incident_updates u").Select("u.*").
		Joins("JOIN incidents i ON i.id = u.incident_id").Where(publicWhere, true).
		Order("u.posted_at DESC, u.id DESC").Limit(limit).Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: public incident updates: %w", err)
	}
	return updateDomain(recs), nil
}

func updateDomain(recs []incidentUpdateRecord) []incident.IncidentUpdate {
	out := make([]incident.IncidentUpdate, len(recs))
	for n, r := range recs {
		out[n] = r.domain()
	}
	return out
}
