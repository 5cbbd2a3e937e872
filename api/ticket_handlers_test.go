package api

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/tickets"
	"github.com/hindsightrca/hindsight/internal/tickets/ticketstest"
)

// TestAPI_ActionTickets pushes an action to a fake Jira, closes the ticket
// there and sees the action close here, through the HTTP API, on SQLite
// and PostgreSQL.
func TestAPI_ActionTickets(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			jira := ticketstest.Jira(t, "bot@example.com", "jira-secret-token", "OPS")
			reg := tickets.NewRegistry(
				tickets.NewJira(tickets.JiraConfig{URL: jira.URL(), User: "bot@example.com", Token: "jira-secret-token", Project: "OPS"}),
				tickets.NewGitHub(tickets.GitHubConfig{APIURL: "http://127.0.0.1:1", Token: "x"}), // link only
			)
			svc := app.New(openTestStore(t, dialect), app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler),
				Tickets: app.TicketOptions{Registry: reg, PublicURL: "https://hindsight.example"}})
			h := New(Deps{testIdentity: testUser, Service: svc, Version: "test"})
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Add a retry budget"}`)
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Retire the old LB"}`)
			closedAt := time.Date(2026, 3, 9, 17, 30, 0, 0, time.UTC)

			runScenarios(t, h, []scenario{
				{
					name: "systems", method: "GET", url: "/api/v1/tickets/systems", wantStatus: http.StatusOK,
					wantContains: []string{`{"items":[{"name":"github","can_create":false},{"name":"jira","can_create":true}]}`},
				},
				{
					name: "create", method: "POST", url: "/api/v1/actions/1/ticket", body: `{"system":"jira"}`,
					wantStatus: http.StatusCreated,
					wantContains: []string{`"ticket":{"system":"jira","key":"OPS-1","url":"` + jira.URL() + `/browse/OPS-1"`,
						`"sync_error":""`, `"status":"open"`},
					wantHeaders: map[string]string{"Location": "/api/v1/actions/1"},
				},
				{
					name: "create again is a conflict", method: "POST", url: "/api/v1/actions/1/ticket", body: `{"system":"jira"}`,
					wantStatus:   http.StatusConflict,
					wantContains: []string{`"code":"ticket_conflict"`, `linked to jira ticket OPS-1 already`, `"current":{`},
				},
				{
					name: "unconfigured system", method: "POST", url: "/api/v1/actions/2/ticket", body: `{"system":"redmine"}`,
					wantStatus:   http.StatusUnprocessableEntity,
					wantContains: []string{`"system":"redmine is not configured on this server; configured: github, jira"`},
				},
				{
					name: "system without a target", method: "POST", url: "/api/v1/actions/2/ticket", body: `{"system":"github"}`,
					wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`github has nowhere to create tickets`},
				},
				{
					name: "unknown field", method: "POST", url: "/api/v1/actions/2/ticket", body: `{"sytem":"jira"}`,
					wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"sytem":"unknown field"`},
				},
				{
					name: "no such action", method: "POST", url: "/api/v1/actions/99/ticket", body: `{"system":"jira"}`,
					wantStatus: http.StatusNotFound,
				},
				{
					name: "sync an unlinked action", method: "POST", url: "/api/v1/actions/2/ticket/sync",
					wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"ticket":"the action has no linked ticket"`},
				},
			})

			jira.FailNext(1, "Jira is under maintenance")
			runScenarios(t, h, []scenario{{
				name: "sync failure is a 502 and stays visible", method: "POST", url: "/api/v1/actions/1/ticket/sync",
				wantStatus:   http.StatusBadGateway,
				wantContains: []string{`"code":"ticket_system_error"`, `500 Internal Server Error: Jira is under maintenance`},
				notContains:  []string{"jira-secret-token"},
			}, {
				name: "the error is on the action", method: "GET", url: "/api/v1/actions/1",
				wantStatus: http.StatusOK, wantContains: []string{`"sync_error":"jira: GET /rest/api/2/issue/OPS-1`, `"sync_error_at":"20`},
			}})

			jira.Close("OPS-1", "Done", "Done", closedAt)
			key := jira.Add("Retire the old LB", "To Do")
			runScenarios(t, h, []scenario{
				{
					name: "sync all (admin)", method: "POST", url: "/api/v1/tickets/sync",
					wantStatus: http.StatusOK, wantContains: []string{`{"checked":1,"closed":1,"failed":0,"skipped":0,"failures":[],"incident_tickets":0,"incident_failed":0}`},
				},
				{
					// the fixed clock created the action after Jira's closing
					// time: completion is clamped to its creation
					name: "the action closed, not before it was created", method: "GET", url: "/api/v1/actions/1",
					wantStatus: http.StatusOK,
					wantContains: []string{`"status":"done"`, `"completed_at":"2026-03-10T12:00:00Z"`, `"status":"Done"`,
						`"sync_error":""`, `"sync_error_at":null`},
				},
				{
					name: "link an existing ticket", method: "POST", url: "/api/v1/actions/2/ticket", body: `{"system":"jira","key":"` + key + `"}`,
					wantStatus: http.StatusOK, wantContains: []string{`"key":"` + key + `"`, `"status":"To Do"`},
				},
				{
					name: "link a missing ticket", method: "POST", url: "/api/v1/actions/2/ticket", body: `{"system":"jira","key":"OPS-404"}`,
					wantStatus: http.StatusConflict, // linked to another ticket already
				},
			})
		})
	}
}

// TestAPI_IncidentTicket files the incident policy's ticket in one sync
// round and shows it on the incident; an incident without one has null.
func TestAPI_IncidentTicket(t *testing.T) {
	jira := ticketstest.Jira(t, "bot@example.com", "tok-abcd", "OPS")
	reg := tickets.NewRegistry(tickets.NewJira(tickets.JiraConfig{URL: jira.URL(), User: "bot@example.com", Token: "tok-abcd", Project: "OPS"}))
	svc := app.New(openTestStore(t, "sqlite"), app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler),
		Tickets: app.TicketOptions{Registry: reg, IncidentAfter: 4 * time.Hour, IncidentSystem: "jira"}})
	h := New(Deps{testIdentity: testUser, Service: svc, Version: "test"})
	started := fixedNow().Add(-6 * time.Hour).UTC().Format(time.RFC3339)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","started_at":"`+started+`"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Fresh","started_at":"`+fixedNow().UTC().Format(time.RFC3339)+`"}`)
	runScenarios(t, h, []scenario{
		{
			name: "none yet", method: "GET", url: "/api/v1/incidents/INC-1/ticket",
			wantStatus: http.StatusOK, wantContains: []string{`{"ticket":null}`},
		},
		{
			name: "a sync round files it", method: "POST", url: "/api/v1/tickets/sync",
			wantStatus: http.StatusOK, wantContains: []string{`"incident_tickets":1`},
		},
		{
			name: "shown on the incident", method: "GET", url: "/api/v1/incidents/INC-1/ticket",
			wantStatus: http.StatusOK, wantContains: []string{`{"ticket":{"system":"jira","key":"OPS-1"`, `"error":""`, `"attempts":1`},
		},
		{
			name: "the fresh incident has none", method: "GET", url: "/api/v1/incidents/INC-2/ticket",
			wantStatus: http.StatusOK, wantContains: []string{`{"ticket":null}`},
		},
		{
			name: "no such incident", method: "GET", url: "/api/v1/incidents/INC-9/ticket",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
	})
	if is := jira.Issues(); len(is) != 1 || is[0].Title != "INC-1 not resolved after 4h: Checkout down" {
		t.Fatalf("Jira holds %+v", is)
	}
}
