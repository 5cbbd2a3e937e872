package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	voAPIID  = "vo-id-42"
	voAPIKey = "vo-secret-key-654"
)

// fakeVictorOpsAPI answers GET /api-reporting/v2/incidents like Splunk
// On-Call's reporting API: it checks the X-VO-Api-Id/Key headers, serves
// incident 4217 (triggered 10:10 for entity checkout-api/latency, acked
// 10:20 by jdoe, resolved 10:50) to a window or incidentNumber=4217 query
// that asks for every phase, and sends one 429 with Retry-After: 1 first.
func fakeVictorOpsAPI() http.Handler {
	var mu sync.Mutex
	limited := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-VO-Api-Id") != voAPIID || r.Header.Get("X-VO-Api-Key") != voAPIKey {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"message":"Authentication failed"}`)
			return
		}
		if r.URL.Path != "/api-reporting/v2/incidents" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if !limited {
			limited = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		q := r.URL.Query()
		if !strings.Contains(q.Get("currentPhase"), "resolved") || (q.Get("incidentNumber") != "" && q.Get("incidentNumber") != "4217") {
			_, _ = io.WriteString(w, `{"offset":0,"limit":100,"total":0,"incidents":[]}`)
			return
		}
		tr := func(name, by string, t time.Time) string {
			return fmt.Sprintf(`{"name":%q,"at":%q,"by":%q,"manually":true}`, name, t.Format(time.RFC3339), by)
		}
		fmt.Fprintf(w, `{"offset":0,"limit":100,"total":1,"incidents":[{"incidentNumber":"4217","startTime":%q,"currentPhase":"RESOLVED",`+
			`"entityState":"CRITICAL","entityId":"checkout-api/latency","entityDisplayName":"Checkout latency","service":"checkout","host":"api-1",`+
			`"incidentLink":"https://portal.victorops.com/ui/acme/incident/4217/details","transitions":[%s,%s]}]}`,
			at(10, 10).Format(time.RFC3339), tr("ACKED", "jdoe", at(10, 20)), tr("RESOLVED", "jdoe", at(10, 50)))
	})
}

func TestCLI_PullVictorOps(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeVictorOpsAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_VICTOROPS_API_URL=" + srv.URL, "HINDSIGHT_VICTOROPS_API_ID=" + voAPIID, "HINDSIGHT_VICTOROPS_API_KEY=" + voAPIKey}
	args := []string{"pull", "victorops", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "dry run by incident number", environ: environ, args: append(args, "--id", "4217", "--dry-run"),
			wantOut: []string{"3 events read; would be 3 added", "Acknowledged: Checkout latency"},
			wantErr: []string{"pull: reading victorops: 4217, from 2026-03-01T09:00:00Z to 2026-03-01T13:00:00Z"}, wantCount: 1},
		{name: "pull by incident number", environ: environ, args: append(args, "--id", "4217"),
			wantOut: []string{"Pulled victorops:4217 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1: 3 added, 0 duplicates"}, wantCount: 4},
		{name: "window pull adds nothing new", environ: environ, args: args, wantOut: []string{"0 added, 3 duplicates"}, wantCount: 4},
		{name: "credentials required", environ: []string{"HINDSIGHT_VICTOROPS_API_ID=" + voAPIID}, args: args, wantCode: 2,
			wantErr: []string{"HINDSIGHT_VICTOROPS_API_KEY"}, wantCount: 4},
		{name: "wrong key", environ: []string{"HINDSIGHT_VICTOROPS_API_URL=" + srv.URL, "HINDSIGHT_VICTOROPS_API_ID=" + voAPIID, "HINDSIGHT_VICTOROPS_API_KEY=nope-nope"},
			args: args, wantCode: 1, wantErr: []string{"victorops: GET /api-reporting/v2/incidents: 403 Authentication failed"}, wantCount: 4},
	}
	runPullCases(t, data, []string{voAPIKey}, tests)
	var subtypes []string
	for _, e := range timelineOf(t, data) {
		if e.Source == "victorops" {
			if e.ThreadID != "checkout-api/latency" || e.Metadata["service"] != "checkout" {
				t.Errorf("event %s: thread %q service %v", e.ExternalID, e.ThreadID, e.Metadata["service"])
			}
			subtypes = append(subtypes, fmt.Sprint(e.Metadata["subtype"]))
		}
	}
	if fmt.Sprint(subtypes) != "[trigger acknowledge resolve]" {
		t.Errorf("subtypes = %v", subtypes)
	}
}
