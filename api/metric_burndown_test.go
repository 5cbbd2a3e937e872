package api

import (
	"net/http"
	"testing"
)

// TestAPI_ActionMetricsBurndown drives the burn-down on today 2026-03-10:
// three actions created today, one of them closed today.
func TestAPI_ActionMetricsBurndown(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","services":["checkout"],"severity":"SEV1"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Add canary","owner":"ana","team":"sre"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Alert on latency","owner":"ana","team":"web"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Fix index","owner":"bob","team":"sre","status":"done"}`)
	runScenarios(t, h, []scenario{
		{
			name: "default: the last 90 days by day", method: "GET", url: "/api/v1/metrics/actions",
			wantStatus: http.StatusOK,
			wantContains: []string{
				`"burndown":{"bucket":"day","points":[{"start":"2025-12-11","open":0,"opened":0,"closed":0},`,
				`{"start":"2026-03-09","open":0,"opened":0,"closed":0},{"start":"2026-03-10","open":2,"opened":3,"closed":1}]}`,
			},
		},
		{
			name: "range and team", method: "GET", url: "/api/v1/metrics/actions?from=2026-03-09&to=2026-03-11&team=SRE",
			wantStatus: http.StatusOK,
			wantContains: []string{`"burndown":{"bucket":"day","points":[{"start":"2026-03-09","open":0,"opened":0,"closed":0},` +
				`{"start":"2026-03-10","open":1,"opened":2,"closed":1},{"start":"2026-03-11","open":1,"opened":0,"closed":0}]}`},
		},
		{
			name: "long range by week", method: "GET", url: "/api/v1/metrics/actions?from=2025-11-01&to=2026-03-10",
			wantStatus: http.StatusOK,
			wantContains: []string{`"burndown":{"bucket":"week","points":[{"start":"2025-10-27","open":0,"opened":0,"closed":0},`,
				`{"start":"2026-03-09","open":2,"opened":3,"closed":1}]}`},
		},
		{
			name: "csv block", method: "GET", url: "/api/v1/metrics/actions?format=csv&from=2026-03-09&to=2026-03-10",
			wantStatus:   http.StatusOK,
			wantContains: []string{"\n\nburndown,start,open,opened,closed\nday,2026-03-09,0,0,0\nday,2026-03-10,2,3,1\n"},
		},
	})
}
