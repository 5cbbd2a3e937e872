package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// statusServiceRecord is a row of status_services.
type statusServiceRecord struct {
	ID          int64  `gorm:"column:id;primaryKey"`
	Name        string `gorm:"column:name"`
	DisplayName string `gorm:"column:display_name"`
	Description string `gorm:"column:description"`
	Position    int    `gorm:"column:position"`
	CreatedAt   dbTime `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt   dbTime `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (statusServiceRecord) TableName() string { return "status_services" }

func (r statusServiceRecord) domain() incident.StatusService {
	return incident.StatusService{
		ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, Description: r.Description,
		Position: r.Position, CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
}

// StatusServices returns the services the status page shows, in order.
func (s *Store) StatusServices(ctx context.Context) ([]incident.StatusService, error) {
	var recs []statusServiceRecord
	if err := s.conn(ctx).Order("position, id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: status services: %w", err)
	}
	out := make([]incident.StatusService, len(recs))
	for n, r := range recs {
		out[n] = r.domain()
	}
	return out, nil
}

// ReplaceStatusServices makes list the status page's services: a service
// whose name (any case) was listed before keeps its row and creation time,
// the others are inserted, and those not in list are deleted. Run it
// inside InTx. It returns the list as stored.
func (s *Store) ReplaceStatusServices(ctx context.Context, list []incident.StatusService) ([]incident.StatusService, error) {
	cur, err := s.StatusServices(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]incident.StatusService, len(cur))
	for _, c := range cur {
		byName[labelKey(c.Name)] = c
	}
	now := toDB(s.nowUTC())
	keep := map[int64]bool{}
	for _, in := range list {
		rec := statusServiceRecord{Name: in.Name, DisplayName: in.DisplayName, Description: in.Description,
			Position: in.Position, CreatedAt: now, UpdatedAt: now}
		if old, ok := byName[labelKey(in.Name)]; ok {
			keep[old.ID] = true
			err := s.conn(ctx).Model(&statusServiceRecord{}).Where("id = ?", old.ID).Updates(map[string]any{
				"name": in.Name, "display_name": in.DisplayName, "description": in.Description,
				"position": in.Position, "updated_at": now,
			}).Error
			if err != nil {
				return nil, fmt.Errorf("store: update status service: %w", err)
			}
			continue
		}
		if err := s.conn(ctx).Create(&rec).Error; err != nil {
			return nil, fmt.Errorf("store: create status service: %w", err)
		}
		keep[rec.ID] = true
	}
	for _, c := range cur {
		if keep[c.ID] {
			continue
		}
		if err := s.conn(ctx).Where("id = ?", c.ID).Delete(&statusServiceRecord{}).Error; err != nil {
			return nil, fmt.Errorf("store: delete status service: %w", err)
		}
	}
	return s.StatusServices(ctx)
}
