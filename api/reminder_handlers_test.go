package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
)

func TestAPI_Reminders(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			svc := app.New(openTestStore(t, dialect), app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler)})
			h := New(Deps{testIdentity: testUser, Service: svc, Version: "test"})
			// The test clock's day is 2026-03-10.
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/users", `{"email":"ana@example.com","name":"Ana"}`)
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout <down>"}`)
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions",
				`{"title":"Add canary","owner":"ana@example.com","team":"sre","due_date":"2026-03-01"}`)
			mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/actions",
				`{"title":"Alert on errors","owner":"bob@example.com","team":"db","due_date":"2026-03-12"}`)
			viewer := map[string]string{testViewerHeader: "vera@example.com"}
			runScenarios(t, h, []scenario{
				{name: "viewer may not list", method: "GET", url: "/api/v1/reminders", headers: viewer, wantStatus: http.StatusForbidden},
				{name: "viewer may not run", method: "POST", url: "/api/v1/reminders/run", headers: viewer, body: `{"dry_run":true}`, wantStatus: http.StatusForbidden},
				{
					name: "nothing configured", method: "GET", url: "/api/v1/reminders", wantStatus: http.StatusOK,
					wantContains: []string{`"items":[]`, `"next_cursor":""`, `"enabled":false`, `"due_soon_days":7`, `"throttle":"24h0m0s"`, `"job":null`},
				},
				{
					name: "send without a channel", method: "POST", url: "/api/v1/reminders/run", body: `{}`,
					wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"reminders":"no channel is configured`},
				},
				{
					name: "dry run previews every channel", method: "POST", url: "/api/v1/reminders/run", body: `{"dry_run":true}`,
					wantStatus: http.StatusOK,
					wantContains: []string{`"dry_run":true`, `"channel":"email","recipient":"ana@example.com","scope":"owner"`,
						`"channel":"slack","recipient":"team sre","scope":"team"`, `"days_overdue":9`, `"days_left":2`,
						`"url":"/incidents/INC-1#action-1"`, `HINDSIGHT_PUBLIC_URL is not set`, `"sent":0`},
				},
				{name: "bad body", method: "POST", url: "/api/v1/reminders/run", body: `{"dry_run":"yes"}`, wantStatus: http.StatusUnprocessableEntity},
				{name: "dry run recorded nothing", method: "GET", url: "/api/v1/reminders", wantStatus: http.StatusOK, wantContains: []string{`"items":[]`}},
			})

			svc.SetReminders(app.ReminderOptions{TestMode: true, Out: &strings.Builder{}})
			body := mustDo(t, h, http.StatusOK, "POST", "/api/v1/reminders/run", `{"dry_run":false}`)
			var run reminderRunJSON
			decodeTestJSON(t, body, &run)
			if run.Sent != 4 || run.Failed != 0 || !run.TestMode || len(run.Digests) != 4 || run.Digests[0].Status != "test" {
				t.Fatalf("run = %s", body)
			}
			body = mustDo(t, h, http.StatusOK, "POST", "/api/v1/reminders/run", `{"dry_run":false}`)
			decodeTestJSON(t, body, &run)
			if run.Sent != 0 || run.Throttled != 4 {
				t.Errorf("second run not throttled: %s", body)
			}
			page := mustDo(t, h, http.StatusOK, "GET", "/api/v1/reminders?limit=3", "")
			var got struct {
				Items      []reminderSendJSON `json:"items"`
				NextCursor string             `json:"next_cursor"`
			}
			if err := json.Unmarshal([]byte(page), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Items) != 3 || got.NextCursor == "" || got.Items[0].Status != "test" || len(got.Items[0].ActionIDs) != 1 {
				t.Fatalf("page = %s", page)
			}
			rest := mustDo(t, h, http.StatusOK, "GET", "/api/v1/reminders?limit=3&cursor="+got.NextCursor, "")
			if !strings.Contains(rest, `"next_cursor":""`) || strings.Count(rest, `"id":`) != 1 {
				t.Errorf("second page = %s", rest)
			}
			runScenarios(t, h, []scenario{
				{name: "bad cursor", method: "GET", url: "/api/v1/reminders?cursor=x", wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"cursor"`}},
				{name: "the send is audited", method: "GET", url: "/api/v1/audit?action=reminders.run", wantStatus: http.StatusOK,
					wantContains: []string{`sent 4, failed 0, throttled 0 (test mode)`, `sent 0, failed 0, throttled 4`}},
			})
		})
	}
}
