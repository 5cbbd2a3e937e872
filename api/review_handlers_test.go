package api

import (
	"net/http"
	"testing"
)

// TestAPI_ReviewWorkflow walks an RCA through review to published and back
// to draft by amendment, with the refusals on the way. Requests without
// X-User act as "anonymous" and may name the reviewer they speak for.
func TestAPI_ReviewWorkflow(t *testing.T) {
	h := New(Deps{testIdentity: testUser, Service: newTestService(t), Version: "test"})
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Search slow"}`)
	mustDo(t, h, http.StatusCreated, "PUT", "/api/v1/incidents/INC-1/rca", `{"sections":[
		{"key":"summary","title":"Summary","body":"It broke.","required":true},
		{"key":"timeline","title":"Timeline","required":true}]}`)
	const rca = "/api/v1/incidents/INC-1/rca"
	ana, bo, carol := map[string]string{"X-User": "ana"}, map[string]string{"X-User": "bo"}, map[string]string{"X-User": "carol"}
	runScenarios(t, h, []scenario{
		{
			name: "submit without reviewers", method: "POST", url: rca + "/submit", body: `{"reviewers":[],"version":1}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"reviewers":"name at least one reviewer"`},
		},
		{
			name: "submit without version", method: "POST", url: rca + "/submit", body: `{"reviewers":["ana"]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"version":"is required`},
		},
		{
			name: "submit a stale version", method: "POST", url: rca + "/submit", body: `{"reviewers":["ana"],"version":9}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"status":"draft"`},
		},
		{
			name: "submit with an unknown field", method: "POST", url: rca + "/submit", body: `{"reviewers":["ana"],"version":1,"due":"soon"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"due":"unknown field"`},
		},
		{
			name: "submit", method: "POST", url: rca + "/submit", body: `{"reviewers":["ana","bo"],"version":1}`,
			wantStatus: http.StatusOK, wantHeaders: map[string]string{"ETag": `"2"`},
			wantContains: []string{`"status":"in_review"`, `"version":2`, `"review_round":1`,
				`"reviewers":[{"name":"ana","state":"requested","note":"","requested_at":"2026-03-10T12:00:00Z","decided_at":null},{"name":"bo",`},
		},
		{
			name: "submit again", method: "POST", url: rca + "/submit", body: `{"reviewers":["ana"],"version":2}`,
			wantStatus:   http.StatusConflict,
			wantContains: []string{`"code":"invalid_transition"`, `"from":"in_review"`, `"to":"in_review"`, `"current":{`},
		},
		{
			name: "change the status by saving", method: "PUT", url: rca,
			body:       `{"version":2,"status":"published","sections":[{"key":"summary","title":"Summary","body":"It broke."}]}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"invalid_transition"`, `"to":"published"`},
		},
		{
			name: "approve by someone not named", method: "POST", url: rca + "/approve", body: `{"reviewer":"cy"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"reviewer":"cy is not a reviewer of this review round (reviewers: ana, bo)"`},
		},
		{
			name: "request changes without a note", method: "POST", url: rca + "/request-changes", body: `{"reviewer":"bo"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"note":"is required"`},
		},
		{
			name: "request changes", method: "POST", url: rca + "/request-changes", body: `{"reviewer":"bo","note":"The timeline is empty."}`,
			wantStatus: http.StatusOK, wantHeaders: map[string]string{"ETag": `"3"`},
			wantContains: []string{`"status":"draft"`, `"version":3`, `{"name":"bo","state":"changes_requested","note":"The timeline is empty.","requested_at":"2026-03-10T12:00:00Z","decided_at":"2026-03-10T12:00:00Z"}`},
		},
		{
			name: "publish a draft", method: "POST", url: rca + "/publish", body: `{"version":3}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"rca_not_in_review"`, `"from":"draft"`, `"to":"published"`},
		},
		{
			name: "approve a draft", method: "POST", url: rca + "/approve", body: `{}`, headers: ana,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"rca_not_in_review"`},
		},
		{
			name: "submit round two", method: "POST", url: rca + "/submit", body: `{"reviewers":["ana"]}`, headers: map[string]string{"If-Match": `"3"`},
			wantStatus: http.StatusOK, wantContains: []string{`"status":"in_review"`, `"version":4`, `"review_round":2`},
			notContains: []string{`"name":"bo"`},
		},
		{
			name: "publish with an empty required section", method: "POST", url: rca + "/publish", body: `{"version":4}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"code":"validation_failed"`,
				`"sections[timeline]":"is required before publishing: Timeline still needs to be written"`},
			notContains: []string{`sections[summary]`},
		},
		{
			name: "fill the timeline", method: "PUT", url: rca,
			body: `{"version":4,"sections":[{"key":"summary","title":"Summary","body":"It broke."},
				{"key":"timeline","title":"Timeline","body":"- 10:00 alert"}]}`,
			wantStatus: http.StatusOK, wantContains: []string{`"status":"in_review"`, `"version":5`, `"state":"requested"`, `"required":true`},
		},
		{
			name: "publish without an approval", method: "POST", url: rca + "/publish", body: `{"version":5}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"approval_required"`, `one of the reviewers: ana`},
		},
		{
			name: "a signed-in user speaks for someone else", method: "POST", url: rca + "/approve", body: `{"reviewer":"ana"}`, headers: bo,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"reviewer":"can only be given by requests nobody signed in for; you act as bo"`},
		},
		{
			name: "approve a stale version", method: "POST", url: rca + "/approve", body: `{"version":4}`, headers: ana,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`},
		},
		{
			name: "approve", method: "POST", url: rca + "/approve", body: `{"note":"LGTM","version":5}`, headers: ana,
			wantStatus: http.StatusOK, wantHeaders: map[string]string{"ETag": `"5"`},
			wantContains: []string{`"version":5`, `"reviewers":[{"name":"ana","state":"approved","note":"LGTM"`},
		},
		{
			name: "publish a stale version", method: "POST", url: rca + "/publish", body: `{"version":4}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`, `"version":5`},
		},
		{
			name: "publish", method: "POST", url: rca + "/publish", body: `{"version":5}`, headers: carol,
			wantStatus: http.StatusOK,
			wantContains: []string{`"status":"published"`, `"version":6`, `"published_at":"2026-03-10T12:00:00Z"`,
				`"published_by":"carol"`, `"updated_by":"carol"`},
		},
		{
			name: "save a published rca", method: "PUT", url: rca,
			body:       `{"version":6,"sections":[{"key":"summary","title":"Summary","body":"Rewritten."}]}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"rca_published"`, `amend it first`, `"current":{`},
			notContains: []string{`Rewritten.`},
		},
		{
			name: "get shows the review state", method: "GET", url: rca,
			wantStatus: http.StatusOK,
			wantContains: []string{`"status":"published"`, `"reviewers":[{"name":"ana","state":"approved"`,
				`"published_by":"carol"`, `"amend_reason":""`},
		},
		{
			name: "amend without a reason", method: "POST", url: rca + "/amend", body: `{"version":6}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"reason":"is required"`},
		},
		{
			name: "amend a stale version", method: "POST", url: rca + "/amend", body: `{"reason":"Wrong trigger.","version":5}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"version_conflict"`},
		},
		{
			name: "amend", method: "POST", url: rca + "/amend", body: `{"reason":"Wrong trigger.","version":6}`,
			wantStatus:   http.StatusOK,
			wantContains: []string{`"status":"draft"`, `"version":7`, `"amend_reason":"Wrong trigger."`, `"published_by":"carol"`},
		},
		{
			name: "amend a draft", method: "POST", url: rca + "/amend", body: `{"reason":"Again.","version":7}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"invalid_transition"`, `only a published RCA is amended`},
		},
		{
			name: "revisions record every step", method: "GET", url: rca + "/revisions",
			wantStatus: http.StatusOK,
			wantContains: []string{`"total":7`, `"reason":"amended: Wrong trigger."`, `"reason":"published"`,
				`"reason":"changes requested by bo: The timeline is empty."`, `"reason":"submitted for review to ana, bo"`},
		},
		{
			name: "create an RCA as published", method: "PUT", url: "/api/v1/incidents/INC-2/rca",
			body:       `{"status":"published","sections":[{"title":"Summary","body":"Done."}]}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"invalid_transition"`, `a new RCA starts as a draft`},
			notContains: []string{`"current"`},
		},
		{
			name: "nothing was created", method: "GET", url: "/api/v1/incidents/INC-2/rca",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`},
		},
		{
			name: "submit for an unknown incident", method: "POST", url: "/api/v1/incidents/INC-9/rca/submit", body: `{"reviewers":["ana"],"version":1}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
	})
}

func TestAPI_RCAComments(t *testing.T) {
	h := New(Deps{testIdentity: testUser, Service: newTestService(t), Version: "test"})
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"No RCA yet"}`)
	mustDo(t, h, http.StatusCreated, "PUT", "/api/v1/incidents/INC-1/rca", `{"sections":[{"key":"timeline","title":"Timeline"}]}`)
	const comments = "/api/v1/incidents/INC-1/rca/comments"
	runScenarios(t, h, []scenario{
		{
			name: "none yet", method: "GET", url: comments,
			wantStatus: http.StatusOK, wantContains: []string{`"items":[]`, `"total":0`},
		},
		{
			name: "on an unknown section", method: "POST", url: comments, body: `{"section_key":"impact","body":"x"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"section_key":"the RCA has no section \"impact\""`},
		},
		{
			name: "without a body", method: "POST", url: comments, body: `{"section_key":"timeline"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"body":"is required"`},
		},
		{
			name: "add", method: "POST", url: comments, headers: map[string]string{"X-User": "ana"},
			body:       `{"section_key":"timeline","body":"Add the 10:04 page.","author":"mallory","id":77}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`{"id":1,"section_key":"timeline","author":"ana","body":"Add the 10:04 page.",` +
				`"created_at":"2026-03-10T12:00:00Z","resolved_at":null,"resolved_by":""}`},
			notContains: []string{`mallory`, `77`},
		},
		{
			name: "resolve", method: "POST", url: comments + "/1/resolve", headers: map[string]string{"X-User": "bo"},
			wantStatus: http.StatusOK, wantContains: []string{`"resolved_at":"2026-03-10T12:00:00Z","resolved_by":"bo"`},
		},
		{
			name: "resolve again", method: "POST", url: comments + "/1/resolve", headers: map[string]string{"X-User": "cy"},
			wantStatus: http.StatusOK, wantContains: []string{`"resolved_by":"bo"`},
		},
		{
			name: "list", method: "GET", url: comments,
			wantStatus: http.StatusOK, wantContains: []string{`"total":1`, `"author":"ana"`, `"resolved_by":"bo"`},
		},
		{
			name: "resolve an unknown comment", method: "POST", url: comments + "/9/resolve",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_comment_not_found"`},
		},
		{
			name: "resolve a comment that cannot exist", method: "POST", url: comments + "/x/resolve",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_comment_not_found"`},
		},
		{
			name: "comments of an incident without an RCA", method: "GET", url: "/api/v1/incidents/INC-2/rca/comments",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`},
		},
	})
}
