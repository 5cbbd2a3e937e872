package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestAPI_Timeline(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	runScenarios(t, h, []scenario{
		{
			name: "single event", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body: `{"occurred_at":"2026-03-01T10:00:00+02:00","body":"deploy 42 started","kind":"change",
				"source":"slack","external_id":"m1","actor":"bob","metadata":{"channel":"#inc"}}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"added":1`, `"duplicates":0`, `"occurred_at":"2026-03-01T08:00:00Z"`,
				`"original_occurred_at":null`, `"source":"slack"`, `"external_id":"m1"`, `"kind":"change"`,
				`"metadata":{"channel":"#inc"}`, `"key_event":false`, `"import_batch_id":null`, `"incident_id":1`},
			wantHeaders: map[string]string{"Location": "/api/v1/incidents/INC-1/timeline"},
		},
		{
			name: "array of events with a duplicate", method: "POST", url: "/api/v1/incidents/1/timeline",
			body: `[{"occurred_at":"2026-03-01T08:01:00Z","body":"alert fired","kind":"alert","source":"slack","external_id":"m2"},
				{"occurred_at":"2026-03-01T08:00:00Z","body":"deploy 42 started","source":"slack","external_id":"m1"},
				{"occurred_at":"2026-03-01T08:05:00Z","body":"rolled back"}]`,
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"added":2`, `"duplicates":1`, `"body":"alert fired"`, `"body":"rolled back"`},
			notContains:  []string{`"body":"deploy 42 started"`},
		},
		{
			name: "envelope of duplicates only", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body:         `{"events":[{"occurred_at":"2026-03-01T08:01:00Z","body":"alert fired","source":"slack","external_id":"m2"}]}`,
			wantStatus:   http.StatusOK,
			wantContains: []string{`"added":0`, `"duplicates":1`, `"items":[]`},
		},
		{
			name: "single event invalid", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body:       `{"body":"no time","kind":"gossip"}`,
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `"occurred_at":"is required`,
				`"kind":"must be one of chat, alert`},
		},
		{
			name: "list with an invalid event", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body:         `[{"occurred_at":"2026-03-01T08:01:00Z","body":"ok"},{"body":"no time"}]`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"events[1].occurred_at":"is required`},
			notContains:  []string{`"events[0]`},
		},
		{
			name: "list with a badly typed event", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body:         `{"events":[{"occurred_at":"2026-03-01T08:01:00Z","body":"ok"},{"occurred_at":"noon","body":"x","hidden":"yes"}]}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"events[1].occurred_at":"must be an RFC 3339 time`},
		},
		{
			name: "list with an unknown field", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body:         `[{"occurred_at":"2026-03-01T08:01:00Z","body":"ok"},{"occurred_at":"2026-03-01T08:01:00Z","body":"x","colour":"red"}]`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"events[1].colour":"unknown field"`},
		},
		{
			name: "envelope with an unknown member", method: "POST", url: "/api/v1/incidents/INC-1/timeline",
			body:       `{"events":[],"source":"slack"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"source":"unknown field"`},
		},
		{
			name: "unknown incident", method: "POST", url: "/api/v1/incidents/INC-9/timeline",
			body:       `{"occurred_at":"2026-03-01T08:01:00Z","body":"x"}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
		{
			name: "list in time order", method: "GET", url: "/api/v1/incidents/INC-1/timeline",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"total":3`, `"next_cursor":""`, `"body":"deploy 42 started"`},
		},
		{
			name: "list filtered by kind", method: "GET", url: "/api/v1/incidents/INC-1/timeline?kind=alert,change",
			wantStatus: http.StatusOK, wantContains: []string{`"total":2`},
			notContains: []string{`"body":"rolled back"`},
		},
		{
			name: "list bad params", method: "GET", url: "/api/v1/incidents/INC-1/timeline?kind=gossip&key_only=maybe&after=noon",
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"kind":"must be one of`, `"key_only":"must be true or false"`,
				`"after":"must be an RFC 3339 time or a date YYYY-MM-DD"`},
		},
		{
			name: "star and correct an event", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:       `{"key_event":true,"occurred_at":"2026-03-01T07:58:00Z","id":77,"created_at":"2001-01-01T00:00:00Z"}`,
			wantStatus: http.StatusOK,
			wantContains: []string{`"id":1`, `"key_event":true`, `"occurred_at":"2026-03-01T07:58:00Z"`,
				`"original_occurred_at":"2026-03-01T08:00:00Z"`, `"corrected_by":"anonymous"`, `"correction_reason":""`, `"version":2`},
		},
		{
			name: "correct with a reason", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:       `{"occurred_at":"2026-03-01T07:59:00Z","reason":"the exporter's clock ran a minute fast","version":2,"correction_reason":"ignored"}`,
			wantStatus: http.StatusOK,
			wantContains: []string{`"occurred_at":"2026-03-01T07:59:00Z"`, `"original_occurred_at":"2026-03-01T08:00:00Z"`,
				`"correction_reason":"the exporter's clock ran a minute fast"`, `"version":3`},
		},
		{
			name: "reason listed with the event", method: "GET", url: "/api/v1/incidents/INC-1/timeline",
			wantStatus: http.StatusOK, wantContains: []string{`"correction_reason":"the exporter's clock ran a minute fast"`},
		},
		{
			name: "reason too long", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:         `{"occurred_at":"2026-03-01T07:57:00Z","reason":"` + strings.Repeat("x", 501) + `"}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `"reason":"must be at most 500 characters"`},
		},
		{
			name: "reason not a string", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:       `{"occurred_at":"2026-03-01T07:57:00Z","reason":5}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"reason":"must be a string"`},
		},
		{
			name: "key events only", method: "GET", url: "/api/v1/incidents/INC-1/timeline?key_only=true",
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"key_event":true`},
		},
		{
			name: "patch with stale version", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:         `{"hidden":true,"version":1}`,
			wantStatus:   http.StatusConflict,
			wantContains: []string{`"code":"version_conflict"`, `"current":{"id":1`, `"version":3`},
		},
		{
			name: "patch null time", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:       `{"occurred_at":null}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"occurred_at":"must not be null"`},
		},
		{
			name: "patch a field that cannot change", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/1",
			body:       `{"external_id":"m9"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"external_id":"unknown field"`},
		},
		{
			name: "patch unknown event", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/999",
			body:       `{"hidden":true}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"timeline_event_not_found"`},
		},
		{
			name: "patch non-numeric event id", method: "PATCH", url: "/api/v1/incidents/INC-1/timeline/abc",
			body:       `{"hidden":true}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"timeline_event_not_found"`},
		},
		{
			name: "delete", method: "DELETE", url: "/api/v1/incidents/INC-1/timeline/1",
			wantStatus: http.StatusNoContent,
		},
		{
			name: "delete again", method: "DELETE", url: "/api/v1/incidents/INC-1/timeline/1",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"timeline_event_not_found"`},
		},
	})
}
