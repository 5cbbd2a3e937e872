package api

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

func TestAPI_Recurrences(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			st := openTestStore(t, dialect)
			svc := app.New(st, app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler)})
			var incs []incident.Incident
			for _, title := range []string{"DNS plan race empties the DynamoDB endpoint", "DynamoDB endpoint resolves to nothing", "<b>Checkout</b> down"} {
				inc, err := svc.CreateIncident(ctx, incident.Incident{Title: title})
				if err != nil {
					t.Fatal(err)
				}
				incs = append(incs, inc)
			}
			// The flag itself is raised by the indexer (see the app tests);
			// here it is stored as the check stores it.
			for _, pair := range [][2]int{{1, 0}, {2, 0}} {
				if _, _, err := st.AddRecurrence(ctx, incident.Recurrence{IncidentID: incs[pair[0]].ID,
					PastIncidentID: incs[pair[1]].ID, Relative: 0.71, Score: 4.2, ActionsClosed: 3, CreatedAt: testNow,
					Reasons: []incident.MatchReason{{Kind: "terms", Values: []string{"dynamodb", "endpoint"}, Text: "Both mention dynamodb and endpoint"}}}); err != nil {
					t.Fatal(err)
				}
			}
			h := newEngine(Deps{testIdentity: testUser, Service: svc})
			runScenarios(t, h, []scenario{
				{name: "list", method: http.MethodGet, url: "/api/v1/recurrences", wantStatus: http.StatusOK,
					wantContains: []string{`"total":2`, `"message":"Looks like INC-1, whose corrective actions were all closed"`,
						`"past_incident":{"id":1,"key":"INC-1"`, `"relative":0.71`, `"actions_closed":3`,
						`"reasons":[{"kind":"terms","values":["dynamodb","endpoint"]`, `"dismissed_at":null`,
						`"created_at":"2026-03-10T12:00:00Z"`, `"title":"\u003cb\u003eCheckout\u003c/b\u003e down"`}},
				{name: "page", method: http.MethodGet, url: "/api/v1/recurrences?limit=1", wantStatus: http.StatusOK,
					wantContains: []string{`"key":"INC-3"`, `"total":2`}, notContains: []string{`"key":"INC-2"`, `"next_cursor":""`}},
				{name: "of one incident", method: http.MethodGet, url: "/api/v1/recurrences?incident=INC-2", wantStatus: http.StatusOK,
					wantContains: []string{`"key":"INC-2"`, `"total":1`}, notContains: []string{`"key":"INC-3"`}},
				{name: "on the incident", method: http.MethodGet, url: "/api/v1/incidents/INC-2/recurrences", wantStatus: http.StatusOK,
					wantContains: []string{`{"items":[{"id":1,`, `"key":"INC-2"`}},
				{name: "dismiss", method: http.MethodPost, url: "/api/v1/recurrences/1/dismiss", wantStatus: http.StatusOK,
					wantContains: []string{`"dismissed_at":"2026-03-10T12:00:00Z"`, `"dismissed_by":"anonymous"`}},
				{name: "dismiss again", method: http.MethodPost, url: "/api/v1/recurrences/1/dismiss", wantStatus: http.StatusOK,
					wantContains: []string{`"dismissed_at":"2026-03-10T12:00:00Z"`}},
				{name: "dismissed left out", method: http.MethodGet, url: "/api/v1/recurrences", wantStatus: http.StatusOK,
					wantContains: []string{`"total":1`}, notContains: []string{`"key":"INC-2"`}},
				{name: "dismissed asked for", method: http.MethodGet, url: "/api/v1/recurrences?dismissed=true", wantStatus: http.StatusOK,
					wantContains: []string{`"total":2`, `"key":"INC-2"`}},
				{name: "incident without warnings", method: http.MethodGet, url: "/api/v1/incidents/INC-2/recurrences", wantStatus: http.StatusOK,
					wantContains: []string{`{"items":[]}`}},
				{name: "unknown incident", method: http.MethodGet, url: "/api/v1/incidents/INC-99/recurrences", wantStatus: http.StatusNotFound,
					wantContains: []string{`"incident_not_found"`}},
				{name: "unknown incident filter", method: http.MethodGet, url: "/api/v1/recurrences?incident=INC-99", wantStatus: http.StatusNotFound,
					wantContains: []string{`"incident_not_found"`}},
				{name: "unknown warning", method: http.MethodPost, url: "/api/v1/recurrences/99/dismiss", wantStatus: http.StatusNotFound,
					wantContains: []string{`"recurrence_not_found"`}},
				{name: "bad id", method: http.MethodPost, url: "/api/v1/recurrences/x/dismiss", wantStatus: http.StatusNotFound,
					wantContains: []string{`"recurrence_not_found"`}},
				{name: "bad parameters", method: http.MethodGet, url: "/api/v1/recurrences?dismissed=maybe&cursor=%21&limit=0", wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"dismissed"`, `"cursor"`, `"limit"`}},
			})
		})
	}
}
