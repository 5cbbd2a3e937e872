package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// testEditorHeader, in these tests, signs the request in as an editor: the
// first comma-separated value is the e-mail address, the others groups.
const testEditorHeader = "X-Test-Editor"

// editorOrTestUser is testUser plus editors named by X-Test-Editor, who may
// write, so a refused write shows it was refused for visibility, not role.
func editorOrTestUser(r *http.Request) auth.Principal {
	if v, ok := r.Header[testEditorHeader]; ok {
		ps := strings.Split(v[0], ",")
		return auth.Principal{User: &incident.User{ID: 3, Email: ps[0], Groups: ps[1:], Role: incident.RoleEditor, SessionVersion: 1}}
	}
	return testUser(r)
}

// TestAPI_RestrictedIncident walks the routes of a restricted incident as
// an editor it is not open to (404 everywhere, with the body of a missing
// incident, nothing changed, left out of lists and totals) and as editors
// it is open to, by e-mail and by group in another case.
func TestAPI_RestrictedIncident(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			svc := app.New(openTestStore(t, dialect), app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler)})
			h := New(Deps{testIdentity: editorOrTestUser, Service: svc, Version: "test"})
			admin := func(want int, method, url, body string) string {
				t.Helper()
				return mustDo(t, h, want, method, url, body)
			}
			admin(201, "POST", "/api/v1/incidents", `{"title":"Checkout latency","services":["checkout"]}`)
			admin(201, "POST", "/api/v1/incidents", `{"title":"Card numbers in the logs","services":["checkout"],
				"visibility":"restricted","restricted_to":["alice@example.com","Security"]}`)
			const secret = "INC-2"
			admin(201, "POST", "/api/v1/incidents/"+secret+"/timeline", `{"events":[{"occurred_at":"2026-03-01T10:00:00Z","body":"PAN found in logs"}]}`)
			rc := admin(201, "POST", "/api/v1/incidents/"+secret+"/root-causes", `{"category":"config-change","description":"debug logging left on"}`)
			act := admin(201, "POST", "/api/v1/incidents/"+secret+"/actions", `{"title":"Scrub the logs","owner":"ana"}`)
			admin(201, "POST", "/api/v1/incidents/1/actions", `{"title":"Add a cache","owner":"ana"}`)
			admin(201, "POST", "/api/v1/incidents/"+secret+"/rca", `{"template":"essentials"}`)
			idOf := func(body string) string {
				m := regexp.MustCompile(`"id":(\d+)`).FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("no id in %s", body)
				}
				return m[1]
			}
			rcID, actID := idOf(rc), idOf(act)

			outsider := map[string]string{testEditorHeader: "bob@example.com,ops"}
			missing := `"code":"incident_not_found"`
			var cases []scenario
			for _, r := range []struct{ method, url, body string }{
				{"GET", "/api/v1/incidents/" + secret, ""},
				{"GET", "/api/v1/incidents/2", ""},
				{"PATCH", "/api/v1/incidents/" + secret, `{"title":"pwned"}`},
				{"PATCH", "/api/v1/incidents/" + secret, `{"visibility":"internal"}`},
				{"DELETE", "/api/v1/incidents/" + secret, ""},
				{"GET", "/api/v1/incidents/" + secret + "/timeline", ""},
				{"POST", "/api/v1/incidents/" + secret + "/timeline", `{"events":[{"occurred_at":"2026-03-01T10:00:00Z","body":"x"}]}`},
				{"GET", "/api/v1/incidents/" + secret + "/imports", ""},
				{"GET", "/api/v1/incidents/" + secret + "/links", ""},
				{"GET", "/api/v1/incidents/" + secret + "/rca", ""},
				{"GET", "/api/v1/incidents/" + secret + "/rca/revisions", ""},
				{"GET", "/api/v1/incidents/" + secret + "/rca/comments", ""},
				{"GET", "/api/v1/incidents/" + secret + "/root-causes", ""},
				{"POST", "/api/v1/incidents/" + secret + "/root-causes", `{"category":"config-change","description":"x"}`},
				{"GET", "/api/v1/incidents/" + secret + "/report", ""},
				{"GET", "/api/v1/incidents/" + secret + "/export?format=md", ""},
				{"GET", "/api/v1/incidents/" + secret + "/actions", ""},
				{"POST", "/api/v1/incidents/" + secret + "/actions", `{"title":"x"}`},
				{"GET", "/api/v1/incidents/" + secret + "/recurrences", ""},
			} {
				cases = append(cases, scenario{name: "outsider " + r.method + " " + r.url, method: r.method, url: r.url, body: r.body,
					headers: outsider, wantStatus: 404, wantContains: []string{missing}, notContains: []string{"Card numbers"}})
			}
			for _, r := range []struct{ method, url, body, code string }{
				{"GET", "/api/v1/root-causes/" + rcID, "", "root_cause_not_found"},
				{"PATCH", "/api/v1/root-causes/" + rcID, `{"description":"x"}`, "root_cause_not_found"},
				{"DELETE", "/api/v1/root-causes/" + rcID, "", "root_cause_not_found"},
				{"GET", "/api/v1/actions/" + actID, "", "action_not_found"},
				{"PATCH", "/api/v1/actions/" + actID, `{"status":"done"}`, "action_not_found"},
				{"DELETE", "/api/v1/actions/" + actID, "", "action_not_found"},
			} {
				cases = append(cases, scenario{name: "outsider " + r.method + " " + r.url, method: r.method, url: r.url, body: r.body,
					headers: outsider, wantStatus: 404, wantContains: []string{`"code":"` + r.code + `"`}, notContains: []string{"Scrub", "debug logging"}})
			}
			cases = append(cases,
				scenario{name: "outsider lists incidents", method: "GET", url: "/api/v1/incidents", headers: outsider,
					wantStatus: 200, wantContains: []string{"Checkout latency", `"total":1`}, notContains: []string{"Card numbers"}},
				scenario{name: "outsider lists incidents of the service", method: "GET", url: "/api/v1/incidents?service=checkout", headers: outsider,
					wantStatus: 200, wantContains: []string{`"total":1`}, notContains: []string{"Card numbers"}},
				scenario{name: "outsider lists actions", method: "GET", url: "/api/v1/actions?owner=ana", headers: outsider,
					wantStatus: 200, wantContains: []string{"Add a cache", `"total":1`}, notContains: []string{"Scrub"}},
				scenario{name: "outsider restricts to others only", method: "PATCH", url: "/api/v1/incidents/1", headers: outsider,
					body: `{"visibility":"restricted","restricted_to":["security"]}`, wantStatus: 422, wantContains: []string{`"restricted_to":"must name you`}},
			)
			for _, member := range []string{"ALICE@example.com", "carol@example.com,SECURITY"} {
				hdr := map[string]string{testEditorHeader: member}
				cases = append(cases,
					scenario{name: member + " reads", method: "GET", url: "/api/v1/incidents/" + secret, headers: hdr,
						wantStatus: 200, wantContains: []string{"Card numbers"}},
					scenario{name: member + " reads the action", method: "GET", url: "/api/v1/actions/" + actID, headers: hdr,
						wantStatus: 200, wantContains: []string{"Scrub"}},
					scenario{name: member + " lists", method: "GET", url: "/api/v1/incidents", headers: hdr,
						wantStatus: 200, wantContains: []string{"Card numbers", `"total":2`}},
					scenario{name: member + " lists actions", method: "GET", url: "/api/v1/actions?owner=ana", headers: hdr,
						wantStatus: 200, wantContains: []string{"Scrub", `"total":2`}},
				)
			}
			cases = append(cases,
				scenario{name: "member writes", method: "PATCH", url: "/api/v1/incidents/" + secret, headers: map[string]string{testEditorHeader: "carol@example.com,security"},
					body: `{"summary":"Scrubbed."}`, wantStatus: 200, wantContains: []string{"Scrubbed."}},
				scenario{name: "admin sees it", method: "GET", url: "/api/v1/incidents?service=checkout", wantStatus: 200,
					wantContains: []string{"Card numbers", `"total":2`}},
			)
			runScenarios(t, h, cases)

			// The outsider's writes changed nothing: the incident is at the
			// version the member's write made, with the title it had.
			body := admin(200, "GET", "/api/v1/incidents/"+secret, "")
			if !strings.Contains(body, `"title":"Card numbers in the logs"`) || !strings.Contains(body, `"version":2`) ||
				!strings.Contains(body, `"visibility":"restricted"`) {
				t.Errorf("after the outsider: %s", body)
			}
			// Hidden answers exactly like missing, but for the key named.
			hidden := doAs(t, h, outsider, "GET", "/api/v1/incidents/"+secret)
			gone := doAs(t, h, outsider, "GET", "/api/v1/incidents/INC-99")
			strip := regexp.MustCompile(`"request_id":"[^"]*"`)
			if a, b := strip.ReplaceAllString(hidden, ""), strip.ReplaceAllString(strings.ReplaceAll(gone, "INC-99", secret), ""); a != b {
				t.Errorf("hidden %s\nmissing %s", a, b)
			}
		})
	}
}

// doAs sends a request with headers and returns the body.
func doAs(t *testing.T, h http.Handler, headers map[string]string, method, url string) string {
	t.Helper()
	req := httptest.NewRequest(method, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.String() + " status " + strconv.Itoa(rec.Code)
}
