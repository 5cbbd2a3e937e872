package api

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

// TestAPI_OpenAPI keeps api/openapi.yaml valid and in step with routes.go:
// every registered route is described, and nothing else is.
func TestAPI_OpenAPI(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPISpec)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}

	var inSpec []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inSpec = append(inSpec, method+" "+path)
		}
	}
	ginParam := regexp.MustCompile(`:([A-Za-z_]+)`)
	var inRoutes []string
	for _, r := range newEngine(Deps{testIdentity: testUser}).Routes() {
		inRoutes = append(inRoutes, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	if len(inRoutes) < 25 {
		t.Fatalf("only %d routes registered", len(inRoutes))
	}
	slices.Sort(inSpec)
	slices.Sort(inRoutes)
	if diff := cmp.Diff(inRoutes, inSpec); diff != "" {
		t.Errorf("routes.go (-) and openapi.yaml (+) differ:\n%s", diff)
	}

	t.Run("served", func(t *testing.T) {
		scenario{
			method: "GET", url: "/api/v1/openapi.yaml",
			wantStatus: http.StatusOK, wantContains: []string{"openapi: 3.0.3", "/api/v1/incidents/{id}/rca:"},
			wantHeaders: map[string]string{"Content-Type": "application/yaml; charset=utf-8"},
		}.run(t, newTestHandler(t))
	})
}
