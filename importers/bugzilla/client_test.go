package bugzilla

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers/importertest"
)

const testKey = "bz-secret-key-123"

// fakeBugzilla answers like Bugzilla's REST API: bug 123 (alias
// "checkout-502") from the testdata answers, a 429 with Retry-After: 3
// before the first comment answer, error objects for a wrong key (code
// 306), an unknown bug (101, 404) and a private one (102, 401). It
// records the requests.
type fakeBugzilla struct {
	mu      sync.Mutex
	limited bool
	got     []string
	files   map[string][]byte
}

func newFake(t *testing.T) *fakeBugzilla {
	f := &fakeBugzilla{files: map[string][]byte{}}
	for _, n := range []string{"bug.json", "comments.json", "history.json"} {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			t.Fatal(err)
		}
		f.files[n] = b
	}
	return f
}

func (f *fakeBugzilla) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r.URL.Path)
	fail := func(status int, code int, msg string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": true, "code": code, "message": msg, "documentation": "https://bugzilla.readthedocs.org/en/latest/api/"})
	}
	if r.Header.Get("X-BUGZILLA-API-KEY") != testKey {
		fail(http.StatusBadRequest, 306, "The API key you specified is invalid. Please check that you typed it correctly.")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/rest/bug/"), "/")
	switch parts[0] {
	case "123", "checkout-502":
	case "5":
		fail(http.StatusUnauthorized, 102, "You are not authorized to access bug #5.")
		return
	default:
		fail(http.StatusNotFound, 101, "Bug #"+parts[0]+" does not exist.")
		return
	}
	switch {
	case len(parts) == 1:
		_, _ = w.Write(f.files["bug.json"])
	case parts[1] == "comment":
		if !f.limited {
			f.limited = true
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write(f.files["comments.json"])
	case parts[1] == "history":
		_, _ = w.Write(f.files["history.json"])
	default:
		_, _ = io.WriteString(w, `{"error":true,"code":32614,"message":"A REST API resource was not found"}`)
	}
}

func testClient(t *testing.T, f *fakeBugzilla, key string) (*Client, *[]time.Duration, string) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var waits []time.Duration
	c := NewClient(srv.URL+"/", key)
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits, srv.URL
}

func TestClient_PullBug(t *testing.T) {
	f := newFake(t)
	c, waits, base := testClient(t, f, testKey)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), []string{"Bug 123"}, nil, nil, &r); err != nil {
		t.Fatal(err)
	}
	importertest.Valid(t, r.Events)
	link := base + "/show_bug.cgi?id=123"
	importertest.Rows(t, r.Events, combinedRows(link, realNames, "Checkout returns 502 after deploy"), rowOf)
	if len(r.Rejects) != 0 {
		t.Errorf("rejects %+v", r.Rejects)
	}
	if len(*waits) != 1 || (*waits)[0] != 3*time.Second {
		t.Errorf("waits %v", *waits)
	}
	want := "/rest/bug/123 /rest/bug/123/comment /rest/bug/123/comment /rest/bug/123/history"
	if got := strings.Join(f.got, " "); got != want {
		t.Errorf("requests %s", got)
	}

	// By alias: the comments answer is keyed by the numeric id.
	var byAlias importertest.Recorder
	if err := c.Pull(context.Background(), []string{"checkout-502"}, nil, nil, &byAlias); err != nil {
		t.Fatal(err)
	}
	if len(byAlias.Events) != len(r.Events) || byAlias.Events[0].Body != r.Events[0].Body {
		t.Errorf("alias pull: %d events, created %q", len(byAlias.Events), byAlias.Events[0].Body)
	}
}

func TestClient_PullErrors(t *testing.T) {
	tests := []struct {
		name, key, id, wantErr string
	}{
		{"wrong key", "nope-nope", "123", "bugzilla: GET /rest/bug/123: 400 The API key you specified is invalid. Please check that you typed it correctly.: the API key was refused"},
		{"unknown bug", testKey, "999", "bugzilla: GET /rest/bug/999: 404 Bug #999 does not exist.: bug 999 not found"},
		{"private bug", testKey, "5", "bugzilla: GET /rest/bug/5: 401 You are not authorized to access bug #5.: the API key was refused"},
		{"not an id", testKey, "bug 12 and 13", `bugzilla: "bug 12 and 13" is not a bug id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := testClient(t, newFake(t), tt.key)
			var r importertest.Recorder
			err := c.Pull(context.Background(), []string{tt.id}, nil, nil, &r)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testKey) || len(r.Events) != 0 {
				t.Errorf("key in error or events kept: %v, %d", err, len(r.Events))
			}
		})
	}
}

func TestBugID(t *testing.T) {
	for in, want := range map[string]string{"123": "123", "Bug 123": "123", "bug123": "123", " https://bz.example/show_bug.cgi?id=77 ": "77", "CVE-2026-1": "CVE-2026-1", "bugfix": "bugfix"} {
		if got, err := BugID(in); err != nil || got != want {
			t.Errorf("BugID(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "a b", "https://bz.example/buglist.cgi", "x/y"} {
		if got, err := BugID(in); err == nil {
			t.Errorf("BugID(%q) = %q, no error", in, got)
		}
	}
}
