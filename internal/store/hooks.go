package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// hookRecord is a row of hooks.
type hookRecord struct {
	ID             int64      `gorm:"column:id;primaryKey"`
	Source         string     `gorm:"column:source"`
	Name           string     `gorm:"column:name"`
	TokenHash      string     `gorm:"column:token_hash"`
	SigningSecret  string     `gorm:"column:signing_secret"`
	Mapping        jsonObject `gorm:"column:mapping"`
	CreatedBy      string     `gorm:"column:created_by"`
	CreatedAt      dbTime     `gorm:"column:created_at;autoCreateTime:false"`
	LastDeliveryAt *dbTime    `gorm:"column:last_delivery_at"`
	DisabledAt     *dbTime    `gorm:"column:disabled_at"`
}

func (hookRecord) TableName() string { return "hooks" }

func (r hookRecord) domain() incident.Hook {
	m := map[string]string{}
	for k, v := range r.Mapping {
		if s, ok := v.(string); ok {
			m[k] = s
		}
	}
	return incident.Hook{
		ID: r.ID, Source: r.Source, Name: r.Name, TokenHash: r.TokenHash, SigningSecret: r.SigningSecret,
		Mapping: m, CreatedBy: r.CreatedBy, CreatedAt: time.Time(r.CreatedAt),
		LastDeliveryAt: fromDBPtr(r.LastDeliveryAt), DisabledAt: fromDBPtr(r.DisabledAt),
	}
}

// CreateHook inserts h and sets its ID. A second hook of the same name is
// a validation error on name.
func (s *Store) CreateHook(ctx context.Context, h *incident.Hook) error {
	if h.CreatedAt.IsZero() {
		h.CreatedAt = s.nowUTC()
	}
	m := jsonObject{}
	for k, v := range h.Mapping {
		m[k] = v
	}
	rec := hookRecord{Source: h.Source, Name: h.Name, TokenHash: h.TokenHash, SigningSecret: h.SigningSecret,
		Mapping: m, CreatedBy: h.CreatedBy, CreatedAt: toDB(h.CreatedAt)}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return incident.Invalid("name", "is taken: a hook named "+h.Name+" already exists")
		}
		return fmt.Errorf("store: create hook: %w", err)
	}
	*h = rec.domain()
	return nil
}

// Hooks lists every hook, by name.
func (s *Store) Hooks(ctx context.Context) ([]incident.Hook, error) {
	var recs []hookRecord
	if err := s.conn(ctx).Order("name").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: list hooks: %w", err)
	}
	out := make([]incident.Hook, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// Hook returns the hook with id.
func (s *Store) Hook(ctx context.Context, id int64) (incident.Hook, error) {
	var rec hookRecord
	if err := s.conn(ctx).Where("id = ?", id).Take(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return incident.Hook{}, incident.NotFound("hook", ref(id))
		}
		return incident.Hook{}, fmt.Errorf("store: read hook: %w", err)
	}
	return rec.domain(), nil
}

// HookByName returns the hook named name.
func (s *Store) HookByName(ctx context.Context, name string) (incident.Hook, error) {
	var rec hookRecord
	if err := s.conn(ctx).Where("name = ?", name).Take(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return incident.Hook{}, incident.NotFound("hook", name)
		}
		return incident.Hook{}, fmt.Errorf("store: read hook: %w", err)
	}
	return rec.domain(), nil
}

// HookByTokenHash returns the hook whose token hashes to hash.
func (s *Store) HookByTokenHash(ctx context.Context, hash string) (incident.Hook, error) {
	var rec hookRecord
	if err := s.conn(ctx).Where("token_hash = ?", hash).Take(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return incident.Hook{}, incident.NotFound("hook", "token")
		}
		return incident.Hook{}, fmt.Errorf("store: read hook: %w", err)
	}
	return rec.domain(), nil
}

// SetHookToken replaces a hook's token hash (rotation).
func (s *Store) SetHookToken(ctx context.Context, id int64, hash string) error {
	res := s.conn(ctx).Model(&hookRecord{}).Where("id = ?", id).Update("token_hash", hash)
	if res.Error != nil {
		return fmt.Errorf("store: rotate hook token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("hook", ref(id))
	}
	return nil
}

// DeleteHook removes a hook; its alerts stay (hook_id becomes NULL).
func (s *Store) DeleteHook(ctx context.Context, id int64) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&hookRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete hook: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("hook", ref(id))
	}
	return nil
}

// TouchHooks records a delivery time on hooks.
func (s *Store) TouchHooks(ctx context.Context, at time.Time, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.conn(ctx).Model(&hookRecord{}).Where("id IN ?", ids).Update("last_delivery_at", toDB(at)).Error
	if err != nil {
		return fmt.Errorf("store: touch hooks: %w", err)
	}
	return nil
}
