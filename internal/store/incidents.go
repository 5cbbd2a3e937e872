package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// incidentRecord is a row of incidents.
type incidentRecord struct {
	ID             int64             `gorm:"column:id;primaryKey"`
	Key            *string           `gorm:"column:key"`
	Title          string            `gorm:"column:title"`
	Summary        string            `gorm:"column:summary"`
	Severity       string            `gorm:"column:severity"`
	Status         string            `gorm:"column:status"`
	Services       jsonStrings       `gorm:"column:services"`
	Teams          jsonStrings       `gorm:"column:teams"`
	Tags           jsonStrings       `gorm:"column:tags"`
	RestrictedTo   jsonStrings       `gorm:"column:restricted_to"`
	Commander      string            `gorm:"column:commander"`
	Visibility     string            `gorm:"column:visibility"`
	CustomerImpact string            `gorm:"column:customer_impact"`
	StartedAt      *dbTime           `gorm:"column:started_at"`
	DetectedAt     *dbTime           `gorm:"column:detected_at"`
	AcknowledgedAt *dbTime           `gorm:"column:acknowledged_at"`
	MitigatedAt    *dbTime           `gorm:"column:mitigated_at"`
	ResolvedAt     *dbTime           `gorm:"column:resolved_at"`
	StatusPage     statusPageColumns `gorm:"embedded"`
	Version        int               `gorm:"column:version"`
	CreatedAt      dbTime            `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      dbTime            `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (incidentRecord) TableName() string { return "incidents" }

func toIncidentRecord(i incident.Incident) incidentRecord {
	r := incidentRecord{
		ID:             i.ID,
		Title:          i.Title,
		Summary:        i.Summary,
		Severity:       string(i.Severity),
		Status:         string(i.Status),
		Services:       labels(i.Services),
		Teams:          labels(i.Teams),
		Tags:           labels(i.Tags),
		RestrictedTo:   labels(i.RestrictedTo),
		Commander:      i.Commander,
		Visibility:     string(i.Visibility),
		CustomerImpact: i.CustomerImpact,
		StartedAt:      toDBPtr(i.StartedAt),
		DetectedAt:     toDBPtr(i.DetectedAt),
		AcknowledgedAt: toDBPtr(i.AcknowledgedAt),
		MitigatedAt:    toDBPtr(i.MitigatedAt),
		ResolvedAt:     toDBPtr(i.ResolvedAt),
		StatusPage:     toStatusPageColumns(i),
		Version:        i.Version,
		CreatedAt:      toDB(i.CreatedAt),
		UpdatedAt:      toDB(i.UpdatedAt),
	}
	if i.Key != "" {
		k := i.Key
		r.Key = &k
	}
	return r
}

func (r incidentRecord) domain() incident.Incident {
	i := incident.Incident{
		ID:             r.ID,
		Title:          r.Title,
		Summary:        r.Summary,
		Severity:       incident.Severity(r.Severity),
		Status:         incident.Status(r.Status),
		Services:       labels(r.Services),
		Teams:          labels(r.Teams),
		Tags:           labels(r.Tags),
		RestrictedTo:   labels(r.RestrictedTo),
		Commander:      r.Commander,
		Visibility:     incident.Visibility(r.Visibility),
		CustomerImpact: r.CustomerImpact,
		StartedAt:      fromDBPtr(r.StartedAt),
		DetectedAt:     fromDBPtr(r.DetectedAt),
		AcknowledgedAt: fromDBPtr(r.AcknowledgedAt),
		MitigatedAt:    fromDBPtr(r.MitigatedAt),
		ResolvedAt:     fromDBPtr(r.ResolvedAt),
		Version:        r.Version,
		CreatedAt:      time.Time(r.CreatedAt),
		UpdatedAt:      time.Time(r.UpdatedAt),
	}
	if r.Key != nil {
		i.Key = *r.Key
	}
	r.StatusPage.into(&i)
	return i
}

// incidentColumns maps each column UpdateIncident may set to its value in a record.
var incidentColumns = map[string]func(r *incidentRecord) any{
	"title":           func(r *incidentRecord) any { return r.Title },
	"summary":         func(r *incidentRecord) any { return r.Summary },
	"severity":        func(r *incidentRecord) any { return r.Severity },
	"status":          func(r *incidentRecord) any { return r.Status },
	"services":        func(r *incidentRecord) any { return r.Services },
	"teams":           func(r *incidentRecord) any { return r.Teams },
	"tags":            func(r *incidentRecord) any { return r.Tags },
	"restricted_to":   func(r *incidentRecord) any { return r.RestrictedTo },
	"commander":       func(r *incidentRecord) any { return r.Commander },
	"visibility":      func(r *incidentRecord) any { return r.Visibility },
	"customer_impact": func(r *incidentRecord) any { return r.CustomerImpact },
	"started_at":      func(r *incidentRecord) any { return r.StartedAt },
	"detected_at":     func(r *incidentRecord) any { return r.DetectedAt },
	"acknowledged_at": func(r *incidentRecord) any { return r.AcknowledgedAt },
	"mitigated_at":    func(r *incidentRecord) any { return r.MitigatedAt },
	"resolved_at":     func(r *incidentRecord) any { return r.ResolvedAt },

	"public":            func(r *incidentRecord) any { return r.StatusPage.Public },
	"public_title":      func(r *incidentRecord) any { return r.StatusPage.PublicTitle },
	"public_summary":    func(r *incidentRecord) any { return r.StatusPage.PublicSummary },
	"public_impact":     func(r *incidentRecord) any { return r.StatusPage.PublicImpact },
	"impact_started_at": func(r *incidentRecord) any { return r.StatusPage.ImpactStartedAt },
	"impact_ended_at":   func(r *incidentRecord) any { return r.StatusPage.ImpactEndedAt },
}

// CreateIncident inserts inc and sets its ID, Key (INC-<id>), Version (1)
// and timestamps (CreatedAt is kept when set, for imports of old incidents).
// It writes twice (insert, then the key); run it inside InTx.
func (s *Store) CreateIncident(ctx context.Context, inc *incident.Incident) error {
	now := s.nowUTC()
	if inc.CreatedAt.IsZero() {
		inc.CreatedAt = now
	}
	inc.CreatedAt = incident.UTC(inc.CreatedAt)
	inc.UpdatedAt = inc.CreatedAt
	inc.Version = 1
	inc.Key = ""
	rec := toIncidentRecord(*inc)
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Create(&rec).Error; err != nil {
			return fmt.Errorf("store: create incident: %w", err)
		}
		key := incident.FormatKey(rec.ID)
		err := tx.conn(ctx).Model(&incidentRecord{}).Where("id = ?", rec.ID).Update("key", key).Error
		if err != nil {
			return fmt.Errorf("store: set incident key: %w", err)
		}
		rec.Key = &key
		inc.ID = rec.ID
		if err := tx.syncPrincipals(ctx, *inc); err != nil {
			return err
		}
		return tx.syncLabels(ctx, *inc, "services", "teams", "tags")
	})
	if err != nil {
		return err
	}
	*inc = rec.domain()
	return nil
}

// Incident returns the incident with that id.
func (s *Store) Incident(ctx context.Context, id int64) (incident.Incident, error) {
	var rec incidentRecord
	res := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.Incident{}, fmt.Errorf("store: incident: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.Incident{}, incident.NotFound("incident", ref(id))
	}
	return rec.domain(), nil
}

// IncidentByKey returns the incident with that key ("INC-42", any case).
func (s *Store) IncidentByKey(ctx context.Context, key string) (incident.Incident, error) {
	n, ok := incident.ParseKey(key)
	if !ok {
		return incident.Incident{}, incident.NotFound("incident", key)
	}
	var rec incidentRecord
	res := s.conn(ctx).Where(`"key" = ?`, incident.FormatKey(n)).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.Incident{}, fmt.Errorf("store: incident by key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.Incident{}, incident.NotFound("incident", key)
	}
	return rec.domain(), nil
}

// UpdateIncident writes the named columns of inc if the stored version is
// still expectedVersion, bumps the version and updated_at, and returns the
// row as stored. A stale version gives a *incident.ConflictError whose
// Current is the stored incident.Incident.
func (s *Store) UpdateIncident(ctx context.Context, inc incident.Incident, expectedVersion int, columns []string) (incident.Incident, error) {
	if err := checkColumnFuncs("incident", columns, incidentColumns); err != nil {
		return incident.Incident{}, err
	}
	rec := toIncidentRecord(inc)
	set := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": toDB(s.nowUTC())}
	for _, c := range columns {
		set[c] = incidentColumns[c](&rec)
	}
	var out []incidentRecord
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&out).Clauses(clause.Returning{}).
			Where("id = ? AND version = ?", inc.ID, expectedVersion).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("store: update incident: %w", res.Error)
		}
		if len(out) != 1 {
			return nil
		}
		if slices.Contains(columns, "restricted_to") {
			if err := tx.syncPrincipals(ctx, inc); err != nil {
				return err
			}
		}
		return tx.syncLabels(ctx, inc, columns...)
	})
	if err != nil {
		return incident.Incident{}, err
	}
	if len(out) == 1 {
		return out[0].domain(), nil
	}
	cur, err := s.Incident(ctx, inc.ID)
	if err != nil {
		return incident.Incident{}, err
	}
	return incident.Incident{}, &incident.ConflictError{Object: "incident", Current: cur}
}

// DeleteIncident deletes an incident and, by cascade, everything in it.
func (s *Store) DeleteIncident(ctx context.Context, id int64) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&incidentRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete incident: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("incident", ref(id))
	}
	return nil
}

// checkColumnFuncs is checkColumns over the keys of a column map.
func checkColumnFuncs[R any](object string, columns []string, allowed map[string]func(*R) any) error {
	for _, c := range columns {
		if _, ok := allowed[c]; !ok {
			return fmt.Errorf("store: %s has no updatable column %q", object, c)
		}
	}
	return nil
}

// LockIncident returns the incident with that id and, on PostgreSQL, holds
// its row lock (FOR NO KEY UPDATE: foreign-key checks of other writers are
// not blocked) until the transaction ends, so concurrent writes to one
// incident and everything in it queue instead of conflicting or, for
// overlapping timeline imports, deadlocking on the unique index. (SQLite
// transactions start with BEGIN IMMEDIATE and are serialized already.) Call
// it inside InTx.
func (s *Store) LockIncident(ctx context.Context, id int64) (incident.Incident, error) {
	q := s.conn(ctx)
	if s.dialect == DialectPostgres {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	var rec incidentRecord
	res := q.Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.Incident{}, fmt.Errorf("store: lock incident: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.Incident{}, incident.NotFound("incident", ref(id))
	}
	return rec.domain(), nil
}
