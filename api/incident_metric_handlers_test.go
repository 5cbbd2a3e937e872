package api

import (
	"net/http"
	"testing"
)

// TestAPI_IncidentMetrics drives the dashboard on 2026-03-10 12:00 UTC: a
// SEV1 in January resolved 59 days ago without a published RCA, nothing in
// February, and a SEV3 in March resolved 4.5 days ago.
func TestAPI_IncidentMetrics(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","services":["checkout"],"severity":"SEV1",
		"started_at":"2026-01-10T10:00:00Z","detected_at":"2026-01-10T10:02:00Z","acknowledged_at":"2026-01-10T10:05:00Z",
		"mitigated_at":"2026-01-10T10:30:00Z","resolved_at":"2026-01-10T11:00:00Z"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Search slow","services":["search"],"severity":"SEV3",
		"started_at":"2026-03-05T00:00:00Z","resolved_at":"2026-03-06T00:00:00Z"}`)
	zeros := `{"p50":null,"p90":null,"count":0}`
	runScenarios(t, h, []scenario{
		{
			name: "dashboard", method: "GET", url: "/api/v1/metrics/incidents",
			wantStatus: http.StatusOK,
			wantContains: []string{
				`"per_month":[{"month":"2026-01","count":1,"by_severity":{"SEV1":1,"SEV2":0,"SEV3":0,"SEV4":0,"SEV5":0},"by_service":{"checkout":1,"search":0},` +
					`"time_to_detect":{"p50":120,"p90":120,"count":1},"time_to_acknowledge":{"p50":180,"p90":180,"count":1},` +
					`"time_to_mitigate":{"p50":1800,"p90":1800,"count":1},"time_to_resolve":{"p50":3600,"p90":3600,"count":1}},` +
					`{"month":"2026-02","count":0,"by_severity":{"SEV1":0,"SEV2":0,"SEV3":0,"SEV4":0,"SEV5":0},"by_service":{"checkout":0,"search":0},` +
					`"time_to_detect":` + zeros + `,"time_to_acknowledge":` + zeros + `,"time_to_mitigate":` + zeros + `,"time_to_resolve":` + zeros + `},` +
					`{"month":"2026-03","count":1,`,
				`"SEV3":{"time_to_detect":` + zeros + `,"time_to_acknowledge":` + zeros + `,"time_to_mitigate":` + zeros +
					`,"time_to_resolve":{"p50":86400,"p90":86400,"count":1}}`,
				`"by_service":[{"key":"checkout","count":1},{"key":"search","count":1}]`,
				`"without_published_rca":{"count":1,"items":[{"key":"INC-1","title":"Checkout down","severity":"SEV1","resolved_at":"2026-01-10T11:00:00Z","days":59}]}`,
				`"top_root_cause_categories":[]`,
				`"recurrences":{"count":0,"open":0,"dismissed":0}`,
			},
		},
		{
			name: "rca days and severity", method: "GET", url: "/api/v1/metrics/incidents?rca_days=4&severity=SEV3",
			wantStatus: http.StatusOK,
			wantContains: []string{`"per_month":[{"month":"2026-03","count":1,`,
				`"without_published_rca":{"count":1,"items":[{"key":"INC-2","title":"Search slow","severity":"SEV3","resolved_at":"2026-03-06T00:00:00Z","days":4}]}`},
		},
		{
			name: "service and range", method: "GET", url: "/api/v1/metrics/incidents?service=Checkout&from=2026-02-01&to=2026-12-31",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"per_month":[]`, `"by_service":[]`, `"without_published_rca":{"count":0,"items":[]}`},
		},
		{
			name: "csv", method: "GET", url: "/api/v1/metrics/incidents?format=csv",
			wantStatus: http.StatusOK,
			wantHeaders: map[string]string{
				"Content-Type":        "text/csv; charset=utf-8",
				"Content-Disposition": `attachment; filename="incident-metrics.csv"`,
			},
			wantContains: []string{
				"month,count,SEV1,SEV2,SEV3,SEV4,SEV5,ttd_p50,ttd_p90,tta_p50,tta_p90,ttm_p50,ttm_p90,ttr_p50,ttr_p90,service:checkout,service:search\n" +
					"2026-01,1,1,0,0,0,0,120,120,180,180,1800,1800,3600,3600,1,0\n" +
					"2026-02,0,0,0,0,0,0,,,,,,,,,0,0\n" +
					"2026-03,1,0,0,1,0,0,,,,,,,86400,86400,0,1\n",
			},
		},
		{
			name: "bad parameters", method: "GET", url: "/api/v1/metrics/incidents?to=soon&severity=SEV0&rca_days=0&format=xml",
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"to":"must be a date YYYY-MM-DD"`, `"severity":"must be one of SEV1, SEV2, SEV3, SEV4, SEV5"`,
				`"rca_days":"must be an integer from 1 to 3650"`, `"format":"must be one of json, csv"`},
		},
		{
			name: "to before from", method: "GET", url: "/api/v1/metrics/incidents?from=2026-03-10&to=2026-03-01",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"to":"must not be before from"`},
		},
	})
}
