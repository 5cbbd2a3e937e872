package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

const opsGenieToken = "og-secret-key-654"

// fakeOpsGenieAPI answers like OpsGenie's Alert API: alert A1 (tiny id
// 11, tag hindsight:INC-1) created 10:05 with logs for its creation,
// acknowledgement (10:12) and close (10:45); the list holds A1.
func fakeOpsGenieAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "GenieKey "+opsGenieToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Could not authenticate","took":0.001}`)
			return
		}
		alert := fmt.Sprintf(`{"id":"A1","tinyId":"11","message":"Checkout latency","status":"closed","tags":["hindsight:INC-1"],"priority":"P2","entity":"web-1","createdAt":%q,"details":{"service":"checkout"}}`,
			at(10, 5).Format(time.RFC3339Nano))
		log := func(text, owner string, t time.Time) string {
			return fmt.Sprintf(`{"log":%q,"type":"system","owner":%q,"createdAt":%q,"offset":"%d_0"}`, text, owner, t.Format(time.RFC3339Nano), t.UnixMilli())
		}
		switch r.URL.Path {
		case "/v2/alerts":
			fmt.Fprintf(w, `{"data":[%s],"took":0.1}`, alert)
		case "/v2/alerts/A1", "/v2/alerts/11":
			fmt.Fprintf(w, `{"data":%s,"took":0.01}`, alert)
		case "/v2/alerts/A1/logs":
			fmt.Fprintf(w, `{"data":[%s,%s,%s],"paging":{},"took":0.02}`,
				log("Alert created via API", "System", at(10, 5)), log("Alert acknowledged via web", "ana@example.com", at(10, 12)),
				log("Alert closed via web", "bo@example.com", at(10, 45)))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Alert does not exist","took":0.001}`)
		}
	})
}

func TestCLI_PullOpsGenie(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeOpsGenieAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_OPSGENIE_API_URL=" + srv.URL, "HINDSIGHT_OPSGENIE_TOKEN=" + opsGenieToken}
	args := []string{"pull", "opsgenie", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "pull the window", environ: environ, args: args,
			wantOut: []string{"Pulled opsgenie: 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1: 3 added, 0 duplicates"},
			wantErr: []string{"pull: reading opsgenie: everything, from 2026-03-01T09:00:00Z to 2026-03-01T13:00:00Z"}, wantCount: 4},
		{name: "pull by tiny id adds nothing new", environ: environ, args: append(args, "--id", "11"), wantOut: []string{"0 added, 3 duplicates"}, wantCount: 4},
		{name: "unknown alert", environ: environ, args: append(args, "--id", "NOPE"), wantCode: 1, wantErr: []string{"404 Alert does not exist: alert NOPE not found"}, wantCount: 4},
		{name: "token required", args: args, wantCode: 2, wantErr: []string{"HINDSIGHT_OPSGENIE_TOKEN"}, wantCount: 4},
		{name: "wrong token", environ: []string{"HINDSIGHT_OPSGENIE_API_URL=" + srv.URL, "HINDSIGHT_OPSGENIE_TOKEN=nope"}, args: args,
			wantCode: 1, wantErr: []string{"401 Could not authenticate: the API key was refused"}, wantCount: 4},
	}
	runPullCases(t, data, []string{opsGenieToken}, tests)
	for _, e := range timelineOf(t, data) {
		if e.Source == "opsgenie" && (e.ThreadID != "A1" || e.Metadata["incident"] != "INC-1" || e.Metadata["service"] != "checkout") {
			t.Errorf("event %s: %+v", e.ExternalID, e.Metadata)
		}
	}
}
