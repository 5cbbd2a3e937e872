package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestDashboard opens /dashboard on a server with incidents over the last
// months and corrective actions open, overdue, done and given up: the
// status cards show the server's counts, every chart draws its marks, the
// overdue table links to the incident, a filter lands in the URL and in the
// CSV links, and a CSV link downloads with the session. No console error.
// The screenshot is the README's.
func TestDashboard(t *testing.T) {
	s := startSQLite(t)
	now := time.Now().UTC()
	ago := func(days int, h time.Duration) time.Time { return now.AddDate(0, 0, -days).Add(h) }
	type seed struct {
		title, sev, team string
		days             int
		services         []string
		resolveIn        time.Duration
	}
	var keys []string
	for _, in := range []seed{
		{"Checkout returns 502 after a config push", "SEV1", "payments", 75, []string{"checkout", "edge"}, 95 * time.Minute},
		{"Search latency above 2 s", "SEV3", "platform", 62, []string{"search"}, 5 * time.Hour},
		{"Payments double-charged a batch", "SEV2", "payments", 40, []string{"payments"}, 3 * time.Hour},
		{"Login fails for SSO users", "SEV2", "platform", 33, []string{"auth"}, 50 * time.Minute},
		{"Checkout slow in EU", "SEV3", "payments", 20, []string{"checkout"}, 2 * time.Hour},
		{"Queue backlog delays e-mails", "SEV4", "platform", 9, []string{"notifications"}, 26 * time.Hour},
	} {
		started := ago(in.days, 0)
		inc := s.createIncident(in.title, in.sev, started, map[string]any{
			"services":        in.services,
			"teams":           []string{in.team},
			"detected_at":     started.Add(4 * time.Minute).Format(time.RFC3339),
			"acknowledged_at": started.Add(9 * time.Minute).Format(time.RFC3339),
			"mitigated_at":    started.Add(in.resolveIn / 2).Format(time.RFC3339),
			"resolved_at":     started.Add(in.resolveIn).Format(time.RFC3339),
		})
		keys = append(keys, inc.Key)
	}
	due := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }
	for _, a := range []struct {
		key  string
		body map[string]any
	}{
		{keys[0], map[string]any{"title": "Validate config pushes in CI", "owner": "ann", "team": "payments", "priority": "high", "due_date": due(-12)}},
		{keys[0], map[string]any{"title": "Canary the edge config", "owner": "bob", "team": "platform", "priority": "critical", "status": "in_progress", "due_date": due(-3)}},
		{keys[1], map[string]any{"title": "Add a latency SLO alert", "owner": "ann", "team": "platform", "priority": "medium", "status": "done", "due_date": due(30)}},
		{keys[2], map[string]any{"title": "Idempotency keys on charges", "owner": "nour", "team": "payments", "priority": "critical", "due_date": due(14)}},
		{keys[3], map[string]any{"title": "SSO health check", "owner": "bob", "team": "platform", "priority": "low", "status": "wont_do"}},
		{keys[4], map[string]any{"title": "EU capacity review", "owner": "nour", "team": "payments", "priority": "medium", "status": "done"}},
	} {
		s.createAction(a.key, a.body)
	}
	s.adminJSON("POST", "/incidents/"+keys[0]+"/root-causes", map[string]any{"category": "config-change", "description": "An unvalidated push"}, http.StatusCreated, nil)

	var m struct {
		Counts struct {
			Open, InProgress, Done, WontDo, Overdue int
		} `json:"counts"`
	}
	s.adminJSON("GET", "/metrics/actions", nil, http.StatusOK, &m)

	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	b.open("/dashboard")
	b.waitVisible(dt("action-cards"))
	b.waitVisible(dt("incident-cards"))
	for status, want := range map[string]string{"open": "2", "in_progress": "1", "overdue": "2", "done": "2", "wont_do": "1"} {
		if got := strings.TrimSpace(b.text(dt("action-card") + `[data-status="` + status + `"] .stat-value`)); got != want {
			t.Errorf("card %s = %q, want %q (server: %+v)", status, got, want, m.Counts)
		}
	}
	for _, chart := range []string{"chart-actions-by", "chart-per-month", "chart-by-service", "chart-ttx", "chart-root-causes"} {
		if n := b.count(dt(chart) + " svg rect, " + dt(chart) + " svg circle"); n == 0 {
			t.Errorf("%s draws no marks", chart)
		}
	}
	if n := b.count(dt("overdue-row")); n != 2 {
		t.Errorf("%d overdue rows, want 2", n)
	}
	if n := b.count(dt("overdue-row") + ` a[href="/incidents/` + keys[0] + `"]`); n != 2 {
		t.Errorf("overdue rows link to %s %d times, want 2", keys[0], n)
	}
	b.screenshot("dashboard")

	// The months stack by service on demand, and back by severity.
	b.click(dt("months-by-service"))
	b.waitVisible(dt("chart-per-month-service") + " svg")
	if n := b.count(dt("chart-per-month-service") + " svg rect"); n == 0 {
		t.Error("incidents per month by service draws no bars")
	}
	b.click(dt("months-by-severity"))
	b.waitVisible(dt("chart-per-month") + " svg")

	// A filter is shared through the URL and reaches the CSV links.
	b.fill(dt("dashboard-severity"), "SEV1")
	b.waitJS("severity in the URL", `location.search.includes('severity=SEV1')`)
	b.waitJS("one incident counted", `document.querySelector('[data-test="incident-card"][data-kind="count"] .stat-value')?.textContent.trim() === '1'`)
	var href string
	b.eval(`document.querySelector('[data-test="panel-per-month"] [data-test="export-csv"]').getAttribute('href')`, &href)
	if !strings.HasPrefix(href, "/api/v1/metrics/incidents?") || !strings.Contains(href, "severity=SEV1") || !strings.Contains(href, "format=csv") {
		t.Errorf("CSV link = %q", href)
	}
	var csv string
	b.run("download "+href, chromedp.Evaluate(`fetch(`+jsString(href)+`, {credentials: 'same-origin'}).then(async r => r.status + ' ' + r.headers.get('Content-Type') + '\n' + await r.text())`,
		&csv, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if !strings.HasPrefix(csv, "200 text/csv") || !strings.Contains(csv, "\nmonth,count,SEV1,") {
		t.Errorf("the CSV link answers:\n%s", csv)
	}

	// A chart the API CSV does not hold saves its own rows (no error on the way).
	b.click(dt("panel-by-service") + " button" + dt("export-csv"))

	// The monthly report of last month downloads as Markdown with the session.
	b.eval(`document.querySelector('[data-test="report-markdown"]').getAttribute('href')`, &href)
	var md string
	b.run("download "+href, chromedp.Evaluate(`fetch(`+jsString(href)+`, {credentials: 'same-origin'}).then(async r => r.status + ' ' + r.headers.get('Content-Type') + '\n' + await r.text())`,
		&md, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if !strings.HasPrefix(md, "200 text/markdown") || !strings.Contains(md, "# Monthly review") || !strings.Contains(md, "## Corrective actions") {
		t.Errorf("the monthly report link answers:\n%s", md)
	}

	// On a phone the charts fit the screen: nothing scrolls sideways.
	phone := s.newPhone(t)
	phone.signedIn(editorEmail, editorPassword)
	phone.open("/dashboard")
	phone.waitVisible(dt("chart-per-month") + " svg")
	phone.screenshot("phone-dashboard")
	phone.noSideways()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
