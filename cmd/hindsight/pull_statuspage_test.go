package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const statuspageToken = "sp-cli-secret-42"

// spIncident is an incident with two updates inside INC-1's window.
const spIncident = `{"id":"inc1","page_id":"page1","name":"Checkout failures","status":"resolved","impact":"major",
	"shortlink":"http://stspg.io/x1","created_at":"2026-03-01T10:12:00Z","incident_updates":[
	{"id":"u2","status":"resolved","body":"Resolved.","created_at":"2026-03-01T10:50:00Z","display_at":"2026-03-01T10:50:00Z"},
	{"id":"u1","status":"investigating","body":"We are investigating.","created_at":"2026-03-01T10:12:00Z","display_at":"2026-03-01T10:12:00Z"}]}`

// fakeStatuspageAPI answers like the manage API and a public page.
func fakeStatuspageAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v2/incidents.json":
			_, _ = io.WriteString(w, `{"page":{"id":"page1","name":"Acme"},"incidents":[`+spIncident+`]}`)
		case r.Header.Get("Authorization") != "OAuth "+statuspageToken:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"Could not authenticate"}`)
		case r.URL.Path == "/v1/pages/page1/incidents/inc1":
			_, _ = io.WriteString(w, spIncident)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"Not found"}`)
		}
	})
}

func TestCLI_PullStatuspage(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeStatuspageAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_STATUSPAGE_API_URL=" + srv.URL, "HINDSIGHT_STATUSPAGE_TOKEN=" + statuspageToken}
	public := []string{"HINDSIGHT_STATUSPAGE_API_URL=" + srv.URL}
	args := []string{"pull", "statuspage", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "pull by page/incident", environ: environ, args: append(args, "--id", "page1/inc1"), wantOut: []string{"2 added, 0 duplicates"}, wantCount: 3},
		{name: "public page adds nothing new", environ: public, args: append(args, "--id", "inc1"), wantOut: []string{"0 added, 2 duplicates"}, wantCount: 3},
		{name: "unknown incident", environ: environ, args: append(args, "--id", "page1/nope"), wantCode: 1, wantErr: []string{"404 Not found: incident page1/nope not found"}, wantCount: 3},
		{name: "wrong token", environ: []string{"HINDSIGHT_STATUSPAGE_API_URL=" + srv.URL, "HINDSIGHT_STATUSPAGE_TOKEN=nope-nope"}, args: append(args, "--id", "page1/inc1"),
			wantCode: 1, wantErr: []string{"401 Could not authenticate"}, wantCount: 3},
	}
	runPullCases(t, data, []string{statuspageToken}, tests)
	for _, e := range timelineOf(t, data) {
		if e.Source == "statuspage" && (e.Kind != "status" || e.ThreadID != "page1/inc1" || e.Metadata["customer_facing"] != true) {
			t.Errorf("event %s: kind %s thread %q metadata %v", e.ExternalID, e.Kind, e.ThreadID, e.Metadata)
		}
	}
}
