package opsgenie

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

const ogKey = "og-genie-key-123"

// fakeOG behaves like OpsGenie's Alert API v2: GenieKey auth, alerts by id
// or tiny id, an alert list paged by offset with a createdAt query, logs
// paged by an opaque offset in paging.next, OpsGenie's error bodies, and
// 429s on demand.
type fakeOG struct {
	mu       sync.Mutex
	alerts   []map[string]any
	logs     map[string][]map[string]any
	limited  int // 429s still to answer
	always   bool
	requests []string
}

func newFakeOG() *fakeOG {
	mk := func(id, tiny, m string, minute int, tags ...string) map[string]any {
		return map[string]any{"id": id, "tinyId": tiny, "message": m, "status": "open", "tags": tags, "priority": "P2", "entity": "web-1",
			"createdAt": time.Date(2026, 3, 1, 10, minute, 0, 0, time.UTC).Format(time.RFC3339Nano), "source": "Datadog"}
	}
	log := func(text string, minute int) map[string]any {
		at := time.Date(2026, 3, 1, 10, minute, 0, 0, time.UTC)
		return map[string]any{"log": text, "type": "system", "owner": "ana@example.com", "createdAt": at.Format(time.RFC3339Nano), "offset": strconv.FormatInt(at.UnixMilli(), 10) + "_x"}
	}
	return &fakeOG{
		alerts: []map[string]any{mk("A1", "11", "API down", 5, "hindsight:INC-1"), mk("A2", "12", "DB slow", 20), mk("A3", "13", "later", 50)},
		logs: map[string][]map[string]any{
			"A1": {log("Alert created via API", 5), log("Alert acknowledged via web", 6), log("Note added: restarting", 7), log("Alert closed via web", 9)},
		},
	}
}

func (f *fakeOG) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "GenieKey "+ogKey {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Could not authenticate","took":0.0,"requestId":"r"}`)
		return
	}
	if f.limited > 0 || f.always {
		f.limited--
		w.Header().Set("X-RateLimit-State", "THROTTLED")
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"You are making too many requests! To avoid errors, we recommend you limit requests.","took":0.0}`)
		return
	}
	q := r.URL.Query()
	find := func(id, typ string) map[string]any {
		for _, a := range f.alerts {
			if (typ == "tiny" && a["tinyId"] == id) || (typ == "id" && a["id"] == id) {
				return a
			}
		}
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v2/alerts"), "/")
	switch {
	case r.URL.Path == "/v2/alerts":
		var from, to int64 = 0, 1 << 62
		for _, c := range strings.Split(q.Get("query"), " AND ") {
			if v, ok := strings.CutPrefix(c, "createdAt>="); ok {
				from, _ = strconv.ParseInt(v, 10, 64)
			}
			if v, ok := strings.CutPrefix(c, "createdAt<="); ok {
				to, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		var match []map[string]any
		for _, a := range f.alerts {
			t, _ := time.Parse(time.RFC3339Nano, a["createdAt"].(string))
			if t.UnixMilli() >= from && t.UnixMilli() <= to {
				match = append(match, a)
			}
		}
		off, _ := strconv.Atoi(q.Get("offset"))
		lim, _ := strconv.Atoi(q.Get("limit"))
		end := min(off+lim, len(match))
		page := map[string]any{"data": match[min(off, end):end]}
		if end < len(match) {
			page["paging"] = map[string]any{"next": "https://api.opsgenie.com/v2/alerts?offset=" + strconv.Itoa(end)}
		}
		_ = json.NewEncoder(w).Encode(page)
	case len(parts) == 2:
		a := find(parts[1], q.Get("identifierType"))
		if a == nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Alert does not exist","took":0.002,"requestId":"r"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": a, "took": 0.01})
	case len(parts) == 3 && parts[2] == "logs":
		logs := f.logs[parts[1]]
		// Pages of limit, joined by the offset of the last log sent.
		start := 0
		if off := q.Get("offset"); off != "" {
			for i, l := range logs {
				if l["offset"] == off {
					start = i + 1
				}
			}
		}
		lim, _ := strconv.Atoi(q.Get("limit"))
		end := min(start+lim, len(logs))
		page := map[string]any{"data": logs[start:end]}
		if end < len(logs) {
			page["paging"] = map[string]any{"next": "https://elsewhere.example.com/v2/alerts/" + parts[1] + "/logs?identifierType=id&offset=" + logs[end-1]["offset"].(string) + "&order=asc&direction=next&limit=" + strconv.Itoa(lim)}
		}
		_ = json.NewEncoder(w).Encode(page)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not found"}`)
	}
}

func testClient(t *testing.T, f *fakeOG, key string) (*Client, *[]time.Duration) {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL, key)
	c.Limit = 2
	var waits []time.Duration
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits
}

func TestClient_PullByID(t *testing.T) {
	f := newFakeOG()
	f.limited = 1
	c, waits := testClient(t, f, ogKey)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), []string{"A1", "12"}, nil, nil, &r); err != nil {
		t.Fatal(err)
	}
	type ev struct{ Thread, At, Subtype, Ref string }
	var got []ev
	for _, e := range r.Events {
		ref, _ := e.Metadata["incident"].(string)
		got = append(got, ev{e.ThreadID, e.OccurredAt.Format("15:04"), e.Metadata["subtype"].(string), ref})
	}
	want := []ev{
		{"A1", "10:05", "trigger", "INC-1"}, {"A1", "10:06", "acknowledge", "INC-1"}, {"A1", "10:07", "note", "INC-1"}, {"A1", "10:09", "resolve", "INC-1"},
		{"A2", "10:20", "trigger", ""}, // no logs: the alert's own creation
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if r.Events[0].ExternalID != createID("A1") {
		t.Error("the creation log lacks the Create key")
	}
	if d := cmp.Diff([]time.Duration{2 * time.Second}, *waits); d != "" {
		t.Errorf("waits (-want +got):\n%s", d)
	}
	for _, req := range f.requests {
		if strings.Contains(req, "/v2/alerts/12?") && !strings.Contains(req, "identifierType=tiny") {
			t.Errorf("tiny id asked as %s", req)
		}
	}
	if len(r.Rejects) != 0 {
		t.Errorf("rejects %v", r.Rejects)
	}
}

func TestClient_PullWindow(t *testing.T) {
	f := newFakeOG()
	c, _ := testClient(t, f, ogKey)
	c.Limit = 1
	from, to := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), nil, &from, &to, &r); err != nil {
		t.Fatal(err)
	}
	threads := map[string]int{}
	for _, e := range r.Events {
		threads[e.ThreadID]++
	}
	if d := cmp.Diff(map[string]int{"A1": 4, "A2": 1}, threads); d != "" {
		t.Errorf("events per alert (-want +got):\n%s", d)
	}
	if !strings.Contains(f.requests[0], "query=createdAt%3E%3D1772359200000+AND+createdAt%3C%3D1772361000000") {
		t.Errorf("list request = %s", f.requests[0])
	}
}

func TestClient_Errors(t *testing.T) {
	tests := []struct {
		name, key string
		ids       []string
		always    bool
		want      string
	}{
		{name: "bad key", key: "wrong-key-999", ids: []string{"A1"}, want: "GET /v2/alerts/A1: 401 Could not authenticate: the API key was refused"},
		{name: "unknown alert", key: ogKey, ids: []string{"NOPE"}, want: "404 Alert does not exist: alert NOPE not found"},
		{name: "rate limited for good", key: ogKey, ids: []string{"A1"}, always: true, want: "still rate limited after 5 retries"},
		{name: "empty id", key: ogKey, ids: []string{""}, want: "alert id must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOG()
			f.always = tt.always
			c, _ := testClient(t, f, tt.key)
			var r importertest.Recorder
			err := c.Pull(context.Background(), tt.ids, nil, nil, &r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.key) {
				t.Errorf("the key is in the error: %v", err)
			}
		})
	}
}

func TestClient_AppURL(t *testing.T) {
	if got := NewClient("https://api.eu.opsgenie.com", "k").appURL(); got != "https://app.eu.opsgenie.com" {
		t.Errorf("EU app URL = %s", got)
	}
	if got := NewClient("https://api.opsgenie.com", "k").appURL(); got != DefaultAppURL {
		t.Errorf("app URL = %s", got)
	}
	_ = importers.SubtypeOther
}
