package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

const pdKey = "pd-rest-key-123"

// fakePD behaves like PagerDuty's REST API for log entries: token auth,
// newest-first lists paged by offset/limit/more, incidents expanded on
// include[]=incidents, since/until on /log_entries, PagerDuty's error
// bodies, and 429s with Retry-After on demand.
type fakePD struct {
	mu       sync.Mutex
	entries  map[string][]map[string]any // by incident id, newest first
	limited  map[int]string              // offset → Retry-After of one 429
	always   bool                        // every request is rate limited
	requests []string
}

func entry(id, typ, inc string, minute int, extra map[string]any) map[string]any {
	e := map[string]any{
		"id": id, "type": typ, "summary": typ + " " + id,
		"created_at": time.Date(2026, 3, 1, 10, minute, 0, 0, time.UTC).Format(time.RFC3339),
		"agent":      map[string]any{"id": "PU1", "type": "user_reference", "summary": "Ana Lima"},
		"service":    map[string]any{"id": "PS1", "type": "service_reference", "summary": "Checkout API"},
		"incident":   map[string]any{"id": inc, "type": "incident_reference", "summary": "[#7] Checkout down", "html_url": "https://acme.pagerduty.com/incidents/" + inc},
	}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

func newFakePD() *fakePD {
	return &fakePD{limited: map[int]string{}, entries: map[string][]map[string]any{
		"Q1": {
			entry("L5", "resolve_log_entry", "Q1", 50, nil),
			entry("L4", "annotate_log_entry", "Q1", 40, map[string]any{"channel": map[string]any{"type": "note", "summary": "rolled back"}}),
			entry("L3", "acknowledge_log_entry", "Q1", 30, nil),
			entry("L2", "notify_log_entry", "Q1", 20, map[string]any{"user": map[string]any{"summary": "Ana Lima"}}),
			entry("L1", "trigger_log_entry", "Q1", 10, map[string]any{"channel": map[string]any{"type": "api", "summary": "Checkout down", "details": map[string]any{"hindsight_incident": "INC-1"}}}),
		},
		"Q2": {
			entry("M2", "resolve_log_entry", "Q2", 55, nil),
			{"id": "M1", "type": "trigger_log_entry", "created_at": "not a time"},
		},
	}}
}

func (f *fakePD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Token token="+pdKey || r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"Unauthorized","code":2006}}`)
		return
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if ra, ok := f.limited[offset]; ok || f.always {
		delete(f.limited, offset)
		w.Header().Set("Retry-After", ra)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"message":"Rate Limit Exceeded","code":2020}}`)
		return
	}
	if q.Get("is_overview") != "false" || strings.Join(q["include[]"], ",") != "channels,incidents" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["want is_overview=false and includes"]}}`)
		return
	}
	var list []map[string]any
	switch {
	case r.URL.Path == "/log_entries":
		since, _ := time.Parse(time.RFC3339, q.Get("since"))
		until, _ := time.Parse(time.RFC3339, q.Get("until"))
		for _, id := range []string{"Q2", "Q1"} {
			for _, e := range f.entries[id] {
				at, err := time.Parse(time.RFC3339, e["created_at"].(string))
				if err == nil && !at.Before(since) && !at.After(until) {
					list = append(list, e)
				}
			}
		}
	case strings.HasPrefix(r.URL.Path, "/incidents/") && strings.HasSuffix(r.URL.Path, "/log_entries"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/incidents/"), "/log_entries")
		if id == "SECRET" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"message":"Access Denied","code":2010}}`)
			return
		}
		var ok bool
		if list, ok = f.entries[id]; !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"message":"Not Found","code":2100}}`)
			return
		}
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"message":"Not Found","code":2100}}`)
		return
	}
	end := min(offset+limit, len(list))
	page := []map[string]any{}
	if offset < len(list) {
		page = list[offset:end]
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"log_entries": page, "limit": limit, "offset": offset, "more": end < len(list)})
}

func testClient(t *testing.T, f *fakePD, key string) (*Client, *[]time.Duration) {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL, key)
	c.Limit = 2
	var waits []time.Duration
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits
}

func TestClient_PullByIncident(t *testing.T) {
	f := newFakePD()
	f.limited[2] = "2"
	c, waits := testClient(t, f, pdKey)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), []string{"Q1", "Q2"}, nil, nil, &r); err != nil {
		t.Fatal(err)
	}
	type ev struct{ ID, At, Subtype, Ref, Title string }
	var got []ev
	for _, e := range r.Events {
		got = append(got, ev{e.ExternalID, e.OccurredAt.Format("15:04"), e.Metadata["subtype"].(string), str(e.Metadata["incident"]), str(e.Metadata["title"])})
	}
	want := []ev{
		{"L5", "10:50", "resolve", "INC-1", "Checkout down"},
		{"L4", "10:40", "note", "INC-1", "Checkout down"},
		{"L3", "10:30", "acknowledge", "INC-1", "Checkout down"},
		{"L2", "10:20", "other", "INC-1", "Checkout down"},
		{"L1", "10:10", "trigger", "INC-1", "Checkout down"},
		{"M2", "10:55", "resolve", "", "Checkout down"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	wantRej := []importers.Rejection{{File: "incident Q2", Line: 2, Field: "log_entries[1].created_at", Reason: `timestamp "not a time" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`}}
	if d := cmp.Diff(wantRej, r.Rejects); d != "" {
		t.Errorf("rejects (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]time.Duration{2 * time.Second}, *waits); d != "" {
		t.Errorf("waits (-want +got):\n%s", d)
	}
	// Q1: pages at 0, 2 (429 then again), 4; Q2: one page.
	if len(f.requests) != 5 {
		t.Errorf("requests = %v", f.requests)
	}
}

func TestClient_PullWindow(t *testing.T) {
	f := newFakePD()
	c, _ := testClient(t, f, pdKey)
	from, to := time.Date(2026, 3, 1, 10, 25, 0, 0, time.UTC), time.Date(2026, 3, 1, 10, 55, 0, 0, time.UTC)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), nil, &from, &to, &r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range r.Events {
		ids = append(ids, e.ExternalID)
	}
	if d := cmp.Diff([]string{"M2", "L5", "L4", "L3"}, ids); d != "" {
		t.Errorf("ids (-want +got):\n%s", d)
	}
	if !strings.Contains(f.requests[0], "since=2026-03-01T10%3A25%3A00Z") || !strings.Contains(f.requests[0], "until=2026-03-01T10%3A55%3A00Z") {
		t.Errorf("first request = %s", f.requests[0])
	}
}

func TestClient_Errors(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		ids    []string
		always bool
		want   string
	}{
		{name: "bad key", key: "wrong-key-999", ids: []string{"Q1"}, want: "GET /incidents/Q1/log_entries: 401 Unauthorized: the API key was refused"},
		{name: "unknown incident", key: pdKey, ids: []string{"NOPE"}, want: "404 Not Found: incident NOPE not found"},
		{name: "forbidden", key: pdKey, ids: []string{"SECRET"}, want: "403 Access Denied: the API key may not read incident SECRET"},
		{name: "rate limited for good", key: pdKey, ids: []string{"Q1"}, always: true, want: "still rate limited after 5 retries"},
		{name: "empty id", key: pdKey, ids: []string{" "}, want: "incident id must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePD()
			f.always = tt.always
			c, waits := testClient(t, f, tt.key)
			c.MaxWait = 30 * time.Second
			f.limited[0] = "3600"
			var r importertest.Recorder
			err := c.Pull(context.Background(), tt.ids, nil, nil, &r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.key) {
				t.Errorf("the key is in the error: %v", err)
			}
			for _, w := range *waits {
				if w > c.MaxWait {
					t.Errorf("waited %s, more than the cap", w)
				}
			}
		})
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
