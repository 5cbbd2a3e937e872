package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/generic"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/store"
)

func newHookHandler(t *testing.T, maxBody int64) http.Handler {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(t.TempDir(), "hindsight.db"), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := app.New(st, app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler), Hooks: importers.NewHookRegistry(generic.NewHook())})
	return New(Deps{testIdentity: testUser, Service: a, Version: "test", Hooks: HookDeps{MaxBodyBytes: maxBody}})
}

func TestAPI_Hooks(t *testing.T) {
	h := newHookHandler(t, 2048)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","services":["checkout"],"started_at":"2026-03-10T09:00:00Z"}`)
	var created struct {
		Token        string `json:"token"`
		URLWithToken string `json:"url_with_token"`
	}
	decodeTestJSON(t, mustDo(t, h, http.StatusCreated, "POST", "/api/v1/integrations/hooks", `{"source":"generic","name":"relay"}`), &created)
	if !strings.HasPrefix(created.Token, "hsk_") || created.URLWithToken != "/api/v1/hooks/generic?token="+created.Token {
		t.Fatalf("created: %+v", created)
	}
	alert := `{"id":"a1","status":"firing","title":"5xx above 2%","service":"checkout","time":"2026-03-10T09:05:00Z"}`
	for _, sc := range []scenario{
		{name: "list hides the token", method: "GET", url: "/api/v1/integrations/hooks", wantStatus: 200,
			wantContains: []string{`"name":"relay"`, `"sources":["generic"]`}, notContains: []string{created.Token, "token_hash"}},
		{name: "no token", method: "POST", url: "/api/v1/hooks/generic", body: alert, wantStatus: 401,
			wantContains: []string{`"code":"hook_unauthorized"`}},
		{name: "wrong token", method: "POST", url: "/api/v1/hooks/generic?token=hsk_nope", body: alert, wantStatus: 401},
		{name: "unknown source", method: "POST", url: "/api/v1/hooks/nosuch?token=" + created.Token, body: alert, wantStatus: 404},
		{name: "malformed", method: "POST", url: "/api/v1/hooks/generic?token=" + created.Token, body: `{"title":`, wantStatus: 400,
			wantContains: []string{`"code":"bad_payload"`}},
		{name: "bad field named", method: "POST", url: "/api/v1/hooks/generic?token=" + created.Token,
			body: `{"title":"x","time":"not a time"}`, wantStatus: 400, wantContains: []string{"time:"}},
		{name: "over the hook body limit", method: "POST", url: "/api/v1/hooks/generic?token=" + created.Token,
			body: `{"title":"` + strings.Repeat("x", 3000) + `"}`, wantStatus: 413},
		{name: "token in the query", method: "POST", url: "/api/v1/hooks/generic?token=" + created.Token, body: alert, wantStatus: 200,
			wantContains: []string{`"stored":1`, `"incident":"INC-1"`, `"routed_by":"service"`, `"subtype":"trigger"`}},
		{name: "replay by header", method: "POST", url: "/api/v1/hooks/generic", body: alert, wantStatus: 200,
			headers:      map[string]string{"X-Hindsight-Token": created.Token},
			wantContains: []string{`"stored":0`, `"duplicates":1`}},
		{name: "bearer, unknown service to the inbox", method: "POST", url: "/api/v1/hooks/generic",
			body:    `{"id":"b1","title":"Queue backlog","service":"billing","alert_id":"Q","time":"2026-03-10T10:00:00Z"}`,
			headers: map[string]string{"Authorization": "Bearer " + created.Token}, wantStatus: 200,
			wantContains: []string{`"state":"inbox"`}},
		{name: "basic auth password", method: "POST", url: "/api/v1/hooks/generic",
			body:    `{"id":"c1","status":"acknowledged","title":"Queue backlog","service":"billing","alert_id":"Q","time":"2026-03-10T10:01:00Z"}`,
			headers: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("zabbix:"+created.Token))}, wantStatus: 200,
			wantContains: []string{`"state":"inbox"`}},
		{name: "timeline holds the alert", method: "GET", url: "/api/v1/incidents/INC-1/timeline", wantStatus: 200,
			wantContains: []string{`"kind":"alert"`, "Triggered: 5xx above 2%"}},
		{name: "inbox", method: "GET", url: "/api/v1/alerts", wantStatus: 200,
			wantContains: []string{`"total":2`, "Queue backlog"}},
		{name: "bad state", method: "GET", url: "/api/v1/alerts?state=nope", wantStatus: 422},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
	}
	var inbox struct {
		Items []alertJSON `json:"items"`
	}
	decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", "/api/v1/alerts", ""), &inbox)
	if len(inbox.Items) != 2 {
		t.Fatalf("inbox: %+v", inbox)
	}
	inboxID := strconv.FormatInt(inbox.Items[0].ID, 10)
	for _, sc := range []scenario{
		{name: "open an incident from it", method: "POST", url: "/api/v1/alerts/" + inboxID + "/incident", body: `{"severity":"SEV3"}`, wantStatus: 201,
			wantContains: []string{`"key":"INC-2"`, `"severity":"SEV3"`, `"title":"Queue backlog"`, `"routed_by":"opened"`}},
		{name: "already opened", method: "POST", url: "/api/v1/alerts/" + inboxID + "/incident", wantStatus: 422},
		{name: "inbox empty: the alert's other event went along", method: "GET", url: "/api/v1/alerts", wantStatus: 200, wantContains: []string{`"total":0`}},
		{name: "attach needs an incident", method: "POST", url: "/api/v1/alerts/attach", body: `{"alert_ids":[` + inboxID + `]}`, wantStatus: 422},
		{name: "dismiss a routed alert", method: "POST", url: "/api/v1/alerts/dismiss", body: `{"alert_ids":[1]}`, wantStatus: 422},
		{name: "rotate", method: "POST", url: "/api/v1/integrations/hooks/relay/rotate", wantStatus: 200, wantContains: []string{`"token":"hsk_`}},
		{name: "old token refused", method: "POST", url: "/api/v1/hooks/generic?token=" + created.Token, body: alert, wantStatus: 401},
		{name: "delete", method: "DELETE", url: "/api/v1/integrations/hooks/relay", wantStatus: 204},
		{name: "alerts stay", method: "GET", url: "/api/v1/alerts?state=all", wantStatus: 200, wantContains: []string{`"total":3`, `"hook_id":null`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
	}
	// The answer shows the stored alert.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/alerts/1", nil))
	var a alertJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || a.Incident != "INC-1" || a.Severity != "unknown" {
		t.Fatalf("alert 1: %s %v", rec.Body, err)
	}
}
