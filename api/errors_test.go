package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// panicService panics on every read of an incident, with a message that
// must never reach the client.
type panicService struct{ Service }

func (panicService) Incident(context.Context, string) (incident.Incident, error) {
	panic("secret: postgres://admin:hunter2@db")
}

// failingService fails with internals that must never reach the client.
type failingService struct{ Service }

func (failingService) Incidents(context.Context, incident.IncidentFilter) (incident.Page[incident.Incident], error) {
	return incident.Page[incident.Incident]{}, errors.New(`pq: relation "incidents" does not exist`)
}

func (failingService) Ping(context.Context) error {
	return errors.New("dial tcp 10.0.0.7:5432: refused")
}

func TestAPI_Errors(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	// Only the overridden methods are reached; the embedded Service is nil.
	h := New(Deps{testIdentity: testUser, Service: panicService{failingService{}}, Logger: log})
	runScenarios(t, h, []scenario{
		{
			name: "panic becomes 500 with request id", method: "GET", url: "/api/v1/incidents/INC-1",
			headers:    map[string]string{HeaderRequestID: "req-panic-1"},
			wantStatus: http.StatusInternalServerError,
			wantContains: []string{`"code":"internal_error"`, `"message":"internal error (request id req-panic-1)"`,
				`"request_id":"req-panic-1"`},
			notContains: []string{"hunter2", "secret", "goroutine"},
			wantHeaders: map[string]string{HeaderRequestID: "req-panic-1"},
		},
		{
			name: "error becomes 500 without internals", method: "GET", url: "/api/v1/incidents",
			wantStatus: http.StatusInternalServerError, wantContains: []string{`"code":"internal_error"`},
			notContains: []string{"pq:", "relation"},
		},
		{
			name: "readyz when the database is down", method: "GET", url: "/readyz",
			wantStatus:   http.StatusServiceUnavailable,
			wantContains: []string{`"status":"unavailable"`, `"code":"database_unavailable"`},
			notContains:  []string{"10.0.0.7"},
		},
		{
			name: "healthz when the database is down", method: "GET", url: "/api/v1/healthz",
			wantStatus: http.StatusOK, wantContains: []string{`"status":"ok"`},
		},
		{
			name: "unknown route", method: "GET", url: "/api/v1/nope",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"route_not_found"`, `"request_id":"`},
		},
		{
			name: "trailing slash is not redirected", method: "GET", url: "/api/v1/incidents/",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"route_not_found"`},
		},
		{
			name: "wrong method", method: "PUT", url: "/api/v1/incidents",
			wantStatus: http.StatusMethodNotAllowed, wantContains: []string{`"code":"method_not_allowed"`},
			wantHeaders: map[string]string{"Allow": "GET, POST"},
		},
	})

	t.Run("panic is logged with its stack", func(t *testing.T) {
		out := logs.String()
		for _, want := range []string{`"msg":"Panic in handler"`, `"request_id":"req-panic-1"`, `hunter2`, `"stack":"goroutine`} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %s:\n%s", want, out)
			}
		}
	})
	t.Run("internal error is logged", func(t *testing.T) {
		if !strings.Contains(logs.String(), `relation \"incidents\" does not exist`) {
			t.Errorf("log lacks the cause:\n%s", logs.String())
		}
	})
	t.Run("generated request id", func(t *testing.T) {
		for _, incoming := range []string{"", "bad id\twith spaces", strings.Repeat("x", 129)} {
			req := httptest.NewRequest("GET", "/healthz", nil)
			req.Header.Set(HeaderRequestID, incoming)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if id := rec.Header().Get(HeaderRequestID); id == incoming || !requestIDRe.MatchString(id) || len(id) < 16 {
				t.Errorf("incoming %q: request id %q", incoming, id)
			}
		}
	})
}

func TestAPI_AccessLog(t *testing.T) {
	var logs bytes.Buffer
	h := New(Deps{testIdentity: testUser, Service: newTestService(t), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	req := httptest.NewRequest("GET", "/api/v1/incidents/INC-7?x=1", nil)
	req.Header.Set(HeaderRequestID, "log-1")
	h.ServeHTTP(httptest.NewRecorder(), req)

	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", logs.String(), err)
	}
	for k, want := range map[string]any{
		"msg": "HTTP request", "method": "GET", "path": "/api/v1/incidents/INC-7",
		"status": float64(404), "request_id": "log-1",
	} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing: %v", line)
	}
}

// TestAPI_RenderError checks the mapping of errors to statuses and bodies.
func TestAPI_RenderError(t *testing.T) {
	s := &server{log: slog.New(slog.DiscardHandler), svc: newTestService(t)}
	cur := incident.Incident{ID: 3, Key: "INC-3", Title: "now", Version: 5}
	cases := []struct {
		name       string
		err        error
		wantStatus int
		want       string
	}{
		{"validation", incident.Invalid("title", "is required"), 422,
			`{"error":{"code":"validation_failed","message":"invalid input: title: is required","fields":{"title":"is required"},"request_id":"r1"}}`},
		{"wrapped not found", fmt.Errorf("loading: %w", incident.NotFound("timeline_event", "7")), 404,
			`{"error":{"code":"timeline_event_not_found","message":"timeline_event 7 not found","request_id":"r1"}}`},
		{"bare not found", incident.ErrNotFound, 404,
			`{"error":{"code":"not_found","message":"not found","request_id":"r1"}}`},
		{"bare conflict", fmt.Errorf("x: %w", incident.ErrConflict), 409,
			`{"error":{"code":"version_conflict","message":"the object was changed by someone else","request_id":"r1"}}`},
		{"body too large", &http.MaxBytesError{Limit: 10}, 413,
			`{"error":{"code":"body_too_large","message":"request body is larger than 10 bytes","request_id":"r1"}}`},
		{"internal", errors.New("disk on fire"), 500,
			`{"error":{"code":"internal_error","message":"internal error (request id r1)","request_id":"r1"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest("GET", "/", nil)
			c.Set(ctxRequestID, "r1")
			s.renderError(c, tc.err)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if diff := cmp.Diff(tc.want, rec.Body.String()); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("conflict with a pointer current", func(t *testing.T) {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest("GET", "/", nil)
		s.renderError(c, &incident.ConflictError{Object: "incident", Current: &cur})
		var body struct {
			Error   errorJSON    `json:"error"`
			Current incidentJSON `json:"current"`
		}
		decodeTestJSON(t, rec.Body.String(), &body)
		if rec.Code != 409 || body.Error.Code != "version_conflict" || body.Current.Key != "INC-3" || body.Current.Version != 5 {
			t.Errorf("got %d %s", rec.Code, rec.Body)
		}
	})
}
