package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

const bugzillaKey = "bz-secret-key-987"

// fakeBugzillaAPI answers like Bugzilla's REST API: bug 123 from the
// importer's testdata (created 10:05, status, assignee, priority changes,
// resolved 11:40), one 429 with Retry-After: 1 before the first history
// answer, error objects for a wrong key (code 306) and unknown bugs (101).
func fakeBugzillaAPI(t *testing.T) http.Handler {
	files := map[string][]byte{}
	for _, n := range []string{"bug.json", "comments.json", "history.json"} {
		b, err := os.ReadFile("../../importers/bugzilla/testdata/" + n)
		if err != nil {
			t.Fatal(err)
		}
		files[n] = b
	}
	var mu sync.Mutex
	limited := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fail := func(status, code int, msg string) {
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": true, "code": code, "message": msg})
		}
		if r.Header.Get("X-BUGZILLA-API-KEY") != bugzillaKey {
			fail(http.StatusBadRequest, 306, "The API key you specified is invalid.")
			return
		}
		switch r.URL.Path {
		case "/rest/bug/123":
			_, _ = w.Write(files["bug.json"])
		case "/rest/bug/123/comment":
			_, _ = w.Write(files["comments.json"])
		case "/rest/bug/123/history":
			if !limited {
				limited = true
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			_, _ = w.Write(files["history.json"])
		default:
			fail(http.StatusNotFound, 101, "Bug #"+strings.TrimPrefix(r.URL.Path, "/rest/bug/")+" does not exist.")
		}
	})
}

func TestCLI_PullBugzilla(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeBugzillaAPI(t))
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_BUGZILLA_URL=" + srv.URL, "HINDSIGHT_BUGZILLA_KEY=" + bugzillaKey}
	args := []string{"pull", "bugzilla", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "dry run", environ: environ, args: append(args, "--id", "Bug 123", "--dry-run"),
			wantOut: []string{"12 events read; would be 12 added", "Bug 123 status: NEW → ASSIGNED"},
			wantErr: []string{"pull: reading bugzilla: Bug 123"}, wantCount: 1},
		{name: "pull after a 429", environ: environ, args: append(args, "--id", "123"),
			wantOut: []string{"Pulled bugzilla:123 ", "into INC-1: 12 added, 0 duplicates, 0 rejected"}, wantCount: 13},
		{name: "pull again adds nothing", environ: environ, args: append(args, "--id", "Bug 123"), wantOut: []string{"0 added, 12 duplicates"}, wantCount: 13},
		{name: "unknown bug", environ: environ, args: append(args, "--id", "999"), wantCode: 1, wantErr: []string{"404 Bug #999 does not exist.: bug 999 not found"}, wantCount: 13},
		{name: "key required", environ: []string{"HINDSIGHT_BUGZILLA_URL=" + srv.URL}, args: append(args, "--id", "123"), wantCode: 2, wantErr: []string{"HINDSIGHT_BUGZILLA_KEY"}, wantCount: 13},
		{name: "wrong key", environ: []string{"HINDSIGHT_BUGZILLA_URL=" + srv.URL, "HINDSIGHT_BUGZILLA_KEY=nope-nope"}, args: append(args, "--id", "123"),
			wantCode: 1, wantErr: []string{"the API key was refused"}, wantCount: 13},
	}
	runPullCases(t, data, []string{bugzillaKey}, tests)
	for _, e := range timelineOf(t, data) {
		if e.Source == "bugzilla" && (e.ThreadID != "Bug 123" || e.Link != srv.URL+"/show_bug.cgi?id=123") {
			t.Errorf("event %s: thread %q link %q", e.ExternalID, e.ThreadID, e.Link)
		}
	}
}
