package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// incidentStart is when an incident counts in the dashboard: its start, or
// its creation when the start is unknown (the started_at sort of the list).
var incidentStart = incidentSorts["started_at"].expr

// monthGroup is one row of a GROUP BY month, severity.
type monthGroup struct {
	Month    string `gorm:"column:month"`
	Severity string `gorm:"column:severity"`
	N        int    `gorm:"column:n"`
}

// lifecycleRecord is the narrow row the time-to-x percentiles are computed
// from.
type lifecycleRecord struct {
	Month          string  `gorm:"column:month"`
	Severity       string  `gorm:"column:severity"`
	StartedAt      *dbTime `gorm:"column:started_at"`
	DetectedAt     *dbTime `gorm:"column:detected_at"`
	AcknowledgedAt *dbTime `gorm:"column:acknowledged_at"`
	MitigatedAt    *dbTime `gorm:"column:mitigated_at"`
	ResolvedAt     *dbTime `gorm:"column:resolved_at"`
}

// keyCount is one row of a GROUP BY key.
type keyCount struct {
	Key string `gorm:"column:k"`
	N   int    `gorm:"column:n"`
}

// IncidentMetrics computes the incidents dashboard for f: counts per month
// and severity, per service, of root-cause categories and of recurrence
// warnings with GROUP BY; the time-to-x percentiles (nearest-rank, computed
// here from one narrow query) per month and per severity; and the
// incidents resolved more than f.RCADays days before f.Now whose RCA is not
// published.
func (s *Store) IncidentMetrics(ctx context.Context, f incident.IncidentMetricsFilter) (incident.IncidentMetrics, error) {
	m := incident.IncidentMetrics{PerMonth: []incident.MonthMetrics{}, BySeverity: map[string]incident.TimeToX{},
		ByService: []incident.KeyCount{}, TopRootCauseCategories: []incident.KeyCount{}}
	month := s.monthOf(incidentStart)
	var groups []monthGroup
	err := s.incidentMetricsQuery(ctx, f).Select(month + " AS month, incidents.severity AS severity, count(*) AS n").
		Group("1, 2").Scan(&groups).Error
	if err != nil {
		return incident.IncidentMetrics{}, fmt.Errorf("store: incident metrics: %w", err)
	}
	perMonth := map[string]*incident.MonthMetrics{}
	for _, mo := range monthsBetween(groups) {
		m.PerMonth = append(m.PerMonth, incident.MonthMetrics{Month: mo, BySeverity: severityZeros(), ByService: map[string]int{}})
	}
	for i := range m.PerMonth {
		perMonth[m.PerMonth[i].Month] = &m.PerMonth[i]
	}
	for _, g := range groups {
		pm := perMonth[g.Month]
		if pm == nil {
			continue
		}
		pm.Count += g.N
		pm.BySeverity[g.Severity] += g.N
	}
	if err := s.timeToX(ctx, f, month, &m); err != nil {
		return incident.IncidentMetrics{}, err
	}
	var svc []keyCount
	q := s.incidentMetricsQuery(ctx, f).
		Joins("JOIN incident_labels l ON l.incident_id = incidents.id AND l.kind = 'service'")
	if unfiltered(f) {
		// Every incident the viewer may see: the labels alone, read in the
		// order of their primary key, less those of hidden incidents.
		q = onlyVisibleRef(s.conn(ctx).Table("incident_labels l").Where("l.kind = 'service'"), "l.incident_id", f.Viewer)
	}
	err = q.Select("l.value AS k, count(*) AS n").Group("l.value").Order("n DESC, " + s.byteOrder("l.value")).Limit(20).Scan(&svc).Error
	if err != nil {
		return incident.IncidentMetrics{}, fmt.Errorf("store: incident metrics by service: %w", err)
	}
	m.ByService = keyCounts(svc)
	if err := s.monthsByService(ctx, f, month, perMonth, &m); err != nil {
		return incident.IncidentMetrics{}, err
	}
	var cats []keyCount
	err = s.ofMetricsIncidents(ctx, f, s.conn(ctx).Model(&rootCauseRecord{}), "root_causes.incident_id").
		Select("category AS k, count(*) AS n").Group("category").Order("n DESC, " + s.byteOrder("category")).Limit(10).Scan(&cats).Error
	if err != nil {
		return incident.IncidentMetrics{}, fmt.Errorf("store: root cause categories: %w", err)
	}
	m.TopRootCauseCategories = keyCounts(cats)
	if err := s.recurrenceCounts(ctx, f, &m); err != nil {
		return incident.IncidentMetrics{}, err
	}
	if err := s.missingRCAs(ctx, f, &m); err != nil {
		return incident.IncidentMetrics{}, err
	}
	return m, nil
}

// monthServiceGroup is one row of a GROUP BY month, service.
type monthServiceGroup struct {
	Month string `gorm:"column:month"`
	Key   string `gorm:"column:k"`
	N     int    `gorm:"column:n"`
}

// monthsByService fills each month's counts of the incident.MonthServices
// services with most incidents (m.ByService, already counted): zeros for
// all of them, then one GROUP BY month, service over their labels.
func (s *Store) monthsByService(ctx context.Context, f incident.IncidentMetricsFilter, month string,
	perMonth map[string]*incident.MonthMetrics, m *incident.IncidentMetrics) error {
	top := make([]string, 0, incident.MonthServices)
	for _, k := range m.ByService[:min(len(m.ByService), incident.MonthServices)] {
		top = append(top, k.Key)
	}
	if len(top) == 0 || len(m.PerMonth) == 0 {
		return nil
	}
	for i := range m.PerMonth {
		for _, k := range top {
			m.PerMonth[i].ByService[k] = 0
		}
	}
	var rows []monthServiceGroup
	err := s.incidentMetricsQuery(ctx, f).
		Joins("JOIN incident_labels l ON l.incident_id = incidents.id AND l.kind = 'service' AND l.value IN ?", top).
		Select(month + " AS month, l.value AS k, count(*) AS n").Group("1, 2").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("store: incident metrics per month by service: %w", err)
	}
	for _, r := range rows {
		if pm := perMonth[r.Month]; pm != nil {
			pm.ByService[r.Key] += r.N
		}
	}
	return nil
}

// recurrenceCounts counts the recurrence warnings of the incidents f
// selects, open and dismissed; those pointing at a past incident the viewer
// may not see are left out.
func (s *Store) recurrenceCounts(ctx context.Context, f incident.IncidentMetricsFilter, m *incident.IncidentMetrics) error {
	var row struct {
		N         int `gorm:"column:n"`
		Dismissed int `gorm:"column:dismissed"`
	}
	q := s.ofMetricsIncidents(ctx, f, onlyVisibleRef(s.conn(ctx).Table("recurrences"), "recurrences.past_incident_id", f.Viewer),
		"recurrences.incident_id")
	err := q.Select("count(*) AS n, COALESCE(SUM(CASE WHEN dismissed_at IS NULL THEN 0 ELSE 1 END), 0) AS dismissed").
		Scan(&row).Error
	if err != nil {
		return fmt.Errorf("store: recurrence counts: %w", err)
	}
	m.Recurrences = incident.RecurrenceCounts{Count: row.N, Open: row.N - row.Dismissed, Dismissed: row.Dismissed}
	return nil
}

// missingRCAs counts the incidents f selects that were resolved more than
// f.RCADays days before f.Now and have no published RCA, and lists the 20
// resolved longest ago.
func (s *Store) missingRCAs(ctx context.Context, f incident.IncidentMetricsFilter, m *incident.IncidentMetrics) error {
	q := func() *gorm.DB {
		return s.incidentMetricsQuery(ctx, f).
			Where("incidents.resolved_at < ?", toDB(f.Now.AddDate(0, 0, -f.RCADays))).
			Where("NOT EXISTS (SELECT 1 FROM rcas WHERE rcas.incident_id = incidents.id AND rcas.status = ?)",
				string(incident.RCAPublished))
	}
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return fmt.Errorf("store: incidents without a published rca: %w", err)
	}
	var recs []incidentRecord
	if err := q().Order("incidents.resolved_at, incidents.id").Limit(20).Find(&recs).Error; err != nil {
		return fmt.Errorf("store: incidents without a published rca: %w", err)
	}
	m.WithoutPublishedRCA = incident.MissingRCAs{Count: int(n), Items: make([]incident.MissingRCA, len(recs))}
	for i, r := range recs {
		resolved := time.Time(*r.ResolvedAt)
		m.WithoutPublishedRCA.Items[i] = incident.MissingRCA{Key: r.domain().Key, Title: r.Title,
			Severity: incident.Severity(r.Severity), ResolvedAt: resolved, Days: int(f.Now.Sub(resolved).Hours() / 24)}
	}
	return nil
}

// unfiltered says whether f selects every incident its viewer may see.
func unfiltered(f incident.IncidentMetricsFilter) bool {
	return f.From == nil && f.To == nil && labelKey(f.Service) == "" && labelKey(f.Team) == "" && f.Severity == ""
}

// ofMetricsIncidents keeps the rows of q whose incident (column col, a
// foreign key) f selects: without filters but the viewer, by leaving out
// the few hidden incidents rather than looking every row's incident up.
func (s *Store) ofMetricsIncidents(ctx context.Context, f incident.IncidentMetricsFilter, q *gorm.DB, col string) *gorm.DB {
	if unfiltered(f) {
		return onlyVisibleRef(q, col, f.Viewer)
	}
	return q.Where(col+" IN (?)", s.incidentMetricsQuery(ctx, f).Select("incidents.id"))
}

// incidentMetricsQuery selects the incidents f counts.
func (s *Store) incidentMetricsQuery(ctx context.Context, f incident.IncidentMetricsFilter) *gorm.DB {
	q := onlyVisible(s.conn(ctx).Model(&incidentRecord{}), "incidents", f.Viewer)
	for _, l := range []struct{ kind, value string }{{"service", f.Service}, {"team", f.Team}} {
		if v := labelKey(l.value); v != "" {
			q = q.Where(hasLabel, l.kind, v)
		}
	}
	if f.Severity != "" {
		q = q.Where("incidents.severity = ?", string(f.Severity))
	}
	return inDays(q, incidentStart, f.From, f.To)
}

// monthOf is the SQL for the UTC month (YYYY-MM) of the time expression expr.
func (s *Store) monthOf(expr string) string {
	if s.dialect == DialectPostgres {
		return "to_char(" + expr + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	return "substr(" + expr + ", 1, 7)" // times are stored as UTC RFC 3339 text
}

// monthsBetween lists the months from the first to the last of groups,
// those without a group included.
func monthsBetween(groups []monthGroup) []string {
	var first, last time.Time
	for _, g := range groups {
		t, err := time.Parse("2006-01", g.Month)
		if err != nil {
			continue
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	var out []string
	for t := first; !first.IsZero() && !t.After(last); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}

// severityZeros counts 0 incidents of each severity.
func severityZeros() map[string]int {
	out := make(map[string]int, len(incident.Severities))
	for _, sev := range incident.Severities {
		out[string(sev)] = 0
	}
	return out
}

func keyCounts(rows []keyCount) []incident.KeyCount {
	out := make([]incident.KeyCount, len(rows))
	for i, r := range rows {
		out[i] = incident.KeyCount{Key: r.Key, Count: r.N}
	}
	return out
}

// timeToX fills the time-to-x percentiles of m's months and of each
// severity: on PostgreSQL with percentile_disc (nearest rank) in one
// GROUPING SETS query, on SQLite here, from one narrow query.
func (s *Store) timeToX(ctx context.Context, f incident.IncidentMetricsFilter, month string, m *incident.IncidentMetrics) error {
	if s.dialect == DialectPostgres {
		return s.timeToXPostgres(ctx, f, month, m)
	}
	var recs []lifecycleRecord
	err := s.incidentMetricsQuery(ctx, f).Select(month + " AS month, incidents.severity AS severity, " +
		"incidents.started_at, incidents.detected_at, incidents.acknowledged_at, incidents.mitigated_at, incidents.resolved_at").
		Scan(&recs).Error
	if err != nil {
		return fmt.Errorf("store: incident lifecycles: %w", err)
	}
	monthSamples, sevSamples := map[string]*incident.DurationSamples{}, map[string]*incident.DurationSamples{}
	sample := func(into map[string]*incident.DurationSamples, key string) *incident.DurationSamples {
		if into[key] == nil {
			into[key] = &incident.DurationSamples{}
		}
		return into[key]
	}
	for _, r := range recs {
		inc := incident.Incident{StartedAt: fromDBPtr(r.StartedAt), DetectedAt: fromDBPtr(r.DetectedAt),
			AcknowledgedAt: fromDBPtr(r.AcknowledgedAt), MitigatedAt: fromDBPtr(r.MitigatedAt), ResolvedAt: fromDBPtr(r.ResolvedAt)}
		d := inc.Durations()
		sample(monthSamples, r.Month).Add(d)
		sample(sevSamples, r.Severity).Add(d)
	}
	for i := range m.PerMonth {
		m.PerMonth[i].TimeToX = sample(monthSamples, m.PerMonth[i].Month).TimeToX()
	}
	for _, sev := range incident.Severities {
		m.BySeverity[string(sev)] = sample(sevSamples, string(sev)).TimeToX()
	}
	return nil
}

// byteOrder is col (a column, not an output name: PostgreSQL takes those
// only alone) ordered by its bytes, whatever the database's collation:
// ties of the top-N lists break the same way on every database (and in the
// dashboards' projection, which sorts Go strings).
func (s *Store) byteOrder(col string) string {
	if s.dialect == DialectPostgres {
		return col + ` COLLATE "C"`
	}
	return col // SQLite compares text as bytes (BINARY)
}
