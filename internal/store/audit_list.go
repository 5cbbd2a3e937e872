package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// AuditLog returns the audit entries f selects, newest first, at most
// f.Limit (DefaultAuditLimit when 0) plus one, so the caller knows whether
// another page follows.
func (s *Store) AuditLog(ctx context.Context, f incident.AuditFilter) ([]incident.AuditEntry, error) {
	n := f.Limit
	if n <= 0 {
		n = DefaultAuditLimit
	}
	q := s.conn(ctx).Model(&auditRecord{})
	q = onlyVisibleAudit(q, f.Viewer)
	if f.Actor != "" {
		q = q.Where("lower(actor) = ?", strings.ToLower(f.Actor))
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			// A prefix compared with substr, not LIKE, so "_" in an
			// action name is not a wildcard.
			q = q.Where("substr(action, 1, ?) = ?", len(f.Action), f.Action)
		} else {
			q = q.Where("action = ?", f.Action)
		}
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != 0 {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", toDB(*f.Since))
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var recs []auditRecord
	if err := q.Order("id DESC").Limit(n + 1).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	out := make([]incident.AuditEntry, len(recs))
	for i, r := range recs {
		out[i] = incident.AuditEntry{
			ID: r.ID, Actor: r.Actor, Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID,
			IncidentID: r.IncidentID, Detail: r.Detail, RemoteAddr: r.RemoteAddr, RequestID: r.RequestID,
			CreatedAt: time.Time(r.CreatedAt),
		}
	}
	return out, nil
}
