package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const redmineKey = "rm-secret-key-654"

// fakeRedmineAPI answers like Redmine's REST API: issue 4711 (the
// importer's fixture: created 10:05, status and assignee changes, notes,
// closed 11:40) with journals, the status and priority lists, one 429
// with Retry-After: 1 before the first issue answer, 401 for a wrong key
// and 404 for other issues.
func fakeRedmineAPI(t *testing.T) http.Handler {
	issue, err := os.ReadFile("../../importers/redmine/testdata/issue.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	limited := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Redmine-API-Key") != redmineKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/issue_statuses.json":
			_, _ = io.WriteString(w, `{"issue_statuses":[{"id":1,"name":"New"},{"id":2,"name":"In Progress"},{"id":5,"name":"Closed"}]}`)
		case "/enumerations/issue_priorities.json":
			_, _ = io.WriteString(w, `{"issue_priorities":[{"id":2,"name":"Normal"},{"id":4,"name":"Urgent"}]}`)
		case "/issues/4711.json":
			if !limited {
				limited = true
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			_, _ = w.Write(issue)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
}

func TestCLI_PullRedmine(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeRedmineAPI(t))
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_REDMINE_URL=" + srv.URL, "HINDSIGHT_REDMINE_KEY=" + redmineKey}
	args := []string{"pull", "redmine", "--incident", "INC-1", "--data-dir", data}
	gone := filepath.Join(t.TempDir(), "gone.json")
	if err := os.WriteFile(gone, []byte(`{"issue":{"id":99,"subject":"Deleted since","author":{"name":"Ana"},"created_on":"2026-03-01T10:00:00Z","journals":[]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []pullCase{
		{name: "dry run", environ: environ, args: append(args, "--id", "#4711", "--dry-run"),
			wantOut: []string{"13 events read; would be 13 added", "#4711 status: New → In Progress"},
			wantErr: []string{"pull: reading redmine: #4711"}, wantCount: 1},
		{name: "pull after a 429", environ: environ, args: append(args, "--id", "4711"),
			wantOut: []string{"Pulled redmine:4711 ", "into INC-1: 13 added, 0 duplicates, 0 rejected"}, wantCount: 14},
		{name: "pull again adds nothing", environ: environ, args: append(args, "--id", "#4711"), wantOut: []string{"0 added, 13 duplicates"}, wantCount: 14},
		{name: "unknown issue", environ: environ, args: append(args, "--id", "99"), wantCode: 1, wantErr: []string{"404 Not Found: issue #99 not found"}, wantCount: 14},
		{name: "not an issue id", environ: environ, args: append(args, "--id", "PROJ-1"), wantCode: 1, wantErr: []string{"PROJ-1", "is not an issue id"}, wantCount: 14},
		{name: "key required", environ: []string{"HINDSIGHT_REDMINE_URL=" + srv.URL}, args: append(args, "--id", "4711"), wantCode: 2, wantErr: []string{"HINDSIGHT_REDMINE_KEY"}, wantCount: 14},
		{name: "wrong key", environ: []string{"HINDSIGHT_REDMINE_URL=" + srv.URL, "HINDSIGHT_REDMINE_KEY=nope-nope"}, args: append(args, "--id", "4711"),
			wantCode: 1, wantErr: []string{"401 Unauthorized: the API key was refused"}, wantCount: 14},
		// The incident's tickets are #4711 and #99, which Redmine no longer
		// has: a refresh pulls #4711 and says #99 is gone.
		{name: "link a ticket deleted since", environ: environ, args: []string{"import", "redmine", gone, "--incident", "INC-1", "--data-dir", data},
			wantOut: []string{"1 added"}, wantCount: 15},
		{name: "refresh skips the ticket gone", environ: environ, args: args,
			wantOut: []string{"0 added, 13 duplicates"}, wantErr: []string{"pull: redmine #99 is gone or hidden at the source, skipped"}, wantCount: 15},
	}
	runPullCases(t, data, []string{redmineKey}, tests)
	subtypes := map[string]int{}
	for _, e := range timelineOf(t, data) {
		if e.Source != "redmine" || e.ThreadID == "#99" {
			continue
		}
		subtypes[e.Metadata["subtype"].(string)]++
		if e.ThreadID != "#4711" || e.Metadata["ticket_key"] != "#4711" || !strings.HasPrefix(e.Link, srv.URL+"/issues/4711") {
			t.Errorf("event %s: thread %q key %v link %q", e.ExternalID, e.ThreadID, e.Metadata["ticket_key"], e.Link)
		}
	}
	want := map[string]int{"created": 1, "comment": 2, "status": 2, "assignee": 1, "priority": 1, "field": 5, "linked": 1}
	for k, n := range want {
		if subtypes[k] != n {
			t.Errorf("%d %s events, want %d (all: %v)", subtypes[k], k, n, subtypes)
		}
	}
}
