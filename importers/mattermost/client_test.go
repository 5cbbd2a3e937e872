package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// fakeServer behaves like Mattermost's API v4 for one channel: posts newest
// first in pages of per_page, ?before=<id> paging, a posts map that also
// holds thread roots outside the page, /users/ids, and 429s on demand.
type fakeServer struct {
	mu        sync.Mutex
	posts     []apiPost // oldest first
	limit     []http.Header
	requests  []string
	userCalls [][]string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.","status_code":401}`))
		return
	}
	if len(f.limit) > 0 {
		for k, v := range f.limit[0] {
			w.Header()[k] = v
		}
		f.limit = f.limit[1:]
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v4/channels/ch1":
		_, _ = w.Write([]byte(`{"id":"ch1","name":"incident-42","display_name":"Incident 42","team_id":"t1"}`))
	case r.Method == http.MethodGet && r.URL.Path == "/api/v4/channels/ch1/posts":
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		end := len(f.posts)
		if b := r.URL.Query().Get("before"); b != "" {
			for i, p := range f.posts {
				if p.ID == b {
					end = i
				}
			}
		}
		out := postList{Posts: map[string]apiPost{}}
		for i := end - 1; i >= 0 && len(out.Order) < per; i-- {
			p := f.posts[i]
			out.Order = append(out.Order, p.ID)
			out.Posts[p.ID] = p
			if p.RootID != "" { // Mattermost adds the thread's root post
				for _, q := range f.posts {
					if q.ID == p.RootID {
						out.Posts[q.ID] = q
					}
				}
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v4/users/ids":
		var ids []string
		_ = json.NewDecoder(r.Body).Decode(&ids)
		f.userCalls = append(f.userCalls, ids)
		known := map[string]apiUser{
			"u1": {ID: "u1", exportUser: exportUser{Username: "alice", FirstName: "Alice", LastName: "Liddell"}},
			"u2": {ID: "u2", exportUser: exportUser{Username: "bob", Nickname: "Bobby"}},
		}
		var out []apiUser
		for _, id := range ids {
			if u, ok := known[id]; ok {
				out = append(out, u)
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Unable to find the channel."}`))
	}
}

const base = int64(1714557600000) // 2024-05-01T10:00:00Z

func post(id string, minute int64, user, root, msg string) apiPost {
	return apiPost{ID: id, CreateAt: base + minute*60000, UserID: user, RootID: root, Message: msg}
}

func newFake() *fakeServer {
	p2 := post("p2", 2, "u1", "", "primary down")
	p2.ReplyCount = 2
	p4 := post("p4", 4, "u9", "", "")
	p4.Metadata.Files = append(p4.Metadata.Files, struct {
		Name string `json:"name"`
	}{Name: "graph.png"})
	p5 := post("p5", 5, "u1", "", "deleted")
	p5.DeleteAt = base + 6*60000
	p6 := post("p6", 6, "u1", "", "alice joined the channel.")
	p6.Type = "system_join_channel"
	p7 := post("p7", 7, "u2", "", "")
	return &fakeServer{posts: []apiPost{
		post("p1", 1, "u2", "", "before the window"),
		p2,
		post("p3", 3, "u2", "p2", "failing over ✅"),
		p4, p5, p6, p7,
		post("p8", 8, "u1", "p2", "done"),
		post("p9", 20, "u1", "", "after the window"),
	}}
}

func TestClient_Pull(t *testing.T) {
	f := newFake()
	f.limit = []http.Header{{"Retry-After": {"3"}}, {"X-Ratelimit-Reset": {"2"}}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	var waits []time.Duration
	c := NewClient(srv.URL+"/", "tok")
	c.PerPage = 2
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	var r recorder
	if err := c.Pull(context.Background(), "ch1", time.UnixMilli(base+2*60000), time.UnixMilli(base+10*60000), &r); err != nil {
		t.Fatalf("Pull: %v", err)
	}
	meta := func(user string, extra map[string]any) map[string]any {
		m := map[string]any{"channel": "incident-42", "channel_id": "ch1", "channel_display_name": "Incident 42", "user_id": user}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	ev := func(id string, minute int64, actor, body string, kind incident.EventKind, thread, parent string, m map[string]any) incident.TimelineEvent {
		return incident.TimelineEvent{Source: "mattermost", Kind: kind, OccurredAt: at(base + minute*60000), OccurredAtText: strconv.FormatInt(base+minute*60000, 10),
			Actor: actor, Body: body, Link: srv.URL + "/_redirect/pl/" + id, ExternalID: id, ThreadID: thread, ParentID: parent, Metadata: m}
	}
	want := []incident.TimelineEvent{
		ev("p8", 8, "Alice Liddell", "done", incident.KindChat, "p2", "p2", meta("u1", nil)),
		ev("p6", 6, "Alice Liddell", "alice joined the channel.", incident.KindNote, "", "", meta("u1", map[string]any{"system": "system_join_channel"})),
		ev("p4", 4, "unknown user u9", "[attachment: graph.png]", incident.KindChat, "", "", meta("u9", map[string]any{"attachments": []string{"graph.png"}})),
		ev("p3", 3, "Bobby", "failing over ✅", incident.KindChat, "p2", "p2", meta("u2", nil)),
		ev("p2", 2, "Alice Liddell", "primary down", incident.KindChat, "p2", "", meta("u1", nil)),
	}
	if d := cmp.Diff(want, r.Events); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	wantRejects := []importers.Rejection{{File: "channel ch1", Field: "posts.p7.message", Reason: "is empty and there are no files"}}
	if d := cmp.Diff(wantRejects, r.Rejects); d != "" {
		t.Errorf("rejections (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]time.Duration{3 * time.Second, 2 * time.Second}, waits); d != "" {
		t.Errorf("waits (-want +got):\n%s", d)
	}
	wantReq := []string{
		"GET /api/v4/channels/ch1", "GET /api/v4/channels/ch1", "GET /api/v4/channels/ch1",
		"GET /api/v4/channels/ch1/posts?per_page=2",
		"POST /api/v4/users/ids",
		"GET /api/v4/channels/ch1/posts?before=p8&per_page=2",
		"POST /api/v4/users/ids",
		"GET /api/v4/channels/ch1/posts?before=p6&per_page=2",
		"POST /api/v4/users/ids",
		"GET /api/v4/channels/ch1/posts?before=p4&per_page=2",
		"GET /api/v4/channels/ch1/posts?before=p2&per_page=2",
	}
	if d := cmp.Diff(wantReq, f.requests); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	if d := cmp.Diff([][]string{{"u1"}, {"u2"}, {"u9"}}, f.userCalls); d != "" {
		t.Errorf("user lookups (-want +got):\n%s", d)
	}
}

func TestClient_PullErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		token   string
		channel string
		limit   []http.Header
		maxWait time.Duration
		wantErr string
	}{
		{name: "bad token", token: "nope", channel: "ch1", wantErr: "mattermost: GET /api/v4/channels/ch1: 401 Invalid or expired session, please login again."},
		{name: "unknown channel", token: "tok", channel: "zz", wantErr: "mattermost: GET /api/v4/channels/zz: 404 Unable to find the channel."},
		{name: "no channel", token: "tok", wantErr: "mattermost: channel id is required"},
		{name: "rate limited too often", token: "tok", channel: "ch1", limit: []http.Header{{}, {}, {}}, wantErr: "mattermost: GET /api/v4/channels/ch1: still rate limited after 2 retries"},
		{name: "wait too long", token: "tok", channel: "ch1", limit: []http.Header{{"Retry-After": {"3600"}}}, maxWait: time.Minute, wantErr: "mattermost: GET /api/v4/channels/ch1: rate limited for 1h0m0s, longer than 1m0s"},
		{name: "ctx done", ctx: canceled, token: "tok", channel: "ch1", wantErr: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			f.limit = tt.limit
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := NewClient(srv.URL, tt.token)
			c.MaxRetries, c.MaxWait = 2, tt.maxWait
			c.wait = func(context.Context, time.Duration) error { return nil }
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			err := c.Pull(ctx, tt.channel, time.Time{}, time.Time{}, &recorder{})
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "tok") && tt.token == "tok" {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestClient_SleepHonoursCtx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := (&Client{}).sleep(ctx, time.Hour); err != context.DeadlineExceeded {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("sleep ignored ctx")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{name: "seconds", h: http.Header{"Retry-After": {"7"}}, want: 7 * time.Second},
		{name: "http date", h: http.Header{"Retry-After": {"Wed, 01 May 2024 10:00:30 GMT"}}, want: 30 * time.Second},
		{name: "date in the past", h: http.Header{"Retry-After": {"Wed, 01 May 2024 09:00:00 GMT"}}, want: 0},
		{name: "mattermost reset", h: http.Header{"X-Ratelimit-Reset": {"4"}}, want: 4 * time.Second},
		{name: "garbage falls back", h: http.Header{"Retry-After": {"soon"}}, want: time.Second},
		{name: "nothing", h: http.Header{}, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.h, now); got != tt.want {
				t.Errorf("retryAfter = %s, want %s", got, tt.want)
			}
		})
	}
}
