package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAPI_UIFallback(t *testing.T) {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>ui</html>")) })
	h := New(Deps{testIdentity: testUser, UI: ui})
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		want       string
	}{
		{name: "root serves the UI", method: "GET", path: "/", wantStatus: 200, want: "<html>ui"},
		{name: "client route serves the UI", method: "GET", path: "/incidents/INC-3", wantStatus: 200, want: "<html>ui"},
		{name: "unknown API path stays JSON", method: "GET", path: "/api/v1/nope", wantStatus: 404, want: "route_not_found"},
		{name: "API prefix itself stays JSON", method: "GET", path: "/api/v1", wantStatus: 404, want: "route_not_found"},
		{name: "POST outside the API is JSON 404", method: "POST", path: "/", wantStatus: 404, want: "route_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("%d %s", rec.Code, rec.Body.String())
			}
		})
	}
}
