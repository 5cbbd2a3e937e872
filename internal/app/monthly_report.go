package app

import (
	"context"
	"time"

	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// MonthlyIncidentLimit is how many of a month's incidents the monthly report
// lists one by one (all are counted).
const MonthlyIncidentLimit = 200

// MonthlyOverdueLimit is how many of the oldest overdue actions the monthly
// report lists.
const MonthlyOverdueLimit = 10

// MonthlyReport is the manager's monthly review: the month's incidents and
// how fast they were handled against the month before, the RCAs, the
// corrective actions, and what is overdue now. Viewer-filtered like the
// dashboard it is built from.
type MonthlyReport struct {
	Month       string        `json:"month"` // YYYY-MM
	From        incident.Date `json:"from"`
	To          incident.Date `json:"to"`
	Previous    string        `json:"previous_month"`
	GeneratedAt time.Time     `json:"generated_at"`

	Incidents              MonthlyIncidents          `json:"incidents"`
	TimeToX                []TimeToXChange           `json:"time_to_x"`
	RCAs                   MonthlyRCAs               `json:"rcas"`
	TopRootCauseCategories []incident.KeyCount       `json:"top_root_cause_categories"`
	Actions                MonthlyActions            `json:"actions"`
	Recurrences            incident.RecurrenceCounts `json:"recurrences"`
}

// MonthlyIncidents are the incidents that started in the month.
type MonthlyIncidents struct {
	Count       int                 `json:"count"`
	BySeverity  map[string]int      `json:"by_severity"`
	TopServices []incident.KeyCount `json:"top_services"`
	// Items lists the first MonthlyIncidentLimit, earliest first.
	Items []MonthlyIncident `json:"items"`
}

// MonthlyIncident is one line of the month's incidents.
type MonthlyIncident struct {
	Key       string            `json:"key"`
	Title     string            `json:"title"`
	Severity  incident.Severity `json:"severity"`
	Status    incident.Status   `json:"status"`
	StartedAt *time.Time        `json:"started_at"`
	// DurationSeconds is from start to resolution; null while unresolved
	// or when either time is unknown.
	DurationSeconds *float64 `json:"duration_seconds"`
}

// TimeToXChange is one lifecycle interval this month and the month before.
type TimeToXChange struct {
	Metric   string               `json:"metric"` // time_to_detect, …
	This     incident.Percentiles `json:"this_month"`
	Previous incident.Percentiles `json:"previous_month"`
}

// MonthlyRCAs says how the RCAs kept up.
type MonthlyRCAs struct {
	// Published counts the RCAs published during the month, of any incident.
	Published int `json:"published"`
	// OfMonthPublished counts the month's incidents whose RCA is published now.
	OfMonthPublished int `json:"of_month_published"`
	// Missing are the month's incidents resolved more than MissingAfterDays
	// days ago without a published RCA.
	MissingAfterDays int                  `json:"missing_after_days"`
	Missing          incident.MissingRCAs `json:"missing"`
}

// MonthlyActions are the corrective actions of the month, and what is
// overdue now.
type MonthlyActions struct {
	Created      int `json:"created"`
	ClosedDone   int `json:"closed_done"`
	ClosedWontDo int `json:"closed_wont_do"`
	// CompletionWithinPolicy and DaysToClose are of the actions closed as
	// done during the month.
	CompletionWithinPolicy incident.CompletionPolicy `json:"completion_within_policy"`
	DaysToClose            incident.DaysToClose      `json:"days_to_close"`
	// OverdueNow counts every open action past its due date today, whenever
	// it was created; OldestOverdue lists the MonthlyOverdueLimit oldest.
	OverdueNow    int                      `json:"overdue_now"`
	OldestOverdue []incident.OverdueAction `json:"oldest_overdue"`
}

// ParseMonth reads "2026-10"; field names the input in the error.
func ParseMonth(field, s string) (time.Time, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, incident.Invalid(field, "must be a month as YYYY-MM, e.g. 2026-10")
	}
	return t, nil
}

// MonthlyReport composes the monthly review of month ("2026-10"; empty:
// the calendar month before today's) from the dashboards' queries, for the
// incidents and actions the caller may see. A month that has not started
// yet is refused.
func (a *App) MonthlyReport(ctx context.Context, month string) (MonthlyReport, error) {
	today := a.Today()
	if month == "" {
		month = time.Date(today.Year, today.Month-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	start, err := ParseMonth("month", month)
	if err != nil {
		return MonthlyReport{}, err
	}
	first := incident.DateOf(start)
	if today.Before(first) {
		return MonthlyReport{}, incident.Invalid("month", "must not be in the future")
	}
	last := incident.DateOf(start.AddDate(0, 1, -1))
	prevStart := start.AddDate(0, -1, 0)
	prevFirst, prevLast := incident.DateOf(prevStart), incident.DateOf(start.AddDate(0, 0, -1))

	r := MonthlyReport{Month: start.Format("2006-01"), From: first, To: last, Previous: prevStart.Format("2006-01"),
		GeneratedAt: a.Now()}

	im, err := a.IncidentMetrics(ctx, incident.IncidentMetricsFilter{From: &first, To: &last})
	if err != nil {
		return MonthlyReport{}, err
	}
	prev, err := a.IncidentMetrics(ctx, incident.IncidentMetricsFilter{From: &prevFirst, To: &prevLast})
	if err != nil {
		return MonthlyReport{}, err
	}
	if err := a.monthlyIncidents(ctx, &r, im); err != nil {
		return MonthlyReport{}, err
	}
	r.TimeToX = timeToXChanges(monthTimeToX(im, r.Month), monthTimeToX(prev, r.Previous))
	r.TopRootCauseCategories = im.TopRootCauseCategories
	r.Recurrences = im.Recurrences
	r.RCAs = MonthlyRCAs{MissingAfterDays: incident.DefaultRCADays, Missing: im.WithoutPublishedRCA}
	if r.RCAs.Published, err = a.rcasPublished(ctx, first, last); err != nil {
		return MonthlyReport{}, err
	}
	if r.RCAs.OfMonthPublished, err = a.incidentsWithPublishedRCA(ctx, first, last); err != nil {
		return MonthlyReport{}, err
	}
	if err := a.monthlyActions(ctx, &r, first, last); err != nil {
		return MonthlyReport{}, err
	}
	return r, nil
}

// monthlyIncidents fills the month's counts and list.
func (a *App) monthlyIncidents(ctx context.Context, r *MonthlyReport, im incident.IncidentMetrics) error {
	r.Incidents.BySeverity = map[string]int{}
	for _, sev := range incident.Severities {
		r.Incidents.BySeverity[string(sev)] = 0
	}
	for _, mo := range im.PerMonth {
		if mo.Month != r.Month {
			continue
		}
		for k, n := range mo.BySeverity {
			r.Incidents.BySeverity[k] += n
		}
	}
	r.Incidents.TopServices = im.ByService[:min(len(im.ByService), 10)]
	incs, n, err := a.monthIncidents(ctx, r.From, r.To)
	if err != nil {
		return err
	}
	r.Incidents.Count = n
	r.Incidents.Items = make([]MonthlyIncident, len(incs))
	for i, inc := range incs {
		it := MonthlyIncident{Key: inc.Key, Title: inc.Title, Severity: inc.Severity, Status: inc.Status, StartedAt: inc.StartedAt}
		if d := inc.Durations().ToResolve; d != nil {
			s := d.Seconds()
			it.DurationSeconds = &s
		}
		r.Incidents.Items[i] = it
	}
	return nil
}

// monthlyActions fills the actions created and closed in the month and the
// overdue ones now.
func (a *App) monthlyActions(ctx context.Context, r *MonthlyReport, first, last incident.Date) error {
	am, err := a.ActionMetrics(ctx, incident.ActionMetricsFilter{From: &first, To: &last})
	if err != nil {
		return err
	}
	c := am.Counts
	r.Actions.Created = c.Open + c.InProgress + c.Done + c.WontDo
	r.Actions.CompletionWithinPolicy = am.CompletionWithinPolicy
	r.Actions.DaysToClose = am.DaysToClose
	if r.Actions.ClosedDone, r.Actions.ClosedWontDo, err = a.actionsClosed(ctx, first, last); err != nil {
		return err
	}
	today := a.Today()
	over, err := fromDashboard(ctx, a, func(p *dashboard.Projection, v incident.Viewer) (overduePage, error) {
		n, oldest, err := p.OverdueActions(ctx, v, today, MonthlyOverdueLimit)
		return overduePage{n, oldest}, err
	}, func() (overduePage, error) { return a.sqlOverdueNow(ctx, today) })
	r.Actions.OverdueNow, r.Actions.OldestOverdue = over.total, over.oldest
	return err
}

// overduePage is the total of the overdue actions and the oldest of them.
type overduePage struct {
	total  int
	oldest []incident.OverdueAction
}

// sqlOverdueNow is one page of the overdue list (oldest due first) and its
// total, not a whole dashboard over every action.
func (a *App) sqlOverdueNow(ctx context.Context, today incident.Date) (overduePage, error) {
	over, err := a.Actions(ctx, incident.ActionFilter{Overdue: true, Limit: MonthlyOverdueLimit,
		Statuses: []incident.ActionStatus{incident.ActionOpen, incident.ActionInProgress}})
	if err != nil {
		return overduePage{}, err
	}
	out := overduePage{total: over.Total, oldest: make([]incident.OverdueAction, 0, len(over.Items))}
	for _, act := range over.Items {
		if act.DueDate == nil {
			continue
		}
		out.oldest = append(out.oldest, incident.OverdueAction{ID: act.ID, IncidentKey: act.IncidentKey,
			Title: act.Title, Owner: act.Owner, Team: act.Team, DueDate: *act.DueDate, DaysOverdue: incident.DaysBetween(*act.DueDate, today)})
	}
	return out, nil
}

// monthTimeToX is the time-to-x of month in m (zero counts when it had no
// incident).
func monthTimeToX(m incident.IncidentMetrics, month string) incident.TimeToX {
	for _, mo := range m.PerMonth {
		if mo.Month == month {
			return mo.TimeToX
		}
	}
	return incident.TimeToX{}
}

// timeToXChanges pairs each interval of this month with the month before.
func timeToXChanges(this, prev incident.TimeToX) []TimeToXChange {
	return []TimeToXChange{
		{Metric: "time_to_detect", This: this.ToDetect, Previous: prev.ToDetect},
		{Metric: "time_to_acknowledge", This: this.ToAcknowledge, Previous: prev.ToAcknowledge},
		{Metric: "time_to_mitigate", This: this.ToMitigate, Previous: prev.ToMitigate},
		{Metric: "time_to_resolve", This: this.ToResolve, Previous: prev.ToResolve},
	}
}

// rcasPublished counts the RCAs the caller may see published on the days
// from..to: from the dashboards' projection when it is loaded, else in SQL.
func (a *App) rcasPublished(ctx context.Context, from, to incident.Date) (int, error) {
	return fromDashboard(ctx, a, func(p *dashboard.Projection, v incident.Viewer) (int, error) {
		return p.RCAsPublished(ctx, v, from, to)
	}, func() (int, error) {
		return a.store.RCAsPublished(ctx, incident.IncidentMetricsFilter{Viewer: viewerFrom(ctx)}, from, to)
	})
}

// incidentsWithPublishedRCA counts the incidents of the days from..to the
// caller may see whose RCA is published: from the projection when it is
// loaded, else in SQL.
func (a *App) incidentsWithPublishedRCA(ctx context.Context, from, to incident.Date) (int, error) {
	return fromDashboard(ctx, a, func(p *dashboard.Projection, v incident.Viewer) (int, error) {
		return p.IncidentsWithPublishedRCA(ctx, v, from, to)
	}, func() (int, error) {
		return a.store.IncidentsWithPublishedRCA(ctx, incident.IncidentMetricsFilter{From: &from, To: &to, Viewer: viewerFrom(ctx)})
	})
}

// closedCounts are the actions closed as done and as won't do.
type closedCounts struct{ done, wontDo int }

// actionsClosed counts the actions the caller may see closed (done, won't
// do) on the days from..to: from the projection when it is loaded, else in
// SQL.
func (a *App) actionsClosed(ctx context.Context, from, to incident.Date) (done, wontDo int, err error) {
	c, err := fromDashboard(ctx, a, func(p *dashboard.Projection, v incident.Viewer) (closedCounts, error) {
		done, wontDo, err := p.ActionsClosed(ctx, v, from, to)
		return closedCounts{done, wontDo}, err
	}, func() (closedCounts, error) {
		done, wontDo, err := a.store.ActionsClosed(ctx, incident.ActionMetricsFilter{From: &from, To: &to, Viewer: viewerFrom(ctx)})
		return closedCounts{done, wontDo}, err
	})
	return c.done, c.wontDo, err
}

// incidentPage is a count of incidents and the first of them.
type incidentPage struct {
	items []incident.Incident
	total int
}

// monthIncidents counts the incidents of the days from..to the caller may
// see and lists the first MonthlyIncidentLimit: from the projection when it
// is loaded, else in SQL.
func (a *App) monthIncidents(ctx context.Context, from, to incident.Date) ([]incident.Incident, int, error) {
	pg, err := fromDashboard(ctx, a, func(p *dashboard.Projection, v incident.Viewer) (incidentPage, error) {
		incs, n, err := p.MonthIncidents(ctx, v, from, to, MonthlyIncidentLimit)
		return incidentPage{incs, n}, err
	}, func() (incidentPage, error) {
		incs, n, err := a.store.MonthIncidents(ctx, incident.IncidentMetricsFilter{From: &from, To: &to, Viewer: viewerFrom(ctx)}, MonthlyIncidentLimit)
		return incidentPage{incs, n}, err
	})
	return pg.items, pg.total, err
}
