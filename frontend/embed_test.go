package frontend

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandler(t *testing.T) {
	built := newHandler(fstest.MapFS{
		"index.html":         {Data: []byte("<html>app</html>")},
		"assets/app-1a2b.js": {Data: []byte("console.log(1)")},
	})
	tests := []struct {
		name      string
		h         http.Handler
		path      string
		wantBody  string
		wantCache string
	}{
		{name: "not built", h: newHandler(fstest.MapFS{}), path: "/", wantBody: "UI is not built"},
		{name: "index", h: built, path: "/", wantBody: "app", wantCache: "no-cache"},
		{name: "client route", h: built, path: "/incidents/INC-4", wantBody: "app", wantCache: "no-cache"},
		{name: "asset", h: built, path: "/assets/app-1a2b.js", wantBody: "console.log", wantCache: "immutable"},
		{name: "no escape", h: built, path: "/../../etc/passwd", wantBody: "app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("%d %q", rec.Code, rec.Body.String())
			}
			if !strings.Contains(rec.Header().Get("Cache-Control"), tt.wantCache) {
				t.Fatalf("cache-control %q", rec.Header().Get("Cache-Control"))
			}
		})
	}
}
