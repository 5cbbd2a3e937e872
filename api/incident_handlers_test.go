package api

import (
	"net/http"
	"testing"
)

const incidentBody = `{"title":"Checkout down","severity":"SEV2","services":["checkout"],"tags":["db"],
	"started_at":"2026-03-01T10:00:00Z","detected_at":"2026-03-01T11:05:00+01:00"}`

func TestAPI_Incidents(t *testing.T) {
	h := newTestHandler(t)
	runScenarios(t, h, []scenario{
		{
			name: "create", method: "POST", url: "/api/v1/incidents", body: incidentBody,
			wantStatus: http.StatusCreated,
			wantContains: []string{
				`"id":1`, `"key":"INC-1"`, `"title":"Checkout down"`, `"severity":"SEV2"`,
				`"status":"open"`, `"services":["checkout"]`, `"teams":[]`, `"visibility":"internal"`,
				// the +01:00 offset is normalized to UTC
				`"detected_at":"2026-03-01T10:05:00Z"`, `"resolved_at":null`,
				`"durations":{"time_to_detect":300,"time_to_acknowledge":null`, `"version":1`,
			},
			wantHeaders: map[string]string{"Location": "/api/v1/incidents/INC-1"},
		},
		{
			name: "create ignores read-only fields", method: "POST", url: "/api/v1/incidents",
			body: `{"id":999,"key":"INC-999","version":7,"created_at":"2001-01-01T00:00:00Z",
				"updated_at":"2001-01-01T00:00:00Z","durations":{"time_to_detect":1},
				"title":"Search slow","severity":"sev4","status":"resolved",
				"started_at":"2026-03-02T10:00:00Z","resolved_at":"2026-03-02T12:00:00Z"}`,
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"id":2`, `"key":"INC-2"`, `"version":1`, `"severity":"SEV4"`, `"time_to_resolve":7200`},
			notContains:  []string{`999`, `2001-01-01`},
		},
		{
			name: "get by id", method: "GET", url: "/api/v1/incidents/1",
			wantStatus: http.StatusOK, wantContains: []string{`"key":"INC-1"`},
			wantHeaders: map[string]string{"ETag": `"1"`},
		},
		{
			name: "get by key", method: "GET", url: "/api/v1/incidents/INC-2",
			wantStatus: http.StatusOK, wantContains: []string{`"id":2`, `"title":"Search slow"`},
		},
		{
			name: "get unknown", method: "GET", url: "/api/v1/incidents/INC-99",
			wantStatus:   http.StatusNotFound,
			wantContains: []string{`"code":"incident_not_found"`, `"request_id":"`},
		},
		{
			name: "list", method: "GET", url: "/api/v1/incidents",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"total":2`, `"next_cursor":""`, `"key":"INC-1"`, `"key":"INC-2"`},
		},
		{
			name: "list filtered by status", method: "GET", url: "/api/v1/incidents?status=resolved",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"key":"INC-2"`},
			notContains: []string{`"key":"INC-1"`},
		},
		{
			name: "list filtered by repeated and comma-separated severity", method: "GET",
			url:        "/api/v1/incidents?severity=SEV1,sev2&severity=SEV3&service=checkout",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"key":"INC-1"`},
			notContains: []string{`"key":"INC-2"`},
		},
		{
			name: "list first page", method: "GET", url: "/api/v1/incidents?limit=1&sort=created_at",
			wantStatus: http.StatusOK, wantContains: []string{`"total":2`, `"key":"INC-1"`},
			notContains: []string{`"key":"INC-2"`, `"next_cursor":""`},
		},
		{
			name: "list bad params", method: "GET",
			url:        "/api/v1/incidents?limit=501&status=closed&sort=-title&started_after=yesterday&cursor=%21%21",
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `"limit":"must be an integer from 1 to 500"`,
				`"status":"must be one of open, mitigated, resolved"`, `"sort":`, `"started_after":`, `"cursor":`},
		},
		{
			name: "patch", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body:       `{"title":"Checkout down in EU","commander":"ana","version":1,"key":"INC-7","durations":null}`,
			wantStatus: http.StatusOK,
			wantContains: []string{`"title":"Checkout down in EU"`, `"commander":"ana"`, `"version":2`,
				`"key":"INC-1"`, `"severity":"SEV2"`},
		},
		{
			name: "patch clears a time with null", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body:       `{"detected_at":null}`,
			wantStatus: http.StatusOK, wantContains: []string{`"detected_at":null`, `"time_to_detect":null`, `"version":3`},
		},
		{
			name: "patch with stale version", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body:       `{"title":"Lost update","version":1}`,
			wantStatus: http.StatusConflict,
			wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"title":"Checkout down in EU"`,
				`"version":3`},
			notContains: []string{`Lost update`},
		},
		{
			name: "patch with stale If-Match", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body: `{"title":"Lost update"}`, headers: map[string]string{"If-Match": `"2"`},
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"current":{`},
		},
		{
			name: "patch with current If-Match", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body: `{"severity":"SEV1"}`, headers: map[string]string{"If-Match": `W/"3"`},
			wantStatus: http.StatusOK, wantContains: []string{`"severity":"SEV1"`, `"version":4`},
		},
		{
			name: "patch bad enum", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body:       `{"status":"closed"}`,
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`,
				`"fields":{"status":"must be one of open, mitigated, resolved"}`},
		},
		{
			name: "patch out-of-order lifecycle", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body:         `{"resolved_at":"2026-02-01T00:00:00Z"}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"resolved_at":"must not be before started_at`},
		},
		{
			name: "patch unknown", method: "PATCH", url: "/api/v1/incidents/INC-42",
			body:       `{"title":"x"}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
		{
			name: "delete", method: "DELETE", url: "/api/v1/incidents/INC-2",
			wantStatus: http.StatusNoContent,
		},
		{
			name: "get deleted", method: "GET", url: "/api/v1/incidents/2",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
		{
			name: "delete unknown", method: "DELETE", url: "/api/v1/incidents/INC-2",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
	})
}

func TestAPI_IncidentPaging(t *testing.T) {
	h := newTestHandler(t)
	for range 3 {
		mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"t"}`)
	}
	seen := map[string]bool{}
	url := "/api/v1/incidents?limit=2&sort=created_at"
	for page := 0; ; page++ {
		if page > 3 {
			t.Fatal("paging does not end")
		}
		var p pageJSON[incidentJSON]
		decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", url, ""), &p)
		if p.Total != 3 {
			t.Errorf("total = %d, want 3", p.Total)
		}
		for _, i := range p.Items {
			if seen[i.Key] {
				t.Errorf("%s on two pages", i.Key)
			}
			seen[i.Key] = true
		}
		if p.NextCursor == "" {
			break
		}
		url = "/api/v1/incidents?limit=2&sort=created_at&cursor=" + p.NextCursor
	}
	if len(seen) != 3 {
		t.Errorf("saw %d incidents over the pages, want 3", len(seen))
	}
}

func TestAPI_TimeParams(t *testing.T) {
	runScenarios(t, newTestHandler(t), []scenario{
		{name: "unencoded plus offset", method: "GET", url: "/api/v1/incidents?started_after=2026-01-01T00:00:00+01:00",
			wantStatus: http.StatusOK, wantContains: []string{`"items"`}},
		{name: "year 10000 in UTC", method: "GET", url: "/api/v1/incidents?started_after=9999-12-31T23:59:59-05:00",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"started_after"`}},
		{name: "year 10000 in a body", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","started_at":"9999-12-31T23:30:00-05:00"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"started_at"`}},
		{name: "date only", method: "GET", url: "/api/v1/incidents?started_before=2026-01-01",
			wantStatus: http.StatusOK, wantContains: []string{`"items"`}},
	})
}
