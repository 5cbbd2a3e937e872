package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const pagerDutyToken = "pd-secret-key-321"

// fakePagerDutyAPI answers log entry lists like PagerDuty's REST API:
// incident Q1 triggered 10:10 (custom detail incident=INC-1),
// acknowledged 10:20, resolved 10:50, newest first; one 429 with
// Retry-After: 1 before the first answer of the window list.
func fakePagerDutyAPI() http.Handler {
	var mu sync.Mutex
	limited := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Token token="+pagerDutyToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":{"message":"Unauthorized","code":2006}}`)
			return
		}
		switch r.URL.Path {
		case "/log_entries":
			if !limited {
				limited = true
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
		case "/incidents/Q1/log_entries":
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"message":"Not Found","code":2100}}`)
			return
		}
		inc := `{"id":"Q1","type":"incident","title":"Checkout 5xx","urgency":"high","html_url":"https://acme.pagerduty.com/incidents/Q1","service":{"summary":"checkout"}}`
		entry := func(id, typ, who string, t time.Time, channel string) string {
			return fmt.Sprintf(`{"id":%q,"type":%q,"summary":"%s by %s","created_at":%q,"agent":{"summary":%q},"channel":%s,"incident":%s}`,
				id, typ, typ, who, t.Format(time.RFC3339), who, channel, inc)
		}
		fmt.Fprintf(w, `{"log_entries":[%s,%s,%s],"limit":100,"offset":0,"more":false}`,
			entry("L3", "resolve_log_entry", "Bo Chen", at(10, 50), `{"type":"website"}`),
			entry("L2", "acknowledge_log_entry", "Ana Lima", at(10, 20), `{"type":"mobile"}`),
			entry("L1", "trigger_log_entry", "Prometheus", at(10, 10), `{"type":"api","details":{"incident":"INC-1"}}`))
	})
}

func TestCLI_PullPagerDuty(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakePagerDutyAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_PAGERDUTY_API_URL=" + srv.URL, "HINDSIGHT_PAGERDUTY_TOKEN=" + pagerDutyToken}
	args := []string{"pull", "pagerduty", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "dry run by id", environ: environ, args: append(args, "--id", "Q1", "--dry-run"),
			wantOut: []string{"3 events read; would be 3 added", "Acknowledged: Checkout 5xx"},
			wantErr: []string{"pull: reading pagerduty: Q1, from 2026-03-01T09:00:00Z to 2026-03-01T13:00:00Z"}, wantCount: 1},
		{name: "pull by id", environ: environ, args: append(args, "--id", "Q1"),
			wantOut: []string{"Pulled pagerduty:Q1 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1: 3 added, 0 duplicates"}, wantCount: 4},
		{name: "window pull after a 429 adds nothing new", environ: environ, args: args, wantOut: []string{"0 added, 3 duplicates"}, wantCount: 4},
		{name: "unknown incident", environ: environ, args: append(args, "--id", "NOPE"), wantCode: 1, wantErr: []string{"404 Not Found: incident NOPE not found"}, wantCount: 4},
		{name: "token required", args: args, wantCode: 2, wantErr: []string{"HINDSIGHT_PAGERDUTY_TOKEN"}, wantCount: 4},
		{name: "wrong token", environ: []string{"HINDSIGHT_PAGERDUTY_API_URL=" + srv.URL, "HINDSIGHT_PAGERDUTY_TOKEN=nope"}, args: append(args, "--id", "Q1"),
			wantCode: 1, wantErr: []string{"401 Unauthorized: the API key was refused"}, wantCount: 4},
	}
	runPullCases(t, data, []string{pagerDutyToken}, tests)
	for _, e := range timelineOf(t, data) {
		if e.Source == "pagerduty" && (e.ThreadID != "Q1" || e.Metadata["incident"] != "INC-1") {
			t.Errorf("event %s: thread %q incident %v", e.ExternalID, e.ThreadID, e.Metadata["incident"])
		}
	}
}
