package api

import (
	"net/http"
	"testing"
)

// TestAPI_ActionMetrics drives the dashboard on today 2026-03-10: one action
// overdue by 9 days, one due today (not overdue), one closed today, past its
// due date (late), on two incidents of different services and severities.
func TestAPI_ActionMetrics(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","services":["checkout"],"severity":"SEV1"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Search slow","services":["search"],"severity":"SEV3"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Add canary","owner":"Ana","team":"SRE","priority":"high","due_date":"2026-03-01"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Alert on latency","owner":"ana","team":"sre","due_date":"2026-03-10"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-2/actions", `{"title":"Fix index","owner":"bob","team":"=cmd","status":"done","due_date":"2026-02-01"}`)
	runScenarios(t, h, []scenario{
		{
			name: "dashboard", method: "GET", url: "/api/v1/metrics/actions",
			wantStatus: http.StatusOK,
			wantContains: []string{
				`"counts":{"open":2,"in_progress":0,"done":1,"wont_do":0,"overdue":1}`,
				`"sre":{"open":2,"in_progress":0,"done":0,"wont_do":0,"overdue":1}`,
				`"by_owner":{"ana":{"open":2,"in_progress":0,"done":0,"wont_do":0,"overdue":1},"bob":{"open":0,"in_progress":0,"done":1,"wont_do":0,"overdue":0}}`,
				`"by_service":{"checkout":{"open":2,"in_progress":0,"done":0,"wont_do":0,"overdue":1},"search":{"open":0,"in_progress":0,"done":1,"wont_do":0,"overdue":0}}`,
				`"high":{"open":1,"in_progress":0,"done":0,"wont_do":0,"overdue":1}`,
				`"completion_within_policy":{"done":1,"on_time":0,"share":0,"no_due_date":0}`,
				`"days_to_close":{"p50":0,"p90":0,"count":1}`,
				`"oldest_overdue":[{"id":1,"incident_key":"INC-1","title":"Add canary","owner":"Ana","team":"SRE","due_date":"2026-03-01","days_overdue":9}]`,
			},
		},
		{
			name: "service and severity", method: "GET", url: "/api/v1/metrics/actions?service=Search&severity=SEV3",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"counts":{"open":0,"in_progress":0,"done":1,"wont_do":0,"overdue":0}`, `"oldest_overdue":[]`},
		},
		{
			name: "owner and range", method: "GET", url: "/api/v1/metrics/actions?owner=ANA&from=2026-01-01&to=2026-12-31",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"counts":{"open":2,"in_progress":0,"done":0,"wont_do":0,"overdue":1}`},
		},
		{
			name: "csv", method: "GET", url: "/api/v1/metrics/actions?format=csv",
			wantStatus: http.StatusOK,
			wantHeaders: map[string]string{
				"Content-Type":        "text/csv; charset=utf-8",
				"Content-Disposition": `attachment; filename="action-metrics.csv"`,
			},
			wantContains: []string{
				"dimension,key,open,in_progress,done,wont_do,overdue\ntotal,,2,0,1,0,1\n",
				"team,'=cmd,0,0,1,0,0\nteam,sre,2,0,0,0,1\n",
				"owner,ana,2,0,0,0,1\nowner,bob,0,0,1,0,0\n",
				"service,checkout,2,0,0,0,1\n",
				"priority,high,1,0,0,0,1\npriority,medium,1,0,1,0,0\n",
			},
		},
		{
			name: "bad parameters", method: "GET", url: "/api/v1/metrics/actions?from=yesterday&severity=SEV9&format=xml",
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"from":"must be a date YYYY-MM-DD"`, `"severity":"must be one of SEV1, SEV2, SEV3, SEV4, SEV5"`,
				`"format":"must be one of json, csv"`},
		},
		{
			name: "to before from", method: "GET", url: "/api/v1/metrics/actions?from=2026-03-10&to=2026-03-01",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"to":"must not be before from"`},
		},
	})
}
