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

// templateRecord is a row of rca_templates: a custom RCA template. Its
// sections are a JSON array of sectionJSON (with the starting text as body).
type templateRecord struct {
	ID          int64  `gorm:"column:id;primaryKey"`
	Key         string `gorm:"column:key"`
	Name        string `gorm:"column:name"`
	Description string `gorm:"column:description"`
	Sections    string `gorm:"column:sections"`
	CreatedBy   string `gorm:"column:created_by"`
	UpdatedBy   string `gorm:"column:updated_by"`
	Version     int    `gorm:"column:version"`
	CreatedAt   dbTime `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt   dbTime `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (templateRecord) TableName() string { return "rca_templates" }

func (r templateRecord) domain() (incident.Template, error) {
	var secs []sectionJSON
	if err := json.Unmarshal([]byte(r.Sections), &secs); err != nil {
		return incident.Template{}, fmt.Errorf("store: template %s: sections: %w", r.Key, err)
	}
	t := incident.Template{
		ID: r.ID, Key: r.Key, Name: r.Name, Description: r.Description,
		Sections: make([]incident.Section, len(secs)), Source: incident.TemplateCustom,
		Version: r.Version, CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
	for i, s := range secs {
		t.Sections[i] = s.domain()
	}
	return t, nil
}

func templateSections(secs []incident.Section) (string, error) {
	out := make([]sectionJSON, len(secs))
	for i, s := range secs {
		out[i] = toSectionJSON(s)
	}
	return marshalJSON(out)
}

// Templates returns every custom template, by key.
func (s *Store) Templates(ctx context.Context) ([]incident.Template, error) {
	var recs []templateRecord
	if err := s.conn(ctx).Order("key").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: templates: %w", err)
	}
	out := make([]incident.Template, len(recs))
	for i, r := range recs {
		t, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// Template returns the custom template with key.
func (s *Store) Template(ctx context.Context, key string) (incident.Template, error) {
	var rec templateRecord
	res := s.conn(ctx).Where("key = ?", key).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.Template{}, fmt.Errorf("store: template: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.Template{}, incident.NotFound("template", key)
	}
	return rec.domain()
}

// CreateTemplate inserts a custom template and sets its ID, Version (1),
// Source and times. When a custom template with the key exists it returns a
// *incident.ConflictError with that template as Current.
func (s *Store) CreateTemplate(ctx context.Context, t *incident.Template) error {
	secs, err := templateSections(t.Sections)
	if err != nil {
		return err
	}
	now := s.nowUTC()
	rec := templateRecord{
		Key: t.Key, Name: t.Name, Description: t.Description, Sections: secs,
		CreatedBy: t.CreatedBy, UpdatedBy: t.CreatedBy, Version: 1, CreatedAt: toDB(now), UpdatedAt: toDB(now),
	}
	err = s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&rec)
		if res.Error != nil {
			return fmt.Errorf("store: create template: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			cur, err := tx.Template(ctx, t.Key)
			if err != nil {
				return err
			}
			return &incident.ConflictError{Object: "template", Current: cur}
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.ID, t.Version, t.Source, t.UpdatedBy = rec.ID, 1, incident.TemplateCustom, t.CreatedBy
	t.CreatedAt, t.UpdatedAt = now, now
	return nil
}

// UpdateTemplate replaces the name, description, sections and updated_by of
// the custom template t.Key if its version is still expectedVersion, and
// returns it as stored. A stale version gives a *incident.ConflictError with
// the stored template as Current.
func (s *Store) UpdateTemplate(ctx context.Context, t incident.Template, expectedVersion int) (incident.Template, error) {
	secs, err := templateSections(t.Sections)
	if err != nil {
		return incident.Template{}, err
	}
	var out incident.Template
	err = s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&templateRecord{}).Where("key = ? AND version = ?", t.Key, expectedVersion).Updates(map[string]any{
			"name": t.Name, "description": t.Description, "sections": secs, "updated_by": t.UpdatedBy,
			"version": gorm.Expr("version + 1"), "updated_at": toDB(tx.nowUTC()),
		})
		if res.Error != nil {
			return fmt.Errorf("store: update template: %w", res.Error)
		}
		cur, err := tx.Template(ctx, t.Key)
		if err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return &incident.ConflictError{Object: "template", Current: cur}
		}
		out = cur
		return nil
	})
	if err != nil {
		return incident.Template{}, err
	}
	return out, nil
}

// DeleteTemplate deletes the custom template with key.
func (s *Store) DeleteTemplate(ctx context.Context, key string) error {
	res := s.conn(ctx).Where("key = ?", key).Delete(&templateRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete template: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("template", key)
	}
	return nil
}
