package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// principalRecord is a row of incident_principals: one user or group a
// restricted incident is open to, folded (incident.FoldPrincipal).
type principalRecord struct {
	IncidentID int64  `gorm:"column:incident_id"`
	Principal  string `gorm:"column:principal"`
}

func (principalRecord) TableName() string { return "incident_principals" }

// syncPrincipals rewrites the principal rows of inc from its RestrictedTo.
// Call it inside InTx, with the write of restricted_to itself.
func (s *Store) syncPrincipals(ctx context.Context, inc incident.Incident) error {
	if err := s.conn(ctx).Where("incident_id = ?", inc.ID).Delete(&principalRecord{}).Error; err != nil {
		return fmt.Errorf("store: clear incident principals: %w", err)
	}
	folded := incident.Viewer{Principals: inc.RestrictedTo}.Folded()
	if len(folded) == 0 {
		return nil
	}
	rows := make([]principalRecord, len(folded))
	for i, p := range folded {
		rows[i] = principalRecord{IncidentID: inc.ID, Principal: p}
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("store: write incident principals: %w", err)
	}
	return nil
}

// The visibility predicates. Every list and count of the store applies one
// of them inside its query, so pages and totals only ever count incidents
// the viewer may see. They read incident_principals through its primary
// key (principal, incident_id) and the restricted incidents through the
// partial index incidents_restricted_idx; a viewer who sees everything
// adds no condition at all.

// visibleRow is the condition "the incidents row aliased t is visible to
// v", with its arguments; "" when v sees everything.
func visibleRow(t string, v incident.Viewer) (string, []any) {
	if v.All {
		return "", nil
	}
	cond := t + ".visibility <> 'restricted'"
	p := v.Folded()
	if len(p) == 0 {
		return "(" + cond + ")", nil
	}
	return "(" + cond + " OR " + t + ".id IN (SELECT incident_id FROM incident_principals WHERE principal IN ?))", []any{p}
}

// hiddenIDs is a subquery of the ids of the incidents v may not see (the
// restricted ones not open to any of its principals), with its arguments.
func hiddenIDs(v incident.Viewer) (string, []any) {
	q := "SELECT hid.id FROM incidents hid WHERE hid.visibility = 'restricted'"
	p := v.Folded()
	if len(p) == 0 {
		return q, nil
	}
	return q + " AND hid.id NOT IN (SELECT incident_id FROM incident_principals WHERE principal IN ?)", []any{p}
}

// visibleRef is the condition "the incident column col points at is
// visible to v" for a column that always names an existing incident (a
// foreign key); "" when v sees everything. A NULL col counts as visible.
// It excludes the few hidden incidents rather than looking up each row's
// incident.
func visibleRef(col string, v incident.Viewer) (string, []any) {
	if v.All {
		return "", nil
	}
	sub, args := hiddenIDs(v)
	return "(" + col + " IS NULL OR " + col + " NOT IN (" + sub + "))", args
}

// onlyVisible keeps the incidents rows aliased t that v may see.
func onlyVisible(q *gorm.DB, t string, v incident.Viewer) *gorm.DB {
	if cond, args := visibleRow(t, v); cond != "" {
		return q.Where(cond, args...)
	}
	return q
}

// onlyVisibleRef keeps the rows whose incident column col v may see.
func onlyVisibleRef(q *gorm.DB, col string, v incident.Viewer) *gorm.DB {
	if cond, args := visibleRef(col, v); cond != "" {
		return q.Where(cond, args...)
	}
	return q
}

// VisibleIncidentIDs returns those of ids that name an incident v may see,
// in no particular order: the check for ids that come from elsewhere (a
// search index that may lag a change of visibility).
func (s *Store) VisibleIncidentIDs(ctx context.Context, ids []int64, v incident.Viewer) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []int64
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		var got []int64
		q := onlyVisible(s.conn(ctx).Model(&incidentRecord{}).Where("incidents.id IN ?", chunk), "incidents", v)
		if err := q.Pluck("incidents.id", &got).Error; err != nil {
			return nil, fmt.Errorf("store: visible incidents: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// idChunk bounds the ids of one IN list.
const idChunk = 500

// visibleAudit is the condition "the audit entry is about no incident or
// about one v may see", with its arguments; "" when v sees everything.
// Unlike visibleRef it looks the incident up, so the entries of a deleted
// incident — whose last entries may name what it was about — are shown to
// viewers who see everything only.
func visibleAudit(col string, v incident.Viewer) (string, []any) {
	if v.All {
		return "", nil
	}
	row, args := visibleRow("aud", v)
	return "(" + col + " IS NULL OR " + col + " IN (SELECT aud.id FROM incidents aud WHERE " + row + "))", args
}

// onlyVisibleAudit keeps the audit entries (a query on audit_entries) that
// v may see: those about no incident, or about an incident v may see.
func onlyVisibleAudit(q *gorm.DB, v incident.Viewer) *gorm.DB {
	if cond, args := visibleAudit("audit_entries.incident_id", v); cond != "" {
		return q.Where(cond, args...)
	}
	return q
}
