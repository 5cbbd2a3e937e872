package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
)

func TestAPI_Decoding(t *testing.T) {
	h := newTestHandler(t)
	runScenarios(t, h, []scenario{
		{
			name: "malformed JSON", method: "POST", url: "/api/v1/incidents",
			body:         "{\n  \"title\": \"x\",\n  oops\n}",
			wantStatus:   http.StatusBadRequest,
			wantContains: []string{`"code":"malformed_json"`, `line 3, column 3`},
		},
		{
			name: "empty body", method: "POST", url: "/api/v1/incidents",
			wantStatus: http.StatusBadRequest, wantContains: []string{`"code":"malformed_json"`, `empty`},
		},
		{
			name: "whitespace body", method: "POST", url: "/api/v1/incidents", body: " \n ",
			wantStatus: http.StatusBadRequest, wantContains: []string{`"code":"malformed_json"`},
		},
		{
			name: "truncated", method: "POST", url: "/api/v1/incidents", body: `{"title":`,
			wantStatus: http.StatusBadRequest, wantContains: []string{`"code":"malformed_json"`},
		},
		{
			name: "trailing garbage", method: "POST", url: "/api/v1/incidents", body: `{"title":"x"} {}`,
			wantStatus:   http.StatusBadRequest,
			wantContains: []string{`"code":"malformed_json"`, `after the JSON value at line 1, column 15`},
		},
		{
			name: "unknown field", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","sevrity":"SEV1"}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `"fields":{"sevrity":"unknown field"}`},
		},
		{
			name: "wrong type string", method: "POST", url: "/api/v1/incidents", body: `{"title":5}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"fields":{"title":"must be a string"}`},
		},
		{
			name: "wrong type array", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","tags":"db"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"fields":{"tags":"must be an array"}`},
		},
		{
			name: "wrong type in array", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","tags":[1]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"fields":{"tags":"must be a string"}`},
		},
		{
			name: "bad time", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","started_at":"yesterday"}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"fields":{"started_at":"must be an RFC 3339 time such as 2026-01-02T15:04:05Z"}`},
		},
		{
			name: "time without offset", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","started_at":"2026-03-01T10:00:00"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"started_at":"must be an RFC 3339 time`},
		},
		{
			name: "patch wrong type", method: "PATCH", url: "/api/v1/incidents/1", body: `{"services":{"a":1}}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"fields":{"services":"must be an array"}`},
		},
		{
			name: "body is not an object", method: "POST", url: "/api/v1/incidents", body: `["x"]`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"fields":{"request_body":"must be an object"}`},
		},
		{
			name: "bad enum", method: "POST", url: "/api/v1/incidents", body: `{"title":"x","severity":"SEV9"}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `"severity":"must be one of SEV1, SEV2, SEV3, SEV4, SEV5"`},
		},
		{
			name: "missing title", method: "POST", url: "/api/v1/incidents", body: `{"summary":"x"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"title":"is required"`},
		},
		{
			name: "out-of-order lifecycle", method: "POST", url: "/api/v1/incidents",
			body:       `{"title":"x","started_at":"2026-03-01T10:00:00Z","detected_at":"2026-03-01T09:00:00Z"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"detected_at":"must not be before started_at`},
		},
		{
			name: "bad If-Match", method: "PATCH", url: "/api/v1/incidents/1", body: `{"title":"x"}`,
			headers:    map[string]string{"If-Match": "yesterday"},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"If-Match":`},
		},
	})
}

func TestAPI_BodyLimit(t *testing.T) {
	h := New(Deps{testIdentity: testUser, Service: newTestService(t), MaxBodyBytes: 64})
	big := `{"title":"` + strings.Repeat("x", 100) + `"}`
	t.Run("declared length", func(t *testing.T) {
		scenario{
			method: "POST", url: "/api/v1/incidents", body: big,
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"body_too_large"`, `64 bytes`},
		}.run(t, h)
	})
	t.Run("unknown length", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/api/v1/incidents", strings.NewReader(big))
		req.ContentLength = -1 // as with chunked encoding: found out while reading
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"code":"body_too_large"`) {
			t.Errorf("status %d body %s, want 413 body_too_large", rec.Code, rec.Body)
		}
	})
	t.Run("timeline list", func(t *testing.T) {
		scenario{
			method: "POST", url: "/api/v1/incidents/1/timeline", body: "[" + big + "]",
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"body_too_large"`},
		}.run(t, h)
	})
	t.Run("under the limit", func(t *testing.T) {
		scenario{
			method: "POST", url: "/api/v1/incidents", body: `{"title":"small"}`,
			wantStatus: http.StatusCreated,
		}.run(t, h)
	})
}

// TestAPI_ReadOnlyFieldsIgnored proves that what a client reads back from a
// GET can be sent again without the server taking its read-only fields.
func TestAPI_ReadOnlyFieldsIgnored(t *testing.T) {
	svc := &recordingService{Service: newTestService(t)}
	h := New(Deps{testIdentity: testUser, Service: svc})
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"t"}`)

	t.Run("incident", func(t *testing.T) {
		got := mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/1", "")
		mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", got)
		want := incident.Incident{Title: "t", Services: []string{}, Teams: []string{}, Tags: []string{},
			RestrictedTo: []string{}, Severity: "SEV3", Status: "open", Visibility: "internal"}
		if diff := cmp.Diff(want, svc.incident); diff != "" {
			t.Errorf("service got (-want +got):\n%s", diff)
		}
	})
	t.Run("action", func(t *testing.T) {
		got := mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/1/actions",
			`{"title":"a","due_date":"2026-03-01","ticket":{"system":"jira","key":"OPS-1","url":"https://x/OPS-1"}}`)
		mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/1/actions", got)
		due := incident.Date{Year: 2026, Month: 3, Day: 1}
		want := incident.CorrectiveAction{Title: "a", Type: "corrective", Priority: "medium", Status: "open",
			DueDate: &due, TicketSystem: "jira", TicketKey: "OPS-1", TicketURL: "https://x/OPS-1"}
		if diff := cmp.Diff(want, svc.action); diff != "" {
			t.Errorf("service got (-want +got):\n%s", diff)
		}
	})
	t.Run("event", func(t *testing.T) {
		got := mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/1/timeline",
			`{"occurred_at":"2026-03-01T10:00:00Z","body":"b","metadata":{"k":"v"}}`)
		var res appendJSON
		decodeTestJSON(t, got, &res)
		ev := mustJSON(t, res.Items[0])
		mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/1/timeline", ev)
		if len(svc.events) != 1 || svc.events[0].ID != 0 || svc.events[0].Version != 0 || !svc.events[0].CreatedAt.IsZero() {
			t.Errorf("service got %+v, want read-only fields zero", svc.events)
		}
	})
}

// recordingService remembers what the API handed to the service.
type recordingService struct {
	Service
	incident incident.Incident
	action   incident.CorrectiveAction
	events   []incident.TimelineEvent
}

func (r *recordingService) CreateIncident(ctx context.Context, in incident.Incident) (incident.Incident, error) {
	r.incident = in
	return r.Service.CreateIncident(ctx, in)
}

func (r *recordingService) CreateAction(ctx context.Context, ref string, a incident.CorrectiveAction) (incident.CorrectiveAction, error) {
	r.action = a
	return r.Service.CreateAction(ctx, ref, a)
}

func (r *recordingService) AppendTimeline(ctx context.Context, ref string, evs []incident.TimelineEvent) (incident.AppendResult, error) {
	r.events = slices.Clone(evs)
	return r.Service.AppendTimeline(ctx, ref, evs)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
