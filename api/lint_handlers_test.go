package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAPI_LintRCA(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	runScenarios(t, h, []scenario{
		{name: "no incident", method: "POST", url: "/api/v1/incidents/INC-9/rca/lint",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`}},
		{name: "no incident with sections", method: "POST", url: "/api/v1/incidents/INC-9/rca/lint", body: `{"sections":[]}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`}},
		{name: "no RCA and no body", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`}},
		{name: "no RCA and an empty object", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint", body: `{}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`}},
		{name: "unsaved sections without an RCA", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint",
			body:       `{"sections":[{"key":"summary","title":"Summary","body":"Obviously a human error."}]}`,
			wantStatus: http.StatusOK,
			wantContains: []string{`"total":2`,
				`{"section_key":"summary","start":0,"end":9,"line":1,"column":1,"match":"Obviously","rule":"hindsight","message":`,
				`{"section_key":"summary","start":12,"end":23,"line":1,"column":13,"match":"human error","rule":"human_error","message":`,
				`"suggestion":"Describe the conditions that made the action likely`}},
		{name: "save the RCA", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body: `{"sections":[{"key":"summary","title":"Summary","body":"Clean text."},
				{"key":"root-causes","title":"Root causes","body":"Bob pushed a config.\n\n` + "```" + `\nhuman error\n` + "```" + `"}]}`,
			wantStatus: http.StatusCreated},
		{name: "stored RCA", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint",
			wantStatus:   http.StatusOK,
			wantContains: []string{`"total":1`, `"section_key":"root-causes"`, `"match":"Bob pushed"`, `"rule":"person_as_root_cause"`},
			notContains:  []string{`"human error"`}},
		{name: "the PUT body as it is", method: "POST", url: "/api/v1/incidents/1/rca/lint",
			body:         `{"version":1,"status":"draft","template":"essentials","sections":[{"key":"root-causes","title":"Root causes","body":"Nothing to see."}]}`,
			wantStatus:   http.StatusOK,
			wantContains: []string{`{"findings":[],"total":0}`}},
		{name: "unknown field", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint", body: `{"sections":[],"strict":true}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"strict":"unknown field"`}},
		{name: "bad section", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint", body: `{"sections":[{"title":"A","block":"gallery"}]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"sections[0].block"`}},
		{name: "malformed", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint", body: `{"sections":`,
			wantStatus: http.StatusBadRequest, wantContains: []string{`"code":"malformed_json"`}},
		{name: "RCA unchanged by lint", method: "GET", url: "/api/v1/incidents/INC-1/rca",
			wantStatus: http.StatusOK, wantContains: []string{`"version":1`}},
	})
}

// TestAPI_LintRCAOffsets: start/end address the body the client sent, in
// bytes, also after multi-byte text.
func TestAPI_LintRCAOffsets(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	text := "Zürich — ok.\n\nThe on-call engineer failed to escalate; careless."
	body, _ := json.Marshal(map[string]any{"sections": []map[string]string{{"key": "summary", "title": "Summary", "body": text}}})
	out := mustDo(t, h, http.StatusOK, "POST", "/api/v1/incidents/INC-1/rca/lint", string(body))
	var got lintJSON
	decodeTestJSON(t, out, &got)
	if got.Total != 2 || len(got.Findings) != 2 {
		t.Fatalf("findings: %s", out)
	}
	for _, f := range got.Findings {
		if text[f.Start:f.End] != f.Match {
			t.Errorf("text[%d:%d] = %q, match %q", f.Start, f.End, text[f.Start:f.End], f.Match)
		}
		line := strings.Split(text, "\n")[f.Line-1]
		if !strings.HasPrefix(string([]rune(line)[f.Column-1:]), f.Match) {
			t.Errorf("line %d column %d does not start %q", f.Line, f.Column, f.Match)
		}
	}
}

// TestAPI_LintRCAPeople: the incident's people are flagged when a root
// cause names them, and root-cause records are checked with their own key.
func TestAPI_LintRCAPeople(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","commander":"carol.jones"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/timeline",
		`[{"occurred_at":"2026-03-01T08:00:00Z","body":"pushed","actor":"alice.smith"},{"occurred_at":"2026-03-01T08:01:00Z","body":"shipped","actor":"deploy-bot"}]`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-1/root-causes",
		`{"description":"Config was not validated.\nThe root cause was Alice.","category":"deploy"}`)
	runScenarios(t, h, []scenario{
		{name: "record checked without an RCA, draft names a person as First Last", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint",
			body:       `{"sections":[{"key":"root-causes","title":"Root causes","body":"Carol Jones pushing the flag; the deploy-bot shipped it."}]}`,
			wantStatus: http.StatusOK,
			wantContains: []string{`"total":2`,
				`{"section_key":"root-causes","start":0,"end":19,"line":1,"column":1,"match":"Carol Jones pushing","rule":"person_as_root_cause"`,
				`{"section_key":"root_causes[1]","start":30,"end":50,"line":2,"column":5,"match":"root cause was Alice","rule":"person_as_root_cause"`},
			notContains: []string{`"match":"deploy"`, `"match":"deploy-bot"`}},
		{name: "save the RCA", method: "PUT", url: "/api/v1/incidents/INC-1/rca",
			body:       `{"sections":[{"key":"root-causes","title":"Root causes","body":"A change by alice.smith; Alice Smith pushing bad config."}]}`,
			wantStatus: http.StatusCreated},
		{name: "stored RCA and records", method: "POST", url: "/api/v1/incidents/INC-1/rca/lint",
			wantStatus: http.StatusOK,
			wantContains: []string{`"total":3`, `"match":"alice.smith"`, `"match":"Alice Smith pushing"`,
				`"section_key":"root_causes[1]"`, `"message":"A root cause names a person of this incident."`,
				`"suggestion":"Describe the conditions and the system instead of the person`}},
	})
}
