package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// actionPolicyRecord is a row of action_policies: one cell of the grid an
// admin set.
type actionPolicyRecord struct {
	Severity  string `gorm:"column:severity;primaryKey"`
	Priority  string `gorm:"column:priority;primaryKey"`
	Days      int    `gorm:"column:days"`
	UpdatedBy string `gorm:"column:updated_by"`
	UpdatedAt dbTime `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (actionPolicyRecord) TableName() string { return "action_policies" }

// ActionPolicy returns the action policy: the built-in defaults with every
// cell an admin set laid over them, and who last changed it.
func (s *Store) ActionPolicy(ctx context.Context) (incident.ActionPolicy, error) {
	var rows []actionPolicyRecord
	if err := s.conn(ctx).Order("updated_at").Find(&rows).Error; err != nil {
		return incident.ActionPolicy{}, fmt.Errorf("store: action policy: %w", err)
	}
	p := incident.DefaultActionPolicy()
	for _, r := range rows {
		sev, pri := incident.Severity(r.Severity), incident.Priority(r.Priority)
		if _, ok := p.Days[sev][pri]; !ok {
			continue // a value the CHECK constraints allow but the domain dropped
		}
		p.Days[sev][pri] = r.Days
		// Rows come oldest first: the last one is the latest change.
		at := time.Time(r.UpdatedAt)
		p.UpdatedBy, p.UpdatedAt = r.UpdatedBy, &at
	}
	return p, nil
}

// SetActionPolicy stores every cell of p as changed by by. p must be valid
// (incident.ActionPolicy.Validate).
func (s *Store) SetActionPolicy(ctx context.Context, p incident.ActionPolicy, by string) error {
	now := toDB(s.nowUTC())
	var rows []actionPolicyRecord
	for _, sev := range incident.Severities {
		for _, pri := range incident.Priorities {
			d, ok := p.Days[sev][pri]
			if !ok {
				continue
			}
			rows = append(rows, actionPolicyRecord{Severity: string(sev), Priority: string(pri), Days: d, UpdatedBy: by, UpdatedAt: now})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "severity"}, {Name: "priority"}},
		DoUpdates: clause.AssignmentColumns([]string{"days", "updated_by", "updated_at"}),
	}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("store: set action policy: %w", err)
	}
	return nil
}
