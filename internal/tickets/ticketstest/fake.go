// Package ticketstest runs fake trackers (Jira, Redmine, Bugzilla,
// MantisBT, GitHub) on httptest servers for tests: each checks the
// credentials and speaks its vendor's JSON (the shapes of their REST API
// documentation), keeps the tickets it was given, and lets a test close
// or reopen them, or make the next answers fail.
package ticketstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Issue is a ticket a fake holds.
type Issue struct {
	Key         string
	Title       string
	Description string
	Labels      []string
	// Fields is the create request's body as the fake received it.
	Fields map[string]any
	// Status is the vendor's status name.
	Status string
	// Closed, Resolution and ClosedAt are set by Close.
	Closed     bool
	Resolution string
	ClosedAt   time.Time
}

// Fake is one fake tracker.
type Fake struct {
	// Server is the running fake; its URL is the tracker's base URL.
	Server *httptest.Server
	// User and Secret are the credentials the fake accepts (User only for Jira).
	User, Secret string

	mu      sync.Mutex
	issues  map[string]*Issue
	order   []string
	next    int
	fail    int
	failMsg string
	// Requests counts the requests answered, by "METHOD path".
	requests map[string]int
	// Legacy makes the Redmine fake answer like Redmine before 5.1: no
	// status.is_closed in issues (only in /issue_statuses.json).
	Legacy bool
}

func newFake(t testing.TB, user, secret string, mux func(f *Fake) http.Handler) *Fake {
	f := &Fake{User: user, Secret: secret, issues: map[string]*Issue{}, requests: map[string]int{}}
	h := mux(f)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests[r.Method+" "+r.URL.Path]++
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Server.Close)
	return f
}

// URL is the fake's base URL.
func (f *Fake) URL() string { return f.Server.URL }

// Issues returns copies of the tickets created, in order.
func (f *Fake) Issues() []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Issue, 0, len(f.order))
	for _, k := range f.order {
		out = append(out, *f.issues[k])
	}
	return out
}

// Issue returns the ticket with that key.
func (f *Fake) Issue(key string) (Issue, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is, ok := f.issues[key]
	if !ok {
		return Issue{}, false
	}
	return *is, true
}

// Requests is how many requests "METHOD path" the fake answered.
func (f *Fake) Requests(methodPath string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[methodPath]
}

// Add puts a ticket into the fake (as if filed there by a person) and
// returns its key.
func (f *Fake) Add(title, status string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.add(&Issue{Title: title, Status: status}, "")
}

// add stores is under the next key (prefix + number); call with mu held.
func (f *Fake) add(is *Issue, prefix string) string {
	f.next++
	is.Key = prefix + strconv.Itoa(f.next)
	f.issues[is.Key] = is
	f.order = append(f.order, is.Key)
	return is.Key
}

// Close closes the ticket with the given status name and resolution, at at.
func (f *Fake) Close(key, status, resolution string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if is, ok := f.issues[key]; ok {
		is.Closed, is.Status, is.Resolution, is.ClosedAt = true, status, resolution, at.UTC()
	}
}

// Reopen opens a closed ticket again with the given status name.
func (f *Fake) Reopen(key, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if is, ok := f.issues[key]; ok {
		is.Closed, is.Status, is.Resolution, is.ClosedAt = false, status, "", time.Time{}
	}
}

// FailNext makes the next n requests fail with a 500 whose body carries msg
// in the vendor's error shape.
func (f *Fake) FailNext(n int, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.failMsg = n, msg
}

// failing reports whether this request is to fail, counting it down.
func (f *Fake) failing() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail <= 0 {
		return "", false
	}
	f.fail--
	return f.failMsg, true
}

func (f *Fake) get(key string) (Issue, bool) { return f.Issue(key) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decode(r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}
