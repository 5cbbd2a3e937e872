package api

import (
	"net/http"
	"strconv"
	"testing"
)

func TestAPI_RootCauses(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/timeline",
		`[{"occurred_at":"2026-03-01T08:00:00Z","body":"deploy"},{"occurred_at":"2026-03-01T08:01:00Z","body":"alert"}]`)
	runScenarios(t, h, []scenario{
		{
			name: "none yet", method: "GET", url: "/api/v1/incidents/INC-1/root-causes",
			wantStatus: http.StatusOK, wantContains: []string{`"items":[]`, `"next_cursor":""`, `"total":0`},
		},
		{
			name: "create with evidence", method: "POST", url: "/api/v1/incidents/INC-1/root-causes",
			body:       `{"description":"Bad deploy","category":"deploy","evidence_event_ids":[1,2,1],"id":9,"version":4}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"incident_id":1`, `"description":"Bad deploy"`, `"category":"deploy"`,
				`"evidence_event_ids":[1,2]`, `"version":1`},
			notContains: []string{`"id":9`},
		},
		{
			name: "evidence from nowhere", method: "POST", url: "/api/v1/incidents/INC-1/root-causes",
			body:         `{"description":"x","evidence_event_ids":[999]}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `evidence_event_ids`},
		},
		{
			name: "bad category", method: "POST", url: "/api/v1/incidents/INC-1/root-causes",
			body:       `{"description":"x","category":"gremlins"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"category":"must be one of config-change`},
		},
		{
			name: "evidence of the wrong type", method: "POST", url: "/api/v1/incidents/INC-1/root-causes",
			body:       `{"description":"x","evidence_event_ids":["one"]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"evidence_event_ids":"must be an integer"`},
		},
		{
			name: "list", method: "GET", url: "/api/v1/incidents/1/root-causes",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"description":"Bad deploy"`},
		},
	})

	// The root cause's id depends on the backend's sequences; read it back.
	var list pageJSON[rootCauseJSON]
	decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/1/root-causes", ""), &list)
	if len(list.Items) != 1 {
		t.Fatalf("root causes = %d, want 1", len(list.Items))
	}
	url := "/api/v1/root-causes/" + strconv.FormatInt(list.Items[0].ID, 10)

	runScenarios(t, h, []scenario{
		{
			name: "get", method: "GET", url: url,
			wantStatus: http.StatusOK, wantContains: []string{`"description":"Bad deploy"`},
		},
		{
			name: "patch", method: "PATCH", url: url,
			body:       `{"evidence_event_ids":[2],"version":1}`,
			wantStatus: http.StatusOK, wantContains: []string{`"evidence_event_ids":[2]`, `"version":2`, `"category":"deploy"`},
		},
		{
			name: "patch stale", method: "PATCH", url: url,
			body:       `{"description":"Lost","version":1}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"version":2`},
		},
		{
			name: "delete", method: "DELETE", url: url, wantStatus: http.StatusNoContent,
		},
		{
			name: "get deleted", method: "GET", url: url,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"root_cause_not_found"`},
		},
		{
			name: "non-numeric id", method: "GET", url: "/api/v1/root-causes/abc",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"root_cause_not_found"`},
		},
	})
}
