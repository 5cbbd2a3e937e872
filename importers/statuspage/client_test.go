package statuspage

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

const testToken = "sp-secret-key-123"

// fakeStatuspage answers like the manage API (page kctbh9vrtdwd, incident
// p31zjtct2jer, one 420 first) and the public incidents.json.
func fakeStatuspage(t *testing.T) *httptest.Server {
	t.Helper()
	inc, _ := os.ReadFile("testdata/incident.json")
	pub, _ := os.ReadFile("testdata/incidents_v2.json")
	limited := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/incidents.json" {
			_, _ = w.Write(pub)
			return
		}
		if r.Header.Get("Authorization") != "OAuth "+testToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"Could not authenticate"}`)
			return
		}
		if !limited {
			limited = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(420)
			return
		}
		switch r.URL.Path {
		case "/v1/pages/kctbh9vrtdwd/incidents/p31zjtct2jer":
			_, _ = w.Write(inc)
		case "/v1/pages/kctbh9vrtdwd/incidents":
			_, _ = io.WriteString(w, "["+string(inc)+"]")
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"Not found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_Pull(t *testing.T) {
	srv := fakeStatuspage(t)
	tests := []struct {
		name, token string
		ids         []string
		want        int
		wantErr     string
	}{
		{name: "by id after a 420", token: testToken, ids: []string{"kctbh9vrtdwd/p31zjtct2jer"}, want: 5},
		{name: "whole page", token: testToken, ids: []string{"kctbh9vrtdwd"}, want: 5},
		{name: "public", ids: []string{"cp306tmzcl0y"}, want: 2},
		{name: "public, all", want: 2},
		{name: "public, unknown", ids: []string{"nope"}, wantErr: "not among"},
		{name: "not found", token: testToken, ids: []string{"kctbh9vrtdwd/nope"}, wantErr: "404 Not found: incident kctbh9vrtdwd/nope not found"},
		{name: "bad token", token: "wrong-token", ids: []string{"kctbh9vrtdwd/p31zjtct2jer"}, wantErr: "401 Could not authenticate"},
		{name: "no ids", token: testToken, wantErr: "--id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(srv.URL, tt.token)
			c.wait = func(context.Context, time.Duration) error { return nil }
			var r importertest.Recorder
			err := c.Pull(context.Background(), tt.ids, nil, nil, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), testToken) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(r.Events) != tt.want {
				t.Fatalf("err %v, %d events, want %d", err, len(r.Events), tt.want)
			}
			importertest.Valid(t, r.Events)
		})
	}
	if err := NewClient("https://api.statuspage.io", "").Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil || !strings.Contains(err.Error(), "public status page") {
		t.Errorf("public on the manage API: %v", err)
	}
}
