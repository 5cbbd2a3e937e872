package github

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers/importertest"
)

const testToken = "ghp_test_secret_123"

// fakeGitHub answers like the REST API for acme/shop#12: comments in two
// pages (Link rel="next"), events after one rate-limit 403.
func fakeGitHub(t *testing.T) *httptest.Server {
	t.Helper()
	issue, _ := os.ReadFile("testdata/issue.json")
	limited := false
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken || r.Header.Get("Accept") != "application/vnd.github+json" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		switch r.URL.Path {
		case "/repos/acme/shop/issues/12":
			_, _ = w.Write(issue)
		case "/repos/acme/shop/issues/12/comments":
			if r.URL.Query().Get("page") == "2" {
				_, _ = io.WriteString(w, `[{"id":1501,"user":{"login":"ana-lima"},"created_at":"2026-03-01T10:25:00Z","body":"second"}]`)
				return
			}
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/acme/shop/issues/12/comments?per_page=100&page=2>; rel="next", <%s/x?page=2>; rel="last"`, srv.URL, srv.URL))
			_, _ = io.WriteString(w, `[{"id":1500,"user":{"login":"bo-chen"},"created_at":"2026-03-01T10:20:00Z","body":"first"}]`)
		case "/repos/acme/shop/issues/12/events":
			if !limited {
				limited = true
				w.Header().Set("X-Ratelimit-Remaining", "0")
				w.Header().Set("X-Ratelimit-Reset", "1")
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"message":"API rate limit exceeded"}`)
				return
			}
			_, _ = io.WriteString(w, `[{"id":2005,"actor":{"login":"bo-chen"},"event":"closed","created_at":"2026-03-01T11:40:00Z"}]`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Not Found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_Pull(t *testing.T) {
	srv := fakeGitHub(t)
	var waited []time.Duration
	c := NewClient(srv.URL, testToken)
	c.wait = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
	var r importertest.Recorder
	if err := c.Pull(context.Background(), []string{"acme/shop#12"}, nil, nil, &r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range r.Events {
		ids = append(ids, e.ExternalID)
	}
	if got := strings.Join(ids, " "); got != "acme/shop#12:created comment:1500 comment:1501 event:2005" {
		t.Errorf("ids %s", got)
	}
	if len(waited) != 1 {
		t.Errorf("waited %v, want one rate-limit wait", waited)
	}
	importertest.Valid(t, r.Events)
}

func TestClient_PullErrors(t *testing.T) {
	srv := fakeGitHub(t)
	tests := []struct {
		name, token, id, want string
	}{
		{name: "not found", token: testToken, id: "acme/shop#99", want: "404 Not Found: issue acme/shop#99 not found"},
		{name: "bad token", token: "wrong-token", id: "acme/shop#12", want: "401 Bad credentials"},
		{name: "bad key", token: testToken, id: "acme/shop", want: "not an issue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := NewClient(srv.URL, tt.token).Pull(context.Background(), []string{tt.id}, nil, nil, &r)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.token) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
	if err := NewClient(srv.URL, testToken).Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil || !strings.Contains(err.Error(), "--id") {
		t.Errorf("no ids: %v", err)
	}
}

func TestNextLink(t *testing.T) {
	base := "https://api.github.com"
	if got := nextLink(`<https://api.github.com/x?page=2>; rel="next"`, base); got != "https://api.github.com/x?page=2" {
		t.Errorf("next %q", got)
	}
	if got := nextLink(`<https://evil.example/x>; rel="next"`, base); got != "" {
		t.Errorf("foreign host followed: %q", got)
	}
	if got := nextLink(`<https://api.github.com/x?page=1>; rel="prev"`, base); got != "" {
		t.Errorf("prev followed: %q", got)
	}
}
