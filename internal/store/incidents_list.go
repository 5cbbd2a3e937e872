package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// sortKind says how a sort field's cursor value is read.
type sortKind int

const (
	sortTime sortKind = iota // the value is a time
	sortText                 // the value is compared as text
	sortID                   // only the id matters
)

type incidentSort struct {
	expr string
	kind sortKind
}

// incidentSorts maps incident.IncidentSortFields to SQL. A missing start time
// sorts as the creation time; severity text order is worst first (SEV1 <
// SEV2); the key sorts by id, since key = INC-<id>.
var incidentSorts = map[string]incidentSort{
	"created_at": {"incidents.created_at", sortTime},
	"updated_at": {"incidents.updated_at", sortTime},
	"started_at": {"COALESCE(incidents.started_at, incidents.created_at)", sortTime},
	"severity":   {"incidents.severity", sortText},
	"key":        {"incidents.id", sortID},
}

// Incidents returns one page of the incidents matching f and the number of
// all matching incidents. The page holds up to f.Limit+1 rows: a row beyond
// f.Limit means another page follows, starting after IncidentCursor of the
// last row kept. The default order is created_at, newest first.
func (s *Store) Incidents(ctx context.Context, f incident.IncidentFilter) ([]incident.Incident, int, error) {
	field, desc := f.Sort.Field, f.Sort.Desc
	if field == "" {
		field, desc = "created_at", true
	}
	srt, ok := incidentSorts[field]
	if !ok {
		return nil, 0, incident.Invalid("sort", "must be one of "+strings.Join(incident.IncidentSortFields, ", "))
	}

	var total int64
	if err := s.incidentQuery(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count incidents: %w", err)
	}

	q := s.incidentQuery(ctx, f)
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	if c := f.After; c != nil {
		switch srt.kind {
		case sortID:
			q = q.Where("incidents.id "+cmp+" ?", c.ID)
		case sortTime:
			v, err := cursorTime(c.Value)
			if err != nil {
				return nil, 0, err
			}
			q = q.Where(keyset(srt.expr, "incidents.id", cmp), v, v, c.ID)
		case sortText:
			q = q.Where(keyset(srt.expr, "incidents.id", cmp), c.Value, c.Value, c.ID)
		}
	}
	if srt.kind != sortID {
		q = q.Order(srt.expr + " " + dir)
	}
	var recs []incidentRecord
	if err := q.Order("incidents.id " + dir).Limit(pageLimit(f.Limit)).Find(&recs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list incidents: %w", err)
	}
	out := make([]incident.Incident, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, int(total), nil
}

// keyset is the condition "(expr, id) comes after the cursor" for a
// direction's comparison operator; it takes the value, the value and the id.
func keyset(expr, id, cmp string) string {
	return "(" + expr + " " + cmp + " ? OR (" + expr + " = ? AND " + id + " " + cmp + " ?))"
}

// incidentQuery applies f's filters (not its cursor, order or limit).
func (s *Store) incidentQuery(ctx context.Context, f incident.IncidentFilter) *gorm.DB {
	q := onlyVisible(s.conn(ctx).Model(&incidentRecord{}), "incidents", f.Viewer)
	if len(f.Statuses) > 0 {
		q = q.Where("incidents.status IN ?", strs(f.Statuses))
	}
	if len(f.Severities) > 0 {
		sev := strs(f.Severities)
		for i := range sev {
			sev[i] = strings.ToUpper(sev[i])
		}
		q = q.Where("incidents.severity IN ?", sev)
	}
	for _, l := range []struct{ kind, value string }{
		{"service", f.Service}, {"team", f.Team}, {"tag", f.Tag},
	} {
		if v := labelKey(l.value); v != "" {
			q = q.Where(hasLabel, l.kind, v)
		}
	}
	if f.StartedAfter != nil {
		q = q.Where(incidentSorts["started_at"].expr+" >= ?", toDB(*f.StartedAfter))
	}
	if f.StartedBefore != nil {
		q = q.Where(incidentSorts["started_at"].expr+" < ?", toDB(*f.StartedBefore))
	}
	return q
}

// IncidentCursor returns the position of inc in a list sorted by field, to
// continue the list after it.
func IncidentCursor(inc incident.Incident, field string) incident.Cursor {
	c := incident.Cursor{ID: inc.ID}
	switch field {
	case "", "created_at":
		c.Value = formatTime(inc.CreatedAt)
	case "updated_at":
		c.Value = formatTime(inc.UpdatedAt)
	case "started_at":
		if inc.StartedAt != nil {
			c.Value = formatTime(*inc.StartedAt)
		} else {
			c.Value = formatTime(inc.CreatedAt)
		}
	case "severity":
		c.Value = string(inc.Severity)
	}
	return c
}

// strs converts a slice of string-typed enums to []string.
func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}
