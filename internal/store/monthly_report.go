package store

import (
	"context"
	"fmt"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// MonthIncidents lists up to limit of the incidents f selects (f.From and
// f.To bound their start, as on the dashboard), earliest first, with the
// total; the labels are not loaded.
func (s *Store) MonthIncidents(ctx context.Context, f incident.IncidentMetricsFilter, limit int) ([]incident.Incident, int, error) {
	var n int64
	if err := s.incidentMetricsQuery(ctx, f).Count(&n).Error; err != nil {
		return nil, 0, fmt.Errorf("store: month incidents: %w", err)
	}
	var recs []incidentRecord
	err := s.incidentMetricsQuery(ctx, f).Order(incidentStart + ", incidents.id").Limit(limit).Find(&recs).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: month incidents: %w", err)
	}
	out := make([]incident.Incident, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, int(n), nil
}

// RCAsPublished counts the RCAs published on the days from..to (UTC,
// inclusive) of the incidents f selects apart from its range: an RCA
// published this month may be of an incident of last month.
func (s *Store) RCAsPublished(ctx context.Context, f incident.IncidentMetricsFilter, from, to incident.Date) (int, error) {
	f.From, f.To = nil, nil
	q := s.conn(ctx).Model(&rcaRecord{}).Where("status = ?", string(incident.RCAPublished)).
		Where("incident_id IN (?)", s.incidentMetricsQuery(ctx, f).Select("incidents.id"))
	var n int64
	if err := inDays(q, "published_at", &from, &to).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: rcas published: %w", err)
	}
	return int(n), nil
}

// IncidentsWithPublishedRCA counts the incidents f selects whose RCA is
// published now.
func (s *Store) IncidentsWithPublishedRCA(ctx context.Context, f incident.IncidentMetricsFilter) (int, error) {
	var n int64
	err := s.incidentMetricsQuery(ctx, f).
		Where("EXISTS (SELECT 1 FROM rcas WHERE rcas.incident_id = incidents.id AND rcas.status = ?)", string(incident.RCAPublished)).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: incidents with a published rca: %w", err)
	}
	return int(n), nil
}

// ActionsClosed counts the actions f selects (apart from its range on
// creation) that were closed — done or won't do — on the days f.From..f.To
// by their completion time.
func (s *Store) ActionsClosed(ctx context.Context, f incident.ActionMetricsFilter) (done, wontDo int, err error) {
	q := s.metricsQuery(ctx, f, false).Where("completed_at IS NOT NULL").
		Where("status IN ?", []string{string(incident.ActionDone), string(incident.ActionWontDo)})
	var rows []struct {
		Status string `gorm:"column:status"`
		N      int    `gorm:"column:n"`
	}
	if err := inDays(q, "completed_at", f.From, f.To).Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return 0, 0, fmt.Errorf("store: actions closed: %w", err)
	}
	for _, r := range rows {
		if r.Status == string(incident.ActionDone) {
			done += r.N
		} else {
			wontDo += r.N
		}
	}
	return done, wontDo, nil
}
