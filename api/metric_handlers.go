package api

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// metricFormats are the answers the GET /metrics routes can give.
var metricFormats = []string{"json", "csv"}

// actionMetrics handles GET /metrics/actions: the corrective-actions
// dashboard, as JSON or, with format=csv, one CSV row per group.
func (s *server) actionMetrics(c *gin.Context) {
	q := newQuery(c)
	f := incident.ActionMetricsFilter{
		From:     q.date("from"),
		To:       q.date("to"),
		Team:     q.str("team"),
		Service:  q.str("service"),
		Severity: enum(q, "severity", incident.Severities),
		Owner:    q.str("owner"),
	}
	format := enum(q, "format", metricFormats)
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	m, err := s.svc.ActionMetrics(c.Request.Context(), f)
	s.answerMetrics(c, err, format, "action-metrics.csv", m, func() []byte { return actionMetricsCSV(m) })
}

// answerMetrics writes a dashboard's answer: the error, the metrics as JSON,
// or with format=csv the CSV (as a download named filename).
func (s *server) answerMetrics(c *gin.Context, err error, format, filename string, m any, csvOf func() []byte) {
	if err != nil {
		s.renderError(c, err)
		return
	}
	if format != "csv" {
		c.JSON(http.StatusOK, m)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", csvOf())
}

// actionMetricsCSV writes the counts as dimension,key,open,in_progress,
// done,wont_do,overdue: the totals first, then each dimension by key; then
// the burn-down as its own block.
func actionMetricsCSV(m incident.ActionMetrics) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	row := func(dim, key string, n incident.StatusCounts) {
		_ = w.Write([]string{dim, incident.SpreadsheetSafe(key), strconv.Itoa(n.Open), strconv.Itoa(n.InProgress),
			strconv.Itoa(n.Done), strconv.Itoa(n.WontDo), strconv.Itoa(n.Overdue)})
	}
	_ = w.Write([]string{"dimension", "key", "open", "in_progress", "done", "wont_do", "overdue"})
	row("total", "", m.Counts)
	for _, d := range []struct {
		name   string
		groups map[string]incident.StatusCounts
	}{{"team", m.ByTeam}, {"owner", m.ByOwner}, {"service", m.ByService}, {"priority", m.ByPriority}} {
		keys := make([]string, 0, len(d.groups))
		for k := range d.groups {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			row(d.name, k, d.groups[k])
		}
	}
	// The burn-down is its own block after a blank line: bucket (day or
	// week), its first day, then the counts.
	_ = w.Write(nil)
	_ = w.Write([]string{"burndown", "start", "open", "opened", "closed"})
	for _, p := range m.Burndown.Points {
		_ = w.Write([]string{m.Burndown.Bucket, p.Start.String(), strconv.Itoa(p.Open), strconv.Itoa(p.Opened), strconv.Itoa(p.Closed)})
	}
	w.Flush()
	return []byte(b.String())
}

// incidentMetrics handles GET /metrics/incidents: the incidents dashboard,
// as JSON or, with format=csv, one CSV row per month.
func (s *server) incidentMetrics(c *gin.Context) {
	q := newQuery(c)
	f := incident.IncidentMetricsFilter{
		From:     q.date("from"),
		To:       q.date("to"),
		Team:     q.str("team"),
		Service:  q.str("service"),
		Severity: enum(q, "severity", incident.Severities),
		RCADays:  q.intIn("rca_days", 1, 3650, incident.DefaultRCADays),
	}
	format := enum(q, "format", metricFormats)
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	m, err := s.svc.IncidentMetrics(c.Request.Context(), f)
	s.answerMetrics(c, err, format, "incident-metrics.csv", m, func() []byte { return incidentMetricsCSV(m) })
}

// incidentMetricsCSV writes one row per month: the count, the count per
// severity, the p50 and p90 of each time-to-x in seconds (empty when no
// incident of the month has it), then the count per service of the
// months' breakdown ("service:<name>" columns, most incidents first).
func incidentMetricsCSV(m incident.IncidentMetrics) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	head := []string{"month", "count"}
	for _, sev := range incident.Severities {
		head = append(head, string(sev))
	}
	head = append(head, "ttd_p50", "ttd_p90", "tta_p50", "tta_p90", "ttm_p50", "ttm_p90", "ttr_p50", "ttr_p90")
	var services []string
	for _, k := range m.ByService[:min(len(m.ByService), incident.MonthServices)] {
		services = append(services, k.Key)
		head = append(head, incident.SpreadsheetSafe("service:"+k.Key))
	}
	_ = w.Write(head)
	secs := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, mo := range m.PerMonth {
		row := []string{incident.SpreadsheetSafe(mo.Month), strconv.Itoa(mo.Count)}
		for _, sev := range incident.Severities {
			row = append(row, strconv.Itoa(mo.BySeverity[string(sev)]))
		}
		for _, p := range []incident.Percentiles{mo.ToDetect, mo.ToAcknowledge, mo.ToMitigate, mo.ToResolve} {
			row = append(row, secs(p.P50), secs(p.P90))
		}
		for _, k := range services {
			row = append(row, strconv.Itoa(mo.ByService[k]))
		}
		_ = w.Write(row)
	}
	w.Flush()
	return []byte(b.String())
}
