package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSlack answers like Slack's Web API: newest-first history in pages of
// two with next_cursor, the parent first in replies, users.info, and a 429
// with Retry-After before the first answer of every history page.
type fakeSlack struct {
	mu        sync.Mutex
	calls     map[string]int
	limited   map[string]bool
	failAfter int // answer history with an error from this page on (0: never)
	queries   []string
}

var fakeHistory = []string{
	`{"type":"message","user":"U01ANN","text":"rolled back, <@U02BOB> please verify","ts":"1732111500.000500","thread_ts":"1732111500.000500","reply_count":2}`,
	`{"type":"message","subtype":"bot_message","username":"Deploy Bot","bot_id":"B05","text":"deploy &lt;v2&gt; done","ts":"1732111400.000400"}`,
	`{"type":"message","user":"U09GONE","text":"hi","ts":"1732111300.000300"}`,
	`{"type":"message","user":"U02BOB","text":"paging <#C02INC|incidents>","ts":"1732111200.000200"}`,
	`{"type":"message","user":"U01ANN","ts":""}`,
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	f.calls[method]++
	f.queries = append(f.queries, method+"?"+r.URL.RawQuery)
	if r.Header.Get("Authorization") != "Bearer xoxb-test" {
		writeJSON(w, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	q := r.URL.Query()
	switch method {
	case "conversations.info":
		writeJSON(w, `{"ok":true,"channel":{"id":"C01GENERAL","name":"general"}}`)
	case "users.info":
		names := map[string]string{"U01ANN": `{"id":"U01ANN","name":"ann","profile":{"display_name":"ann.oncall"}}`, "U02BOB": `{"id":"U02BOB","name":"bob","real_name":"Bob Builder"}`}
		if u, ok := names[q.Get("user")]; ok {
			writeJSON(w, `{"ok":true,"user":`+u+`}`)
			return
		}
		writeJSON(w, `{"ok":false,"error":"user_not_found"}`)
	case "conversations.replies":
		if q.Get("cursor") == "" {
			writeJSON(w, `{"ok":true,"messages":[`+fakeHistory[0]+`,{"type":"message","user":"U02BOB","text":"verified","ts":"1732111560.000600","thread_ts":"1732111500.000500"}],"has_more":true,"response_metadata":{"next_cursor":"r2"}}`)
			return
		}
		writeJSON(w, `{"ok":true,"messages":[{"type":"message","user":"U01ANN","text":"thanks","ts":"1732111620.000700","thread_ts":"1732111500.000500"}],"has_more":false}`)
	case "conversations.history":
		cursor := q.Get("cursor")
		if !f.limited[cursor] {
			f.limited[cursor] = true
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		start := map[string]int{"": 0, "p2": 2, "p3": 4}[cursor]
		if f.failAfter > 0 && start/2+1 >= f.failAfter {
			writeJSON(w, `{"ok":false,"error":"internal_error"}`)
			return
		}
		end := min(start+2, len(fakeHistory))
		next := map[int]string{2: "p2", 4: "p3"}[end]
		body, _ := json.Marshal(next)
		writeJSON(w, `{"ok":true,"messages":[`+strings.Join(fakeHistory[start:end], ",")+`],"has_more":`+map[bool]string{true: "true", false: "false"}[next != ""]+`,"response_metadata":{"next_cursor":`+string(body)+`}}`)
	default:
		writeJSON(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

func writeJSON(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(s))
}

func newFake(t *testing.T, failAfter int) (*fakeSlack, *Client) {
	t.Helper()
	f := &fakeSlack{calls: map[string]int{}, limited: map[string]bool{}, failAfter: failAfter}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := NewClient("xoxb-test")
	c.BaseURL = srv.URL + "/api"
	c.PageSize = 2
	return f, c
}

func TestClient_Pull(t *testing.T) {
	f, c := newFake(t, 0)
	rec := &recorder{}
	from, to := time.Unix(1732111000, 0), time.Unix(1732112000, 500)
	if err := c.Pull(context.Background(), "C01GENERAL", from, to, rec); err != nil {
		t.Fatal(err)
	}
	type row struct{ ID, Actor, Body, Parent string }
	var got []row
	for _, e := range rec.Events {
		got = append(got, row{e.ExternalID, e.Actor, e.Body, e.ParentID})
	}
	const th = "C01GENERAL:1732111500.000500"
	want := []row{
		{th, "ann.oncall", "rolled back, @Bob Builder please verify", ""},
		{"C01GENERAL:1732111560.000600", "Bob Builder", "verified", th},
		{"C01GENERAL:1732111620.000700", "ann.oncall", "thanks", th},
		{"C01GENERAL:1732111400.000400", "Deploy Bot", "deploy <v2> done", ""},
		{"C01GENERAL:1732111300.000300", "unknown user U09GONE", "hi", ""},
		{"C01GENERAL:1732111200.000200", "Bob Builder", "paging #incidents", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(rec.Rejects) != 1 || rec.Rejects[0].Field != "ts" {
		t.Errorf("rejects = %+v, want one for ts", rec.Rejects)
	}
	if rec.Events[0].Metadata["channel"] != "general" {
		t.Errorf("channel metadata = %v", rec.Events[0].Metadata["channel"])
	}
	if n := f.calls["users.info"]; n != 3 {
		t.Errorf("users.info called %d times, want 3 (cached)", n)
	}
	if n := f.calls["conversations.history"]; n != 6 {
		t.Errorf("conversations.history called %d times, want 6 (3 pages, each once rate limited)", n)
	}
	if !strings.Contains(f.queries[1], "oldest=1732111000.000000") || !strings.Contains(f.queries[1], "latest=1732112000.000000") {
		t.Errorf("history query %q lacks the window", f.queries[1])
	}
}

func TestClient_PullErrors(t *testing.T) {
	tests := []struct {
		name       string
		failAfter  int
		token      string
		maxRetries int
		wantErr    string
		wantCursor string
		wantLastTS string
	}{
		{name: "slack error mid-way is resumable", failAfter: 2, token: "xoxb-test", maxRetries: 5, wantErr: "conversations.history failed: internal_error", wantCursor: "p2", wantLastTS: "1732111400.000400"},
		{name: "bad token", token: "xoxb-wrong", maxRetries: 5, wantErr: "conversations.info failed: invalid_auth"},
		{name: "rate limit outlasts the retries", token: "xoxb-test", maxRetries: 0, wantErr: "still rate limited (429) after 0 retries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, tt.failAfter)
			c.token, c.MaxRetries = tt.token, tt.maxRetries
			err := c.Pull(context.Background(), "C01GENERAL", time.Time{}, time.Time{}, &recorder{})
			var pe *PullError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want a PullError containing %q", err, tt.wantErr)
			}
			if pe.Cursor != tt.wantCursor || pe.LastTS != tt.wantLastTS {
				t.Errorf("resume at cursor %q ts %q, want %q %q", pe.Cursor, pe.LastTS, tt.wantCursor, tt.wantLastTS)
			}
			if strings.Contains(err.Error(), "xoxb") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestClient_Resume(t *testing.T) {
	_, c := newFake(t, 0)
	rec := &recorder{}
	if err := c.PullFrom(context.Background(), "C01GENERAL", time.Time{}, time.Time{}, "p2", rec); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range rec.Events {
		ids = append(ids, e.ExternalID)
	}
	want := []string{"C01GENERAL:1732111300.000300", "C01GENERAL:1732111200.000200"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("resumed events (-want +got):\n%s", diff)
	}
}

func TestClient_RetryAfterHonoursContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	c := NewClient("t")
	c.BaseURL = srv.URL
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Pull(ctx, "C1", time.Time{}, time.Time{}, &recorder{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s; the wait did not stop with the context", d)
	}
}
