package api

import (
	"net/http"
	"net/url"
	"testing"
)

func TestAPI_RCARevisions(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"No RCA yet"}`)
	mustDo(t, h, http.StatusCreated, "PUT", "/api/v1/incidents/INC-1/rca", `{"sections":[
		{"key":"summary","title":"Summary","body":"It broke.\n"},
		{"key":"timeline","title":"Timeline","body":"- 10:00 alert\n"}]}`)
	mustDo(t, h, http.StatusOK, "PUT", "/api/v1/incidents/INC-1/rca", `{"version":1,"sections":[
		{"key":"summary","title":"Summary","body":"It broke.\n"},
		{"key":"timeline","title":"Timeline","body":"- 10:00 alert\n- 10:05 page\n"},
		{"key":"impact","title":"Impact","body":"EU only."}]}`)
	mustDo(t, h, http.StatusOK, "PUT", "/api/v1/incidents/INC-1/rca", `{"version":2,"sections":[
		{"key":"timeline","title":"Timeline","body":"- 10:00 alert\n- 10:05 page\n"},
		{"key":"impact","title":"Impact","body":"EU only."}]}`)
	const rca = "/api/v1/incidents/INC-1/rca"
	firstPage := mustDo(t, h, http.StatusOK, "GET", rca+"/revisions?limit=2", "")
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	decodeTestJSON(t, firstPage, &page)
	if page.NextCursor == "" {
		t.Fatalf("no next cursor after 2 of 3 revisions: %s", firstPage)
	}
	runScenarios(t, h, []scenario{
		{
			name: "list", method: "GET", url: rca + "/revisions",
			wantStatus: http.StatusOK,
			wantContains: []string{`"total":3`, `"next_cursor":""`,
				`"items":[{"version":3,"status":"draft","author":"anonymous","created_at":"2026-03-10T12:00:00Z","reason":"",` +
					`"changes":{"added":[],"removed":["summary"],"changed":[]}}`,
				`{"version":2,"status":"draft","author":"anonymous","created_at":"2026-03-10T12:00:00Z","reason":"",` +
					`"changes":{"added":["impact"],"removed":[],"changed":["timeline"]}}`,
				`"changes":{"added":["summary","timeline"],"removed":[],"changed":[]}}]`},
		},
		{
			name: "next page", method: "GET", url: rca + "/revisions?limit=2&cursor=" + url.QueryEscape(page.NextCursor),
			wantStatus:   http.StatusOK,
			wantContains: []string{`"items":[{"version":1,`, `"next_cursor":""`, `"total":3`},
			notContains:  []string{`"version":2`},
		},
		{
			name: "bad page size", method: "GET", url: rca + "/revisions?limit=0",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"limit":"must be an integer from 1 to`},
		},
		{
			name: "of an incident without an RCA", method: "GET", url: "/api/v1/incidents/INC-2/rca/revisions",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`},
		},
		{
			name: "one revision", method: "GET", url: rca + "/revisions/1",
			wantStatus: http.StatusOK,
			wantContains: []string{`"version":1,"status":"draft","author":"anonymous"`,
				`"sections":[{"key":"summary","title":"Summary","body":"It broke.\n","audience":"internal"`},
		},
		{
			name: "an unknown revision", method: "GET", url: rca + "/revisions/9",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_revision_not_found"`},
		},
		{
			name: "a revision that cannot exist", method: "GET", url: rca + "/revisions/first",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_revision_not_found"`},
		},
		{
			name: "diff", method: "GET", url: rca + "/diff?from=1&to=3",
			wantStatus: http.StatusOK,
			wantContains: []string{`"from":1,"to":3,"sections":[`,
				`{"key":"summary","title":"Summary","change":"removed","fields":[],"diff":"--- v1/summary\n+++ v3/summary\n@@ -1 +0,0 @@\n-It broke.\n"}`,
				`{"key":"timeline","title":"Timeline","change":"changed","fields":["body"],"diff":"--- v1/timeline\n+++ v3/timeline\n@@ -1 +1,2 @@\n - 10:00 alert\n+- 10:05 page\n"}`,
				`{"key":"impact","title":"Impact","change":"added","fields":[],"diff":"--- v1/impact\n+++ v3/impact\n@@ -0,0 +1 @@\n+EU only.\n\\ No newline at end of file\n"}`},
		},
		{
			name: "diff of the same revision", method: "GET", url: rca + "/diff?from=2&to=2",
			wantStatus: http.StatusOK, wantContains: []string{`"change":"unchanged","fields":[],"diff":""`},
			notContains: []string{`"change":"changed"`},
		},
		{
			name: "diff without to", method: "GET", url: rca + "/diff?from=1",
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"to":"is required: a revision number"`},
		},
		{
			name: "diff from revision zero", method: "GET", url: rca + "/diff?from=0&to=x",
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"from":"must be a revision number (1 or more)"`, `"to":"must be a revision number (1 or more)"`},
		},
		{
			name: "diff to an unknown revision", method: "GET", url: rca + "/diff?from=1&to=9",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_revision_not_found"`},
		},
		{
			name: "restore without version", method: "POST", url: rca + "/revisions/1/restore", body: `{}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"version":"is required`},
		},
		{
			name: "restore over a stale version", method: "POST", url: rca + "/revisions/1/restore", body: `{"version":2}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"version":3`},
		},
		{
			name: "restore an unknown revision", method: "POST", url: rca + "/revisions/9/restore", body: `{"version":3}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_revision_not_found"`},
		},
		{
			name: "restore", method: "POST", url: rca + "/revisions/1/restore", body: `{"version":3}`,
			wantStatus: http.StatusOK, wantHeaders: map[string]string{"ETag": `"4"`},
			wantContains: []string{`"version":4`, `"status":"draft"`,
				`"sections":[{"key":"summary","title":"Summary","body":"It broke.\n"`, `{"key":"timeline","title":"Timeline","body":"- 10:00 alert\n"`},
			notContains: []string{`"key":"impact"`},
		},
		{
			name: "nothing was lost", method: "GET", url: rca + "/revisions?limit=1",
			wantStatus: http.StatusOK,
			wantContains: []string{`"total":4`, `"version":4`, `"reason":"restored from version 1"`,
				`"changes":{"added":["summary"],"removed":["impact"],"changed":["timeline"]}`},
		},
	})
}
