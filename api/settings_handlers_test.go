package api

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
)

// fullPolicy is a PUT body with every cell, SEV1/critical set to days.
func fullPolicy(sev1Critical string) string {
	row := `{"critical":30,"high":60,"medium":90,"low":120}`
	return `{"days":{"SEV1":{"critical":` + sev1Critical + `,"high":21,"medium":60,"low":90},"SEV2":` + row +
		`,"SEV3":` + row + `,"SEV4":` + row + `,"SEV5":` + row + `}}`
}

func TestAPI_ActionPolicy(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			svc := app.New(openTestStore(t, dialect), app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler)})
			h := New(Deps{testIdentity: testUser, Service: svc, Version: "test"})
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","severity":"SEV1"}`)
			viewer := map[string]string{testViewerHeader: "vera@example.com"}
			runScenarios(t, h, []scenario{
				{
					name: "defaults", method: "GET", url: "/api/v1/settings/action-policy", headers: viewer,
					wantStatus: http.StatusOK,
					wantContains: []string{`"SEV1":{"critical":14,"high":30,"low":90,"medium":60}`, `"updated_by":""`,
						`"updated_at":null`, `"min_days":1`, `"max_days":3650`, `"severities":["SEV1","SEV2","SEV3","SEV4","SEV5"]`},
				},
				{
					name: "action without due date takes the policy", method: "POST", url: "/api/v1/incidents/INC-1/actions",
					body: `{"title":"Add a canary","priority":"critical"}`, wantStatus: http.StatusCreated,
					// The test clock's day is 2026-03-10.
					wantContains: []string{`"due_date":"2026-03-24"`, `"due_date_source":"policy"`},
				},
				{
					name: "action with a due date keeps it", method: "POST", url: "/api/v1/incidents/INC-1/actions",
					body: `{"title":"Runbook","due_date":"2026-05-01","due_date_source":"policy"}`, wantStatus: http.StatusCreated,
					wantContains: []string{`"due_date":"2026-05-01"`, `"due_date_source":"manual"`},
				},
				{
					name: "viewer may not change it", method: "PUT", url: "/api/v1/settings/action-policy", headers: viewer,
					body: fullPolicy("7"), wantStatus: http.StatusForbidden,
				},
				{
					name: "out of range", method: "PUT", url: "/api/v1/settings/action-policy",
					body: fullPolicy("0"), wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"days.SEV1.critical":"must be between 1 and 3650 days"`},
				},
				{
					name: "unknown priority", method: "PUT", url: "/api/v1/settings/action-policy",
					body:       strings.Replace(fullPolicy("7"), `"low":90`, `"low":90,"urgent":3`, 1),
					wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"days.SEV1.urgent"`},
				},
				{
					name: "a string cell is named", method: "PUT", url: "/api/v1/settings/action-policy",
					body: fullPolicy(`"14"`), wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"days.SEV1.critical":"must be a whole number of days"`},
				},
				{
					name: "a fraction is named", method: "PUT", url: "/api/v1/settings/action-policy",
					body: fullPolicy(`1.5`), wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"days.SEV1.critical":"must be a whole number of days"`},
				},
				{
					name: "a row that is not an object", method: "PUT", url: "/api/v1/settings/action-policy",
					body: `{"days":{"SEV1":7}}`, wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`days`},
				},
				{
					name: "missing days", method: "PUT", url: "/api/v1/settings/action-policy",
					body: `{"updated_by":"x"}`, wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"days":"is required"`},
				},
				{
					name: "unknown field", method: "PUT", url: "/api/v1/settings/action-policy",
					body: `{"days":{},"grid":1}`, wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"grid"`},
				},
				{
					name: "admin changes it, read-only fields ignored", method: "PUT", url: "/api/v1/settings/action-policy",
					headers:    map[string]string{"X-User": "ada@example.com"},
					body:       strings.Replace(fullPolicy("7"), `{"days"`, `{"updated_by":"mallory","defaults":{},"days"`, 1),
					wantStatus: http.StatusOK,
					wantContains: []string{`"SEV1":{"critical":7,"high":21,"low":90,"medium":60}`, `"updated_by":"ada@example.com"`,
						`"defaults":{"SEV1":{"critical":14`},
				},
				{
					name: "new actions follow the change", method: "POST", url: "/api/v1/incidents/INC-1/actions",
					body: `{"title":"Alert on errors","priority":"critical"}`, wantStatus: http.StatusCreated,
					wantContains: []string{`"due_date":"2026-03-17"`, `"due_date_source":"policy"`},
				},
				{
					name: "the change is audited", method: "GET", url: "/api/v1/audit?action=settings.action_policy",
					wantStatus: http.StatusOK, wantContains: []string{`SEV1/critical 14→7`, `SEV1/high 30→21`, `"actor":"ada@example.com"`},
				},
				{
					name: "moving the due date makes it manual", method: "PATCH", url: "/api/v1/actions/1",
					body: `{"due_date":"2026-04-01"}`, wantStatus: http.StatusOK,
					wantContains: []string{`"due_date":"2026-04-01"`, `"due_date_source":"manual"`},
				},
				{
					name: "clearing the due date", method: "PATCH", url: "/api/v1/actions/1",
					body: `{"due_date":null}`, wantStatus: http.StatusOK,
					wantContains: []string{`"due_date":null`, `"due_date_source":null`},
				},
			})
		})
	}
}
