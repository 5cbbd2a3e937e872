package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestAPI_RCA(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	runScenarios(t, h, []scenario{
		{
			name: "none yet", method: "GET", url: "/api/v1/incidents/INC-1/rca",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`},
		},
		{
			name: "the incident says there is none", method: "GET", url: "/api/v1/incidents/INC-1",
			wantStatus: http.StatusOK, wantContains: []string{`"key":"INC-1"`, `"rca":null`},
		},
		{
			name: "create", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body: `{"template":"essentials","sections":[
				{"title":"Summary","body":"It broke.","audience":"public"},
				{"key":"root-causes","title":"Root causes","body":"A deploy."}]}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"incident_id":1`, `"template":"essentials"`, `"status":"draft"`, `"version":1`,
				`"sections":[{"key":"summary","title":"Summary","body":"It broke.","audience":"public",`,
				`{"key":"root-causes","title":"Root causes","body":"A deploy.","audience":"internal",`,
				`"updated_by":"anonymous"`},
			wantHeaders: map[string]string{"Location": "/api/v1/incidents/INC-1/rca", "ETag": `"1"`},
		},
		{
			name: "get", method: "GET", url: "/api/v1/incidents/1/rca",
			wantStatus: http.StatusOK, wantContains: []string{`"version":1`, `"key":"summary"`},
		},
		{
			name: "the incident summarizes it", method: "GET", url: "/api/v1/incidents/INC-1",
			wantStatus: http.StatusOK, wantContains: []string{`"rca":{"status":"draft","template":"essentials","version":1,"updated_at":"`, `"published_at":null}`},
		},
		{
			name: "save edited version", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body: `{"status":"draft","version":1,"id":5,"created_at":"2001-01-01T00:00:00Z","updated_by":"mallory",
				"sections":[{"key":"summary","title":"Summary","body":"It broke badly.","audience":"public"}]}`,
			wantStatus:   http.StatusOK,
			wantContains: []string{`"status":"draft"`, `"version":2`, `"body":"It broke badly."`},
			notContains:  []string{`mallory`, `2001-01-01`},
		},
		{
			name: "save stale version", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":1,"sections":[{"title":"Summary","body":"Overwrite!"}]}`,
			wantStatus: http.StatusConflict,
			wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"version":2`,
				`"body":"It broke badly."`},
			notContains: []string{`Overwrite!"`},
		},
		{
			name: "save stale version by If-Match", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body: `{"sections":[]}`, headers: map[string]string{"If-Match": `"1"`},
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`},
		},
		{
			name: "unknown template", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":2,"template":"nope","sections":[]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"template":"no template has the key nope`},
		},
		{
			name: "sections missing", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":2}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"sections":"is required`},
		},
		{
			name: "section too large", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":2,"sections":[{"title":"Huge","body":"` + strings.Repeat("x", 200001) + `"}]}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"document_too_large"`, `"sections[0].body"`},
		},
		{
			name: "create again without version", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"sections":[]}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"current":{`},
		},
		{
			name: "invalid sections", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":2,"status":"final","sections":[{"title":"A","audience":"everyone"},{"title":""}]}`,
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"status":"must be one of draft, in_review, published"`,
				`"sections[0].audience":"must be one of public, customer_success, internal"`,
				`"sections[1].title":"is required"`},
		},
		{
			name: "section with unknown field", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":2,"sections":[{"title":"A","colour":"red"}]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"colour":"unknown field"`},
		},
		{
			name: "section of the wrong type", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"version":2,"sections":[{"title":7}]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"sections.title":"must be a string"`},
		},
		{
			name: "unknown incident", method: "PUT", url: "/api/v1/incidents/INC-9/rca", body: `{"sections":[]}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
	})
}
