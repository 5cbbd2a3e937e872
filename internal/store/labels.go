package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// labelRecord is a row of incident_labels: one service, team or tag of an
// incident, lower-cased, for indexed filtering.
type labelRecord struct {
	IncidentID int64  `gorm:"column:incident_id"`
	Kind       string `gorm:"column:kind"`
	Value      string `gorm:"column:value"`
}

func (labelRecord) TableName() string { return "incident_labels" }

// labelKinds maps the incident's label columns to their kind in incident_labels.
var labelKinds = map[string]string{"services": "service", "teams": "team", "tags": "tag"}

// labelKey folds a label for matching. strings.ToLower folds every script,
// which SQLite's lower() does not, so folding happens here on both sides.
func labelKey(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// syncLabels rewrites the label rows of the named columns of inc. Call it
// inside InTx, with the write of the columns themselves.
func (s *Store) syncLabels(ctx context.Context, inc incident.Incident, columns ...string) error {
	values := map[string][]string{"services": inc.Services, "teams": inc.Teams, "tags": inc.Tags}
	for _, col := range columns {
		kind, ok := labelKinds[col]
		if !ok {
			continue
		}
		if err := s.conn(ctx).Where("incident_id = ? AND kind = ?", inc.ID, kind).Delete(&labelRecord{}).Error; err != nil {
			return fmt.Errorf("store: clear %s labels: %w", kind, err)
		}
		seen := map[string]bool{}
		var rows []labelRecord
		for _, v := range values[col] {
			k := labelKey(v)
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			rows = append(rows, labelRecord{IncidentID: inc.ID, Kind: kind, Value: k})
		}
		if len(rows) == 0 {
			continue
		}
		if err := s.conn(ctx).Create(&rows).Error; err != nil {
			return fmt.Errorf("store: write %s labels: %w", kind, err)
		}
	}
	return nil
}

// hasLabel is a condition with two arguments (kind, folded value), true when
// the incident carries that label.
const hasLabel = "incidents.id IN (SELECT incident_id FROM incident_labels WHERE kind = ? AND value = ?)"
