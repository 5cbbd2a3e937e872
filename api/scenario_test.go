package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of the API tests: "today" is 2026-03-10 (UTC).
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// scenario is one request against the real handler and what the answer must
// (and must not) contain. Scenarios of one table run in order and share the
// backend, so later ones can rely on what earlier ones created (ids count up
// from 1 in a fresh backend).
type scenario struct {
	name         string
	method       string
	url          string
	body         string
	headers      map[string]string
	wantStatus   int
	wantContains []string
	notContains  []string
	wantHeaders  map[string]string
}

// run sends the scenario's request to h and checks the answer.
func (sc scenario) run(t *testing.T, h http.Handler) {
	t.Helper()
	var body io.Reader
	if sc.body != "" {
		body = strings.NewReader(sc.body)
	}
	req := httptest.NewRequest(sc.method, sc.url, body)
	if sc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range sc.headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	got := rec.Body.String()
	if rec.Code != sc.wantStatus {
		t.Errorf("%s %s: status = %d, want %d; body: %s", sc.method, sc.url, rec.Code, sc.wantStatus, got)
	}
	for _, w := range sc.wantContains {
		if !strings.Contains(got, w) {
			t.Errorf("%s %s: body does not contain %s; body: %s", sc.method, sc.url, w, got)
		}
	}
	for _, w := range sc.notContains {
		if strings.Contains(got, w) {
			t.Errorf("%s %s: body contains %s; body: %s", sc.method, sc.url, w, got)
		}
	}
	for k, v := range sc.wantHeaders {
		if g := rec.Header().Get(k); g != v {
			t.Errorf("%s %s: header %s = %q, want %q", sc.method, sc.url, k, g, v)
		}
	}
}

// runScenarios runs a table in order, one subtest per scenario.
func runScenarios(t *testing.T, h http.Handler, cases []scenario) {
	t.Helper()
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, h) })
	}
}

// newTestHandler is the API over a fresh backend (see newTestService) with
// the fixed clock.
func newTestHandler(t *testing.T) http.Handler {
	t.Helper()
	return New(Deps{testIdentity: testUser, Service: newTestService(t), Version: "test"})
}

// do sends one request and returns the recorder, for setup steps.
func do(t *testing.T, h http.Handler, method, url, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = bytes.NewBufferString(body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, r))
	return rec
}

// mustDo is do for setup steps that must succeed with want.
func mustDo(t *testing.T, h http.Handler, want int, method, url, body string) string {
	t.Helper()
	rec := do(t, h, method, url, body)
	if rec.Code != want {
		t.Fatalf("setup %s %s: status %d, want %d: %s", method, url, rec.Code, want, rec.Body)
	}
	return rec.Body.String()
}

// decodeTestJSON unmarshals a response body or fails the test.
func decodeTestJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}
