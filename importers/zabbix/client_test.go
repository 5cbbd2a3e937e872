package zabbix

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers/importertest"
)

const testToken = "zbx-secret-token"

// fakeZabbix answers event.get like Zabbix: problems 1001..1005 (1002 and
// 1004 resolved by 2002 and 2004), paged by eventid_from and limit. With
// legacy set it behaves like 6.2 (token only in "auth"); with limited set
// the first call gets a 429.
type fakeZabbix struct {
	mu      sync.Mutex
	legacy  bool
	limited bool
	status  int
	calls   []map[string]any
}

func (f *fakeZabbix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/zabbix/api_jsonrpc.php" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, "<html>Unauthorized</html>")
		return
	}
	if f.limited {
		f.limited = false
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.calls = append(f.calls, req)
	authed := r.Header.Get("Authorization") == "Bearer "+testToken
	if f.legacy {
		authed = req["auth"] == testToken
	} else if _, ok := req["auth"]; ok {
		authed = false
	}
	w.Header().Set("Content-Type", "application/json")
	if !authed {
		fmt.Fprintf(w, `{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params.","data":"Not authorized."},"id":%v}`, req["id"])
		return
	}
	params, _ := req["params"].(map[string]any)
	var out []string
	ev := func(id, clock, value, rid string) string {
		return fmt.Sprintf(`{"eventid":%q,"source":"0","object":"0","objectid":"9%s","clock":%q,"ns":"0","r_eventid":%q,"value":%q,"name":"problem %s","severity":"3","hosts":[{"host":"h%s","name":"host %s"}],"tags":[],"acknowledges":[]}`,
			id, id, clock, rid, value, id, id, id)
	}
	all := map[string]string{}
	for i := 1; i <= 5; i++ {
		id := fmt.Sprint(1000 + i)
		rid := "0"
		if i%2 == 0 {
			rid = fmt.Sprint(2000 + i)
			all[rid] = ev(rid, fmt.Sprint(1705321845+i*60+30), "0", "0")
		}
		all[id] = ev(id, fmt.Sprint(1705321845+i*60), "1", rid)
	}
	if ids, ok := params["eventids"].([]any); ok {
		for _, id := range ids {
			if e, ok := all[fmt.Sprint(id)]; ok {
				out = append(out, e)
			}
		}
	} else {
		from := "0"
		if s, ok := params["eventid_from"].(string); ok {
			from = s
		}
		limit := int(params["limit"].(float64))
		for i := 1; i <= 5 && len(out) < limit; i++ {
			id := fmt.Sprint(1000 + i)
			if id >= from {
				out = append(out, all[id])
			}
		}
	}
	fmt.Fprintf(w, `{"jsonrpc":"2.0","result":[%s],"id":%v}`, strings.Join(out, ","), req["id"])
}

func newTestClient(t *testing.T, f *fakeZabbix) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL+"/zabbix/", testToken)
	c.PageSize = 2
	var waits []time.Duration
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits
}

func TestClient_PullWindow(t *testing.T) {
	f := &fakeZabbix{limited: true}
	c, waits := newTestClient(t, f)
	from := time.Unix(1705321800, 0)
	to := time.Unix(1705330000, 0)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), nil, &from, &to, &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range r.Events {
		got = append(got, e.ThreadID+" "+e.Metadata["subtype"].(string)+" "+e.OccurredAt.Format("15:04:05"))
	}
	want := "1001 trigger 12:31:45,1002 trigger 12:32:45,1002 resolve 12:33:15,1003 trigger 12:33:45,1004 trigger 12:34:45,1004 resolve 12:35:15,1005 trigger 12:35:45"
	if strings.Join(got, ",") != want {
		t.Errorf("events = %v\nwant %s", got, want)
	}
	if len(*waits) != 1 || (*waits)[0] != time.Second {
		t.Errorf("waits = %v", *waits)
	}
	// Three pages (2+2+1) and one call for the recovery events.
	if len(f.calls) != 4 {
		t.Fatalf("calls = %d", len(f.calls))
	}
	p0 := f.calls[0]["params"].(map[string]any)
	if p0["problem_time_from"].(float64) != 1705321800 || p0["problem_time_till"].(float64) != 1705330000 || p0["value"].(float64) != 1 || p0["selectAcknowledges"] != "extend" {
		t.Errorf("first call params = %v", p0)
	}
	if p1 := f.calls[1]["params"].(map[string]any); p1["eventid_from"] != "1003" {
		t.Errorf("second page params = %v", p1)
	}
	if p3 := f.calls[3]["params"].(map[string]any); fmt.Sprint(p3["eventids"]) != "[2002 2004]" {
		t.Errorf("recovery call params = %v", p3)
	}
	if r.Events[0].Link != c.BaseURL+"tr_events.php?triggerid=91001&eventid=1001" && !strings.HasSuffix(r.Events[0].Link, "/zabbix/tr_events.php?triggerid=91001&eventid=1001") {
		t.Errorf("link = %q", r.Events[0].Link)
	}
}

func TestClient_PullIDsLegacyAuth(t *testing.T) {
	f := &fakeZabbix{legacy: true}
	c, _ := newTestClient(t, f)
	var r importertest.Recorder
	if err := c.Pull(context.Background(), []string{"1004"}, nil, nil, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 2 || r.Events[1].Metadata["subtype"] != "resolve" {
		t.Fatalf("events = %+v", r.Events)
	}
	// header (refused), body; then the recovery call goes straight to body.
	if len(f.calls) != 3 || f.calls[0]["auth"] != nil || f.calls[1]["auth"] != testToken || f.calls[2]["auth"] != testToken {
		t.Errorf("calls = %v", f.calls)
	}
}

func TestClient_Errors(t *testing.T) {
	tests := []struct {
		name  string
		f     *fakeZabbix
		token string
		mode  string
		want  string
	}{
		{name: "wrong token", f: &fakeZabbix{}, token: "wrong", want: "zabbix: event.get: Zabbix API error -32602: Invalid params: Not authorized."},
		{name: "header only on an old server", f: &fakeZabbix{legacy: true}, token: testToken, mode: "header", want: "Not authorized"},
		{name: "http 401 from a proxy", f: &fakeZabbix{status: http.StatusUnauthorized}, token: testToken, want: "zabbix: event.get: HTTP 401 Unauthorized: <html>Unauthorized</html>"},
		{name: "bad auth mode", f: &fakeZabbix{}, token: testToken, mode: "cookie", want: `auth mode "cookie"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, tt.f)
			c.Token, c.AuthMode = tt.token, tt.mode
			var r importertest.Recorder
			err := c.Pull(context.Background(), []string{"1001"}, nil, nil, &r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("token in error: %v", err)
			}
		})
	}
	c := NewClient("", testToken)
	if err := c.Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil {
		t.Error("no base URL: no error")
	}
}
