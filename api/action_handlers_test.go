package api

import (
	"net/http"
	"strconv"
	"testing"
)

func TestAPI_Actions(t *testing.T) {
	h := newTestHandler(t) // today is 2026-03-10
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Search slow"}`)
	runScenarios(t, h, []scenario{
		{
			name: "create overdue", method: "POST", url: "/api/v1/incidents/INC-1/actions",
			body: `{"title":"Add canary","type":"preventive","priority":"high","owner":"ana","team":"sre",
				"due_date":"2026-03-01","ticket":{"system":"jira","key":"OPS-1","url":"https://jira.example/OPS-1"}}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"incident_id":1`, `"incident_key":"INC-1"`, `"title":"Add canary"`,
				`"type":"preventive"`, `"priority":"high"`, `"due_date":"2026-03-01"`, `"status":"open"`,
				`"overdue":true`, `"completed_at":null`,
				`"ticket":{"system":"jira","key":"OPS-1","url":"https://jira.example/OPS-1","status":"","synced_at":null,"sync_error":"","sync_error_at":null}`},
		},
		{
			name: "create due later, read-only fields ignored", method: "POST", url: "/api/v1/incidents/INC-1/actions",
			body: `{"title":"Alert on latency","due_date":"2026-04-01","overdue":true,"completed_at":"2026-01-01T00:00:00Z",
				"incident_key":"INC-2","incident_id":2,"id":50,"version":3}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"overdue":false`, `"completed_at":null`, `"incident_key":"INC-1"`,
				`"version":1`, `"ticket":null`, `"priority":"medium"`, `"type":"corrective"`},
			notContains: []string{`"id":50`},
		},
		{
			name: "create done past due", method: "POST", url: "/api/v1/incidents/INC-2/actions",
			body:         `{"title":"Fix index","due_date":"2026-02-01","status":"done","owner":"bob"}`,
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"incident_key":"INC-2"`, `"overdue":false`},
		},
		{
			name: "bad due date", method: "POST", url: "/api/v1/incidents/INC-1/actions",
			body:       `{"title":"x","due_date":"next week"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"due_date":"must be a date YYYY-MM-DD"`},
		},
		{
			name: "bad enums", method: "POST", url: "/api/v1/incidents/INC-1/actions",
			body:       `{"title":"x","priority":"urgent","status":"later"}`,
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"priority":"must be one of critical, high, medium, low"`,
				`"status":"must be one of open, in_progress, done, wont_do"`},
		},
		{
			name: "list across incidents", method: "GET", url: "/api/v1/actions",
			wantStatus: http.StatusOK, wantContains: []string{`"total":3`, `"next_cursor":""`},
		},
		{
			name: "overdue only", method: "GET", url: "/api/v1/actions?overdue=true",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"title":"Add canary"`},
			notContains: []string{`Alert on latency`, `Fix index`},
		},
		{
			name: "by status", method: "GET", url: "/api/v1/actions?status=done,wont_do",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"title":"Fix index"`},
		},
		{
			name: "by owner", method: "GET", url: "/api/v1/actions?owner=ana&priority=high",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"title":"Add canary"`},
		},
		{
			name: "of one incident", method: "GET", url: "/api/v1/incidents/INC-1/actions",
			wantStatus: http.StatusOK, wantContains: []string{`"total":2`},
			notContains: []string{`Fix index`},
		},
		{
			name: "paged", method: "GET", url: "/api/v1/actions?limit=2",
			wantStatus: http.StatusOK, wantContains: []string{`"total":3`},
			notContains: []string{`"next_cursor":""`},
		},
		{
			name: "bad params", method: "GET", url: "/api/v1/actions?overdue=perhaps&due_before=soon&status=open,closed&priority=p1&limit=0",
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"overdue":"must be true or false"`, `"due_before":"must be a date YYYY-MM-DD"`,
				`"status":"must be one of open, in_progress, done, wont_do"`, `"priority":`, `"limit":`},
		},
		{
			name: "unknown incident", method: "GET", url: "/api/v1/incidents/INC-9/actions",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
	})

	var list pageJSON[actionJSON]
	decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", "/api/v1/actions?overdue=true", ""), &list)
	if len(list.Items) != 1 {
		t.Fatalf("overdue actions = %d, want 1", len(list.Items))
	}
	url := "/api/v1/actions/" + strconv.FormatInt(list.Items[0].ID, 10)

	runScenarios(t, h, []scenario{
		{
			name: "get", method: "GET", url: url,
			wantStatus: http.StatusOK, wantContains: []string{`"title":"Add canary"`, `"overdue":true`},
			wantHeaders: map[string]string{"ETag": `"1"`},
		},
		{
			name: "complete", method: "PATCH", url: url,
			body:       `{"status":"done","version":1,"overdue":true}`,
			wantStatus: http.StatusOK,
			wantContains: []string{`"status":"done"`, `"overdue":false`, `"version":2`,
				`"ticket":{"system":"jira"`},
			notContains: []string{`"completed_at":null`},
		},
		{
			name: "change the ticket key only", method: "PATCH", url: url,
			body:       `{"ticket":{"key":"OPS-2"}}`,
			wantStatus: http.StatusOK, wantContains: []string{`"ticket":{"system":"jira","key":"OPS-2","url":"https://jira.example/OPS-1"`},
		},
		{
			name: "unlink the ticket and clear the due date", method: "PATCH", url: url,
			body:       `{"ticket":null,"due_date":null}`,
			wantStatus: http.StatusOK, wantContains: []string{`"ticket":null`, `"due_date":null`},
		},
		{
			name: "patch stale", method: "PATCH", url: url,
			body: `{"title":"Lost"}`, headers: map[string]string{"If-Match": `"1"`},
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"overdue":false`},
		},
		{
			name: "patch bad type", method: "PATCH", url: url, body: `{"title":["x"]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"title":"must be a string"`},
		},
		{
			name: "delete", method: "DELETE", url: url, wantStatus: http.StatusNoContent,
		},
		{
			name: "get deleted", method: "GET", url: url,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"action_not_found"`},
		},
		{
			name: "non-numeric id", method: "PATCH", url: "/api/v1/actions/x", body: `{}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"action_not_found"`},
		},
	})
}
