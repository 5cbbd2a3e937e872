package mantis

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers/importertest"
)

const testToken = "mantis-secret-token-1"

// fakeMantis answers like MantisBT's REST API for issue 42, after one 429.
func fakeMantis(t *testing.T) *httptest.Server {
	t.Helper()
	issue, _ := os.ReadFile("testdata/issue.json")
	limited := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != testToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"API token not found","code":1000,"localized":"Access denied"}`)
			return
		}
		if !limited {
			limited = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if r.URL.Path == "/mantis/api/rest/issues/42" {
			_, _ = w.Write(issue)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"Issue #99 not found","code":1100,"localized":"Issue 99 not found."}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_Pull(t *testing.T) {
	srv := fakeMantis(t)
	tests := []struct {
		name, token, id string
		want            int
		wantErr         string
	}{
		{name: "after a 429", token: testToken, id: "#42", want: 10},
		{name: "key form", token: testToken, id: "Mantis 42", want: 10},
		{name: "not found", token: testToken, id: "99", wantErr: "404 Issue #99 not found: issue 99 not found"},
		{name: "bad token", token: "wrong-token", id: "42", wantErr: "401 API token not found"},
		{name: "bad id", token: testToken, id: "abc", wantErr: "not an issue id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(srv.URL+"/mantis/", tt.token)
			c.wait = func(context.Context, time.Duration) error { return nil }
			var r importertest.Recorder
			err := c.Pull(context.Background(), []string{tt.id}, nil, nil, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), tt.token) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(r.Events) != tt.want {
				t.Fatalf("err %v, %d events, want %d", err, len(r.Events), tt.want)
			}
			if l := r.Events[0].Link; l != srv.URL+"/mantis/view.php?id=42" {
				t.Errorf("link %q", l)
			}
		})
	}
}
