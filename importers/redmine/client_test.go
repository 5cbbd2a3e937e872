package redmine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

const testKey = "rm-secret-key-123"

// fakeRedmine answers like Redmine's REST API under /redmine: the issue of
// testdata/issue.json as 4711 (a 429 with Retry-After: 2 before its first
// answer), statuses, and priorities only when allowPriorities; 401 with
// an empty body for a wrong key, 404 for other issues. It records the
// requests it got.
type fakeRedmine struct {
	mu              sync.Mutex
	limited         bool
	allowPriorities bool
	got             []string
}

func (f *fakeRedmine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("X-Redmine-API-Key") != testKey {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/redmine/issue_statuses.json":
		_, _ = io.WriteString(w, `{"issue_statuses":[{"id":1,"name":"New","is_closed":false},{"id":2,"name":"In Progress","is_closed":false},{"id":5,"name":"Closed","is_closed":true}]}`)
	case "/redmine/enumerations/issue_priorities.json":
		if !f.allowPriorities {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, `{"issue_priorities":[{"id":2,"name":"Normal","is_default":true,"active":true},{"id":4,"name":"Urgent","is_default":false,"active":true}]}`)
	case "/redmine/issues/4711.json":
		if r.URL.Query().Get("include") != "journals,attachments" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if !f.limited {
			f.limited = true
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		b, _ := os.ReadFile("testdata/issue.json")
		_, _ = w.Write(b)
	case "/redmine/issues/13.json":
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = io.WriteString(w, `{"errors":["Something is invalid"]}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func testClient(t *testing.T, f *fakeRedmine, key string) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var waits []time.Duration
	c := NewClient(srv.URL+"/redmine/", key)
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits
}

func TestClient_PullIssue(t *testing.T) {
	f := &fakeRedmine{allowPriorities: true}
	c, waits := testClient(t, f, testKey)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), []string{"#4711"}, nil, nil, &r); err != nil {
		t.Fatal(err)
	}
	importertest.Valid(t, r.Events)
	if len(r.Events) != 13 || len(r.Rejects) != 0 {
		t.Fatalf("%d events, rejects %+v", len(r.Events), r.Rejects)
	}
	byID := r.ByID()
	// The lookups name what the issue alone could not: status 1 and 2,
	// priority 2.
	for id, want := range map[string]string{
		"journal:9001:attr:status_id":   "#4711 status: New → In Progress",
		"journal:9004:attr:priority_id": "#4711 priority: Normal → Urgent",
		"journal:9005:attr:status_id":   "#4711 status: In Progress → Closed",
	} {
		if got := byID[id].Body; got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	srvURL := strings.TrimSuffix(c.BaseURL, "/redmine/")
	if got := byID["issue:4711:created"].Link; got != srvURL+"/redmine/issues/4711" {
		t.Errorf("link %q", got)
	}
	if len(*waits) != 1 || (*waits)[0] != 2*time.Second {
		t.Errorf("waits %v, want one of 2s", *waits)
	}
	want := []string{
		"GET /redmine/issue_statuses.json",
		"GET /redmine/enumerations/issue_priorities.json",
		"GET /redmine/issues/4711.json?include=journals%2Cattachments",
		"GET /redmine/issues/4711.json?include=journals%2Cattachments",
	}
	if strings.Join(f.got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s", strings.Join(f.got, "\n"))
	}

	// A second pull reads the same events: the same ids, so nothing new.
	var again importertest.Recorder
	if err := c.Pull(context.Background(), []string{"4711"}, nil, nil, &again); err != nil {
		t.Fatal(err)
	}
	for i, e := range again.Events {
		if e.ExternalID != r.Events[i].ExternalID || e.Body != r.Events[i].Body {
			t.Errorf("event %d differs on a second pull: %q", i, e.ExternalID)
		}
	}
}

func TestClient_PullErrors(t *testing.T) {
	tests := []struct {
		name, key string
		ids       []string
		wantErr   string
		wantIDs   int // events, when the pull succeeds
	}{
		{name: "priorities refused keeps ids", key: testKey, ids: []string{"https://redmine.example.com/issues/4711"}, wantIDs: 13},
		{name: "wrong key", key: "nope-nope", ids: []string{"4711"}, wantErr: "redmine: GET /issue_statuses.json: 401 Unauthorized: the API key was refused"},
		{name: "unknown issue", key: testKey, ids: []string{"99"}, wantErr: "redmine: GET /issues/99.json: 404 Not Found: issue #99 not found"},
		{name: "vendor error text", key: testKey, ids: []string{"13"}, wantErr: "redmine: GET /issues/13.json: 422 Something is invalid"},
		{name: "not an id", key: testKey, ids: []string{"PROJ-1"}, wantErr: `redmine: "PROJ-1" is not an issue id`},
		{name: "no ids", key: testKey, wantErr: "give the issues to pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := testClient(t, &fakeRedmine{limited: true}, tt.key)
			var r importertest.Recorder
			err := c.Pull(context.Background(), tt.ids, nil, nil, &r)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Events) != tt.wantIDs {
					t.Fatalf("%d events", len(r.Events))
				}
				if got := r.ByID()["journal:9004:attr:priority_id"].Body; got != "#4711 priority: #2 → Urgent" {
					t.Errorf("priority %q", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), tt.key) && len(tt.key) > 4 {
				t.Errorf("key in error: %v", err)
			}
			// Only the 404 says the issue is gone (pull --refresh skips it).
			if gone := strings.Contains(tt.wantErr, "404"); errors.Is(err, importers.ErrRemoteNotFound) != gone {
				t.Errorf("errors.Is(err, ErrRemoteNotFound) = %v, want %v", !gone, gone)
			}
		})
	}
}

func TestIssueID(t *testing.T) {
	for in, want := range map[string]string{"4711": "4711", "#4711": "4711", "checkout#4711": "4711", " https://r.example/issues/4711.json?x=1 ": "4711", "https://r.example/issues/12": "12"} {
		if got, err := IssueID(in); err != nil || got != want {
			t.Errorf("IssueID(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "#", "abc", "12a", "https://r.example/projects/x"} {
		if _, err := IssueID(in); err == nil {
			t.Errorf("IssueID(%q) gave no error", in)
		}
	}
}
