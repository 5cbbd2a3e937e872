package store

import (
	"context"
	"fmt"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// auditRecord is a row of audit_entries.
type auditRecord struct {
	ID         int64  `gorm:"column:id;primaryKey"`
	Actor      string `gorm:"column:actor"`
	Action     string `gorm:"column:action"`
	ObjectType string `gorm:"column:object_type"`
	ObjectID   int64  `gorm:"column:object_id"`
	IncidentID *int64 `gorm:"column:incident_id"`
	Detail     string `gorm:"column:detail"`
	RemoteAddr string `gorm:"column:remote_addr"`
	RequestID  string `gorm:"column:request_id"`
	CreatedAt  dbTime `gorm:"column:created_at;autoCreateTime:false"`
}

func (auditRecord) TableName() string { return "audit_entries" }

// DefaultAuditLimit is how many entries AuditEntries returns when asked for 0.
const DefaultAuditLimit = 100

// AppendAudit records who did what (CreatedAt defaults to now).
func (s *Store) AppendAudit(ctx context.Context, es ...incident.AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	recs := make([]auditRecord, len(es))
	for i, e := range es {
		at := e.CreatedAt
		if at.IsZero() {
			at = s.nowUTC()
		}
		recs[i] = auditRecord{
			Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
			IncidentID: e.IncidentID, Detail: e.Detail, RemoteAddr: e.RemoteAddr, RequestID: e.RequestID,
			CreatedAt: toDB(at),
		}
	}
	if err := s.conn(ctx).CreateInBatches(&recs, 500).Error; err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

// AuditEntries returns the newest limit audit entries, newest first, of
// every incident (tools and tests; readers go through AuditLog with their
// viewer).
func (s *Store) AuditEntries(ctx context.Context, limit int) ([]incident.AuditEntry, error) {
	if limit <= 0 {
		limit = DefaultAuditLimit
	}
	es, err := s.AuditLog(ctx, incident.AuditFilter{Limit: limit, Viewer: incident.EveryIncident})
	if err != nil {
		return nil, fmt.Errorf("store: audit entries: %w", err)
	}
	return es[:min(len(es), limit)], nil
}
