package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const gitHubToken = "ghp_cli_secret_42"

// fakeGitHubAPI answers like GitHub's REST API for acme/shop#12: opened
// 10:05 (body names INC-1), one comment 10:20, closed 11:40.
func fakeGitHubAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+gitHubToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Bad credentials"}`)
			return
		}
		switch r.URL.Path {
		case "/repos/acme/shop/issues/12":
			_, _ = io.WriteString(w, `{"number":12,"title":"Checkout 502","html_url":"https://github.com/acme/shop/issues/12",
				"repository_url":"https://api.github.com/repos/acme/shop","user":{"login":"ana"},"state":"closed",
				"created_at":"2026-03-01T10:05:00Z","closed_at":"2026-03-01T11:40:00Z","body":"EU checkout fails"}`)
		case "/repos/acme/shop/issues/12/comments":
			_, _ = io.WriteString(w, `[{"id":1500,"user":{"login":"bo"},"created_at":"2026-03-01T10:20:00Z","body":"LB lost its backends"}]`)
		case "/repos/acme/shop/issues/12/events":
			_, _ = io.WriteString(w, `[{"id":2005,"actor":{"login":"bo"},"event":"closed","created_at":"2026-03-01T11:40:00Z"}]`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Not Found"}`)
		}
	})
}

func TestCLI_PullGitHub(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeGitHubAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_GITHUB_API_URL=" + srv.URL, "HINDSIGHT_GITHUB_TOKEN=" + gitHubToken}
	args := []string{"pull", "github", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "dry run", environ: environ, args: append(args, "--id", "acme/shop#12", "--dry-run"),
			wantOut: []string{"3 events read; would be 3 added"}, wantErr: []string{"pull: reading github: acme/shop#12"}, wantCount: 1},
		{name: "pull", environ: environ, args: append(args, "--id", "acme/shop#12"), wantOut: []string{"3 added, 0 duplicates"}, wantCount: 4},
		{name: "again by URL adds nothing", environ: environ, args: append(args, "--id", "https://github.com/acme/shop/issues/12"),
			wantOut: []string{"0 added, 3 duplicates"}, wantCount: 4},
		{name: "unknown issue", environ: environ, args: append(args, "--id", "acme/shop#99"), wantCode: 1, wantErr: []string{"404 Not Found: issue acme/shop#99 not found"}, wantCount: 4},
		{name: "bad key", environ: environ, args: append(args, "--id", "acme/shop"), wantCode: 2, wantErr: []string{"want owner/repo#12"}, wantCount: 4},
		{name: "wrong token", environ: []string{"HINDSIGHT_GITHUB_API_URL=" + srv.URL, "HINDSIGHT_GITHUB_TOKEN=nope-nope"}, args: append(args, "--id", "acme/shop#12"),
			wantCode: 1, wantErr: []string{"401 Bad credentials"}, wantCount: 4},
	}
	runPullCases(t, data, []string{gitHubToken}, tests)
	for _, e := range timelineOf(t, data) {
		if e.Source == "github" && (e.ThreadID != "acme/shop#12" || e.Metadata["ticket_key"] != "acme/shop#12") {
			t.Errorf("event %s: thread %q metadata %v", e.ExternalID, e.ThreadID, e.Metadata)
		}
	}
}
