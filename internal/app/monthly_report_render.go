package app

import (
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// MonthlyReportFormats are the shapes a monthly report is written in.
var MonthlyReportFormats = []string{"json", "markdown", "csv"}

// metricLabels name the time-to-x intervals for people.
var metricLabels = map[string]string{
	"time_to_detect":      "Time to detect",
	"time_to_acknowledge": "Time to acknowledge",
	"time_to_mitigate":    "Time to mitigate",
	"time_to_resolve":     "Time to resolve",
}

// Markdown writes the report for the manager's review: a heading per
// block and tables. Text users typed (titles, services, categories) is
// escaped so it cannot break a table or turn into links or HTML.
func (r MonthlyReport) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	month, _ := time.Parse("2006-01", r.Month)
	p("# Monthly review — %s\n\n", month.Format("January 2006"))
	p("%s to %s · generated %s UTC\n\n", r.From, r.To, r.GeneratedAt.UTC().Format("2006-01-02 15:04"))

	p("## Incidents\n\n")
	p("%d incident(s) started this month.\n\n", r.Incidents.Count)
	p("| Severity | Incidents |\n|---|---:|\n")
	for _, sev := range incident.Severities {
		p("| %s | %d |\n", sev, r.Incidents.BySeverity[string(sev)])
	}
	if len(r.Incidents.TopServices) > 0 {
		p("\n| Service | Incidents |\n|---|---:|\n")
		for _, s := range r.Incidents.TopServices {
			p("| %s | %d |\n", mdCell(s.Key), s.Count)
		}
	}
	if len(r.Incidents.Items) > 0 {
		p("\n| Incident | Title | Severity | Status | Started | Duration |\n|---|---|---|---|---|---:|\n")
		for _, it := range r.Incidents.Items {
			p("| %s | %s | %s | %s | %s | %s |\n", mdCell(it.Key), mdCell(it.Title), it.Severity, it.Status,
				timeText(it.StartedAt), secondsText(it.DurationSeconds))
		}
		if r.Incidents.Count > len(r.Incidents.Items) {
			p("\n%d more not listed.\n", r.Incidents.Count-len(r.Incidents.Items))
		}
	}

	p("\n## Time to detect, acknowledge, mitigate and resolve\n\n")
	p("Percentiles (nearest rank) of the incidents that started in the month, against %s.\n\n", r.Previous)
	p("| Interval | p50 | p90 | Incidents | p50 %s | p90 %s | Incidents %s |\n|---|---:|---:|---:|---:|---:|---:|\n",
		r.Previous, r.Previous, r.Previous)
	for _, t := range r.TimeToX {
		p("| %s | %s | %s | %d | %s | %s | %d |\n", metricLabels[t.Metric], secondsText(t.This.P50), secondsText(t.This.P90),
			t.This.Count, secondsText(t.Previous.P50), secondsText(t.Previous.P90), t.Previous.Count)
	}

	p("\n## RCAs\n\n")
	p("%d RCA(s) published this month. Of this month's %d incident(s), %d have a published RCA; %d resolved more than %d days ago have none.\n",
		r.RCAs.Published, r.Incidents.Count, r.RCAs.OfMonthPublished, r.RCAs.Missing.Count, r.RCAs.MissingAfterDays)
	if len(r.RCAs.Missing.Items) > 0 {
		p("\n| Incident | Title | Severity | Resolved | Days since |\n|---|---|---|---|---:|\n")
		for _, m := range r.RCAs.Missing.Items {
			p("| %s | %s | %s | %s | %d |\n", mdCell(m.Key), mdCell(m.Title), m.Severity, m.ResolvedAt.UTC().Format(time.DateOnly), m.Days)
		}
	}
	if len(r.TopRootCauseCategories) > 0 {
		p("\n### Top root-cause categories\n\n| Category | Root causes |\n|---|---:|\n")
		for _, c := range r.TopRootCauseCategories {
			p("| %s | %d |\n", mdCell(orNone(c.Key)), c.Count)
		}
	}

	a := r.Actions
	p("\n## Corrective actions\n\n")
	p("| Created | Closed as done | Closed as won't do | Done within policy | Median days to close | p90 days to close | Overdue now |\n")
	p("|---:|---:|---:|---:|---:|---:|---:|\n")
	p("| %d | %d | %d | %s | %s | %s | %d |\n", a.Created, a.ClosedDone, a.ClosedWontDo, policyText(a.CompletionWithinPolicy),
		daysText(a.DaysToClose.P50), daysText(a.DaysToClose.P90), a.OverdueNow)
	if len(a.OldestOverdue) > 0 {
		p("\n### Oldest overdue\n\n| Incident | Action | Owner | Team | Due | Days overdue |\n|---|---|---|---|---|---:|\n")
		for _, o := range a.OldestOverdue {
			p("| %s | %s | %s | %s | %s | %d |\n", mdCell(o.IncidentKey), mdCell(o.Title), mdCell(orNone(o.Owner)),
				mdCell(orNone(o.Team)), o.DueDate, o.DaysOverdue)
		}
	}

	p("\n## Recurrences\n\n%d recurrence warning(s) on this month's incidents: %d open, %d dismissed.\n",
		r.Recurrences.Count, r.Recurrences.Open, r.Recurrences.Dismissed)
	return b.String()
}

// CSV writes the report as blocks separated by an empty line; each block
// has its own header row and every row starts with the block's name, so a
// spreadsheet filter on the first column picks one block.
func (r MonthlyReport) CSV() []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	first := true
	block := func(header []string, rows [][]string) {
		if !first {
			w.Flush()
			b.WriteString("\n")
		}
		first = false
		_ = w.Write(header)
		for _, row := range rows {
			_ = w.Write(row)
		}
	}
	itoa := strconv.Itoa
	block([]string{"section", "month", "from", "to", "previous_month", "generated_at"},
		[][]string{{"report", r.Month, r.From.String(), r.To.String(), r.Previous, r.GeneratedAt.UTC().Format(time.RFC3339)}})

	var rows [][]string
	for _, sev := range incident.Severities {
		rows = append(rows, []string{"incidents_by_severity", string(sev), itoa(r.Incidents.BySeverity[string(sev)])})
	}
	block([]string{"section", "severity", "incidents"}, rows)

	rows = nil
	for _, s := range r.Incidents.TopServices {
		rows = append(rows, []string{"incidents_by_service", incident.SpreadsheetSafe(s.Key), itoa(s.Count)})
	}
	block([]string{"section", "service", "incidents"}, rows)

	rows = nil
	for _, it := range r.Incidents.Items {
		started := ""
		if it.StartedAt != nil {
			started = it.StartedAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{"incidents", incident.SpreadsheetSafe(it.Key), incident.SpreadsheetSafe(it.Title), string(it.Severity), string(it.Status),
			started, floatText(it.DurationSeconds)})
	}
	block([]string{"section", "key", "title", "severity", "status", "started_at", "duration_seconds"}, rows)

	rows = nil
	for _, t := range r.TimeToX {
		rows = append(rows, []string{"time_to_x", t.Metric, floatText(t.This.P50), floatText(t.This.P90), itoa(t.This.Count),
			floatText(t.Previous.P50), floatText(t.Previous.P90), itoa(t.Previous.Count)})
	}
	block([]string{"section", "metric", "p50_seconds", "p90_seconds", "count", "previous_p50_seconds", "previous_p90_seconds", "previous_count"}, rows)

	block([]string{"section", "published", "of_month_published", "missing", "missing_after_days"},
		[][]string{{"rcas", itoa(r.RCAs.Published), itoa(r.RCAs.OfMonthPublished), itoa(r.RCAs.Missing.Count), itoa(r.RCAs.MissingAfterDays)}})

	rows = nil
	for _, m := range r.RCAs.Missing.Items {
		rows = append(rows, []string{"rcas_missing", incident.SpreadsheetSafe(m.Key), incident.SpreadsheetSafe(m.Title), string(m.Severity),
			m.ResolvedAt.UTC().Format(time.RFC3339), itoa(m.Days)})
	}
	block([]string{"section", "key", "title", "severity", "resolved_at", "days"}, rows)

	rows = nil
	for _, c := range r.TopRootCauseCategories {
		rows = append(rows, []string{"root_cause_categories", incident.SpreadsheetSafe(c.Key), itoa(c.Count)})
	}
	block([]string{"section", "category", "root_causes"}, rows)

	a := r.Actions
	block([]string{"section", "created", "closed_done", "closed_wont_do", "done_with_due_date", "done_on_time", "on_time_share",
		"days_to_close_p50", "days_to_close_p90", "overdue_now"},
		[][]string{{"actions", itoa(a.Created), itoa(a.ClosedDone), itoa(a.ClosedWontDo), itoa(a.CompletionWithinPolicy.Done),
			itoa(a.CompletionWithinPolicy.OnTime), floatText(a.CompletionWithinPolicy.Share), floatText(a.DaysToClose.P50),
			floatText(a.DaysToClose.P90), itoa(a.OverdueNow)}})

	rows = nil
	for _, o := range a.OldestOverdue {
		rows = append(rows, []string{"actions_overdue", incident.SpreadsheetSafe(o.IncidentKey), incident.SpreadsheetSafe(o.Title), incident.SpreadsheetSafe(o.Owner),
			incident.SpreadsheetSafe(o.Team), o.DueDate.String(), itoa(o.DaysOverdue)})
	}
	block([]string{"section", "incident", "title", "owner", "team", "due_date", "days_overdue"}, rows)

	block([]string{"section", "count", "open", "dismissed"},
		[][]string{{"recurrences", itoa(r.Recurrences.Count), itoa(r.Recurrences.Open), itoa(r.Recurrences.Dismissed)}})
	w.Flush()
	return []byte(b.String())
}

// mdCell escapes s for a Markdown table cell: no line breaks, and the
// characters Markdown or HTML would read as syntax are backslash-escaped.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]()<>|#!~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func floatText(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// secondsText reads seconds as "45s", "12m", "3h 05m" or "2d 4h".
func secondsText(v *float64) string {
	if v == nil {
		return "—"
	}
	s := int(math.Round(math.Abs(*v)))
	d, h, m := s/86400, s%86400/3600, s%3600/60
	switch {
	case d > 0:
		return fmt.Sprintf("%dd %dh", d, h)
	case h > 0:
		return fmt.Sprintf("%dh %02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%ds", s)
}

func daysText(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(math.Round(*v*10)/10, 'f', -1, 64)
}

func policyText(c incident.CompletionPolicy) string {
	if c.Share == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%% (%d of %d)", *c.Share*100, c.OnTime, c.Done)
}

func timeText(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
