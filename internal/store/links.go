package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// linkRecord is a row of incident_links.
type linkRecord struct {
	ID           int64   `gorm:"column:id;primaryKey"`
	IncidentID   int64   `gorm:"column:incident_id"`
	System       string  `gorm:"column:system"`
	Key          string  `gorm:"column:key"`
	URL          string  `gorm:"column:url"`
	Title        string  `gorm:"column:title"`
	CreatedAt    dbTime  `gorm:"column:created_at;autoCreateTime:false"`
	LastPulledAt *dbTime `gorm:"column:last_pulled_at"`
}

func (linkRecord) TableName() string { return "incident_links" }

func (r linkRecord) domain() incident.Link {
	return incident.Link{ID: r.ID, IncidentID: r.IncidentID, System: r.System, Key: r.Key, URL: r.URL, Title: r.Title,
		CreatedAt: time.Time(r.CreatedAt), LastPulledAt: fromDBPtr(r.LastPulledAt)}
}

// AddLinks records links of an incident; a link already there keeps its
// row and takes a url or title it lacked. pulled, when set, is the time of
// the pull that found them.
func (s *Store) AddLinks(ctx context.Context, incidentID int64, links []incident.Link, at time.Time, pulled bool) error {
	for _, l := range links {
		var last *dbTime
		if pulled {
			t := toDB(at)
			last = &t
		}
		err := s.conn(ctx).Exec(`INSERT INTO incident_links (incident_id, system, key, url, title, created_at, last_pulled_at)
 VALUES (?, ?, ?, ?, ?, ?, ?)
 ON CONFLICT (incident_id, system, key) DO UPDATE SET
  url = CASE WHEN excluded.url <> '' THEN excluded.url ELSE incident_links.url END,
  title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE incident_links.title END,
  last_pulled_at = COALESCE(excluded.last_pulled_at, incident_links.last_pulled_at)`,
			incidentID, l.System, l.Key, l.URL, l.Title, toDB(at), last).Error
		if err != nil {
			if isForeignKeyViolation(err) {
				return incident.NotFound("incident", ref(incidentID))
			}
			return fmt.Errorf("store: add links: %w", err)
		}
	}
	return nil
}

// Links lists an incident's links of a system (all systems when empty), oldest first.
func (s *Store) Links(ctx context.Context, incidentID int64, system string) ([]incident.Link, error) {
	q := s.conn(ctx).Where("incident_id = ?", incidentID)
	if system != "" {
		q = q.Where("system = ?", system)
	}
	var recs []linkRecord
	if err := q.Order("id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: list links: %w", err)
	}
	out := make([]incident.Link, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// LinkedIncident returns the incident that has a link (system, key); ok is
// false when none has.
func (s *Store) LinkedIncident(ctx context.Context, system, key string) (int64, bool, error) {
	var ids []int64
	err := s.conn(ctx).Model(&linkRecord{}).Where("system = ? AND key = ?", system, key).Order("id").Limit(1).Pluck("incident_id", &ids).Error
	if err != nil {
		return 0, false, fmt.Errorf("store: find linked incident: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}
