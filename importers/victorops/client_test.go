package victorops

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

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
)

const (
	apiID  = "vo-api-id"
	apiKey = "vo-secret-key-123"
)

// fakeAPI behaves like Splunk On-Call's reporting API: it checks the
// X-VO-Api-Id/Key headers (403 with {"message":…} otherwise), filters by
// incidentNumber and startedAfter/startedBefore, pages with offset/limit
// and reports total, serves only resolved incidents unless currentPhase
// asks for more, and answers 429 with Retry-After when told to.
type fakeAPI struct {
	mu       sync.Mutex
	limited  int // 429s still to send
	requests []string
}

func fakeIncident(n int, start time.Time, phase string) map[string]any {
	inc := map[string]any{
		"incidentNumber": strconv.Itoa(n), "startTime": start.Format(time.RFC3339), "currentPhase": phase,
		"entityId": fmt.Sprintf("svc-%d", n), "entityDisplayName": fmt.Sprintf("Service %d down", n), "alertCount": 1,
		"incidentLink": fmt.Sprintf("https://portal.victorops.com/ui/acme/incident/%d/details", n),
		"transitions":  []map[string]any{{"name": "ACKED", "at": start.Add(2 * time.Minute).Format(time.RFC3339), "by": "jdoe", "manually": true}},
	}
	return inc
}

var fakeIncidents = []map[string]any{
	fakeIncident(1, time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), "RESOLVED"),
	fakeIncident(2, time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC), "RESOLVED"),
	fakeIncident(3, time.Date(2026, 3, 1, 10, 20, 0, 0, time.UTC), "ACKED"),
	fakeIncident(4, time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), "UNACKED"),
	fakeIncident(5, time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC), "RESOLVED"),
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.RequestURI())
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("X-VO-Api-Id") != apiID || r.Header.Get("X-VO-Api-Key") != apiKey {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"Authentication failed for api key ` + r.Header.Get("X-VO-Api-Key") + `"}`))
		return
	}
	if r.URL.Path != "/api-reporting/v2/incidents" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if f.limited > 0 {
		f.limited--
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"message":"rate limit"}`))
		return
	}
	q := r.URL.Query()
	phases := strings.ToLower(q.Get("currentPhase"))
	if phases == "" {
		phases = "resolved"
	}
	after, _ := time.Parse(time.RFC3339, q.Get("startedAfter"))
	before, _ := time.Parse(time.RFC3339, q.Get("startedBefore"))
	nums := map[string]bool{}
	for _, n := range strings.Split(q.Get("incidentNumber"), ",") {
		if n != "" {
			nums[n] = true
		}
	}
	var match []map[string]any
	for _, inc := range fakeIncidents {
		start, _ := time.Parse(time.RFC3339, inc["startTime"].(string))
		phase := map[string]string{"RESOLVED": "resolved", "ACKED": "acknowledged", "UNACKED": "triggered"}[inc["currentPhase"].(string)]
		switch {
		case !strings.Contains(phases, phase),
			len(nums) > 0 && !nums[inc["incidentNumber"].(string)],
			!after.IsZero() && start.Before(after),
			!before.IsZero() && start.After(before):
			continue
		}
		match = append(match, inc)
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	page := []map[string]any{}
	for i := offset; i < len(match) && i < offset+limit; i++ {
		page = append(page, match[i])
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"offset": offset, "limit": limit, "total": len(match), "incidents": page})
}

func newTestClient(url string) (*Client, *[]time.Duration) {
	c := NewClient(url, apiID, apiKey)
	c.PerPage = 2
	var waits []time.Duration
	c.wait = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return c, &waits
}

func TestClient_Pull(t *testing.T) {
	from, to := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		ids       []string
		limited   int
		key       string
		wantNums  []string // incident numbers of the trigger events, in order
		wantWaits []time.Duration
		wantReqs  []string
		wantErr   string
	}{
		{name: "window, two pages, every phase", wantNums: []string{"1", "2", "3", "4"},
			wantReqs: []string{
				"/api-reporting/v2/incidents?currentPhase=triggered%2Cacknowledged%2Cresolved&limit=2&offset=0&startedAfter=2026-03-01T09%3A00%3A00Z&startedBefore=2026-03-01T13%3A00%3A00Z",
				"/api-reporting/v2/incidents?currentPhase=triggered%2Cacknowledged%2Cresolved&limit=2&offset=2&startedAfter=2026-03-01T09%3A00%3A00Z&startedBefore=2026-03-01T13%3A00%3A00Z",
			}},
		{name: "by incident numbers", ids: []string{"#2", " 5 "}, wantNums: []string{"2", "5"},
			wantReqs: []string{"/api-reporting/v2/incidents?currentPhase=triggered%2Cacknowledged%2Cresolved&incidentNumber=2%2C5&limit=2&offset=0"}},
		{name: "rate limited, then served", ids: []string{"3"}, limited: 2, wantNums: []string{"3"}, wantWaits: []time.Duration{7 * time.Second, 7 * time.Second}},
		{name: "rate limited too often", ids: []string{"3"}, limited: 10, wantErr: "victorops: GET /api-reporting/v2/incidents: still rate limited after 5 retries"},
		{name: "bad key", key: "wrong-key-999", wantErr: "victorops: GET /api-reporting/v2/incidents: 403 Authentication failed for api key [redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{limited: tt.limited}
			srv := httptest.NewServer(api)
			defer srv.Close()
			c, waits := newTestClient(srv.URL + "/")
			if tt.key != "" {
				c.APIKey = tt.key
			}
			var r importertest.Recorder
			err := c.Pull(context.Background(), tt.ids, &from, &to, &r)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), c.APIKey) {
					t.Errorf("the key is in the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var nums []string
			for _, e := range r.Events {
				checkValid(t, e)
				if e.Metadata["subtype"] == "trigger" {
					nums = append(nums, e.Metadata["incident_number"].(string))
				}
			}
			if fmt.Sprint(nums) != fmt.Sprint(tt.wantNums) || len(r.Events) != 2*len(tt.wantNums) {
				t.Errorf("triggers of %v in %d events, want %v", nums, len(r.Events), tt.wantNums)
			}
			if fmt.Sprint(*waits) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits = %v, want %v", *waits, tt.wantWaits)
			}
			if tt.wantReqs != nil && fmt.Sprint(api.requests) != fmt.Sprint(tt.wantReqs) {
				t.Errorf("requests = %v\nwant %v", api.requests, tt.wantReqs)
			}
		})
	}
}

// TestClient_PullSameAsFile: a pulled incident gives the events of the
// same API answer imported as a file, so the two dedupe.
func TestClient_PullSameAsFile(t *testing.T) {
	srv := httptest.NewServer(&fakeAPI{})
	defer srv.Close()
	c, _ := newTestClient(srv.URL)
	var pulled importertest.Recorder
	if err := c.Pull(context.Background(), []string{"2"}, nil, nil, &pulled); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"incidents": []map[string]any{fakeIncidents[1]}})
	var file importertest.Recorder
	if err := New().Parse(context.Background(), importertest.StringInput("incidents.json", string(body)), importers.Options{}, &file); err != nil {
		t.Fatal(err)
	}
	if len(pulled.Events) != 2 || len(file.Events) != 2 {
		t.Fatalf("pulled %d, file %d events", len(pulled.Events), len(file.Events))
	}
	for i := range pulled.Events {
		if pulled.Events[i].ExternalID != file.Events[i].ExternalID || pulled.Events[i].Body != file.Events[i].Body {
			t.Errorf("event %d: pulled %+v\nfile %+v", i, pulled.Events[i], file.Events[i])
		}
	}
}

func TestClient_Errors(t *testing.T) {
	if err := NewClient("", apiID, apiKey).Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil || !strings.Contains(err.Error(), "API URL") {
		t.Errorf("err = %v", err)
	}
	if err := NewClient("http://x", apiID, "").Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil || !strings.Contains(err.Error(), "API id and key") {
		t.Errorf("err = %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c, _ := newTestClient(srv.URL)
	if err := c.Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil || !strings.Contains(err.Error(), "rate limited for 10m0s, longer than 2m0s") {
		t.Errorf("err = %v", err)
	}
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("upstream exploded"))
	}))
	defer srv2.Close()
	c, _ = newTestClient(srv2.URL)
	if err := c.Pull(context.Background(), nil, nil, nil, &importertest.Recorder{}); err == nil || err.Error() != "victorops: GET /api-reporting/v2/incidents: 500 upstream exploded" {
		t.Errorf("err = %v", err)
	}
}
