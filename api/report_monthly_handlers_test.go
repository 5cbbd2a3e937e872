package api

import (
	"net/http"
	"testing"
)

// TestAPI_MonthlyReport asks for February 2026 on 2026-03-10 (today in the
// test service): the default month, JSON, Markdown and CSV, and the
// refusals of a malformed or future month and an unknown format.
func TestAPI_MonthlyReport(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout | down","services":["checkout"],"severity":"SEV1",
		"started_at":"2026-02-10T10:00:00Z","resolved_at":"2026-02-10T11:30:00Z"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Search slow","severity":"SEV3","started_at":"2026-03-05T00:00:00Z"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Add canary","owner":"ana","due_date":"2026-03-01"}`)
	runScenarios(t, h, []scenario{
		{
			name: "default is last month", method: "GET", url: "/api/v1/reports/monthly",
			wantStatus: http.StatusOK,
			wantContains: []string{`"month":"2026-02"`, `"from":"2026-02-01"`, `"to":"2026-02-28"`, `"previous_month":"2026-01"`,
				`"incidents":{"count":1,"by_severity":{"SEV1":1,"SEV2":0,"SEV3":0,"SEV4":0,"SEV5":0},"top_services":[{"key":"checkout","count":1}],` +
					`"items":[{"key":"INC-1","title":"Checkout | down","severity":"SEV1","status":"open","started_at":"2026-02-10T10:00:00Z","duration_seconds":5400}]}`,
				`{"metric":"time_to_resolve","this_month":{"p50":5400,"p90":5400,"count":1},"previous_month":{"p50":null,"p90":null,"count":0}}`,
				`"rcas":{"published":0,"of_month_published":0,"missing_after_days":14,"missing":{"count":1,`,
				`"overdue_now":1,"oldest_overdue":[{"id":1,"incident_key":"INC-1","title":"Add canary","owner":"ana","team":"","due_date":"2026-03-01","days_overdue":9}]`,
			},
		},
		{
			name: "the actions were created in March", method: "GET", url: "/api/v1/reports/monthly?month=2026-03",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"month":"2026-03"`, `"incidents":{"count":1,`, `"actions":{"created":1,"closed_done":0,"closed_wont_do":0,`},
		},
		{
			name: "markdown", method: "GET", url: "/api/v1/reports/monthly?month=2026-02&format=markdown",
			wantStatus: http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "text/markdown; charset=utf-8",
				"Content-Disposition": `inline; filename="monthly-report-2026-02.md"`},
			wantContains: []string{"# Monthly review — February 2026", "| INC-1 | Checkout \\| down | SEV1 | open | 2026-02-10 10:00 | 1h 30m |"},
		},
		{
			name: "csv", method: "GET", url: "/api/v1/reports/monthly?month=2026-02&format=csv",
			wantStatus: http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "text/csv; charset=utf-8",
				"Content-Disposition": `attachment; filename="monthly-report-2026-02.csv"`},
			wantContains: []string{"section,month,from,to,previous_month,generated_at\nreport,2026-02,2026-02-01,2026-02-28,2026-01,",
				"\n\nsection,severity,incidents\nincidents_by_severity,SEV1,1\n"},
		},
		{
			name: "bad month and format", method: "GET", url: "/api/v1/reports/monthly?month=Feb&format=pdf",
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"format":"must be one of json, markdown, csv"`},
		},
		{
			name: "bad month", method: "GET", url: "/api/v1/reports/monthly?month=2026-2",
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"month":"must be a month as YYYY-MM, e.g. 2026-10"`},
		},
		{
			name: "future month", method: "GET", url: "/api/v1/reports/monthly?month=2026-04",
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"month":"must not be in the future"`},
		},
	})
}
