package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestAPI_Templates(t *testing.T) {
	h := newTestHandler(t)
	yaml := map[string]string{"Content-Type": "application/yaml"}
	const security = `{"key":"security","name":"Security incident","description":"For breaches.","sections":[
		{"title":"Exposure","audience":"internal","required":true,"help":"What data, for how long.","body":"{{title}} from {{started_at}}"},
		{"key":"timeline","title":"Timeline","block":"timeline"}]}`
	runScenarios(t, h, []scenario{
		{
			name: "list", method: "GET", url: "/api/v1/templates", wantStatus: http.StatusOK,
			wantContains: []string{`"items":[{"key":"essentials","name":"Essentials",`, `"key":"sre"`, `"key":"five-whys"`,
				`"key":"contributing-factors"`, `"source":"builtin"`, `"next_cursor":""`, `"total":4`},
		},
		{
			name: "get built-in", method: "GET", url: "/api/v1/templates/essentials", wantStatus: http.StatusOK,
			wantContains: []string{`"key":"essentials"`, `"source":"builtin"`, `"version":0`, `"created_at":null`,
				`"key":"event-description","title":"Event description"`, `"block":"timeline"`, `"required":true`, `{{impact_duration}}`},
		},
		{
			name: "get unknown", method: "GET", url: "/api/v1/templates/nope",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"template_not_found"`, `template nope not found`},
		},
		{
			name: "create custom", method: "POST", url: "/api/v1/templates", body: security,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"key":"security"`, `"source":"custom"`, `"version":1`, `"created_by":"anonymous"`,
				`"key":"exposure","title":"Exposure","body":"{{title}} from {{started_at}}","audience":"internal","help":"What data, for how long.","required":true,"block":""`,
				`"created_at":"2026-03-10T12:00:00Z"`},
			wantHeaders: map[string]string{"Location": "/api/v1/templates/security", "ETag": `"1"`},
		},
		{
			name: "list with the custom one", method: "GET", url: "/api/v1/templates",
			wantStatus: http.StatusOK, wantContains: []string{`"key":"security"`, `"source":"custom"`, `"total":5`},
		},
		{
			name: "create with a taken key", method: "POST", url: "/api/v1/templates", body: security,
			wantStatus:   http.StatusConflict,
			wantContains: []string{`"code":"template_exists"`, `"current":{"key":"security"`, `"version":1`},
		},
		{
			name: "create invalid", method: "POST", url: "/api/v1/templates",
			body: `{"key":"Bad Key","sections":[
				{"key":"a","title":"A","audience":"everyone","body":"{{nope}} and {{title"},
				{"key":"a","title":"Again"},
				{"title":"Graphs","block":"graphs"}]}`,
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`, `"key":"must be a lower-case slug`, `"name":"is required"`,
				`"sections[0].audience":"unknown audience \"everyone\"`, `"sections[1].key":"duplicates the key of an earlier section`,
				`"sections[2].block":"unknown block \"graphs\"`, `unknown variable {{nope}}`, `{{ without a closing }}`},
		},
		{
			name: "create with no sections", method: "POST", url: "/api/v1/templates", body: `{"key":"empty","name":"Empty"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"sections":"must list at least one section"`},
		},
		{
			name: "create with an unknown field", method: "POST", url: "/api/v1/templates", body: `{"key":"x","name":"X","colour":"red"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"colour":"unknown field"`},
		},
		{
			name: "create from YAML", method: "POST", url: "/api/v1/templates", headers: yaml,
			body:       "key: postmortem-lite\nname: Lite\nsections:\n  - title: What happened\n    audience: public\n    body: \"{{key}}: {{title}}\"\n",
			wantStatus: http.StatusCreated,
			wantContains: []string{`"key":"postmortem-lite"`, `"source":"custom"`, `"key":"what-happened"`, `"audience":"public"`,
				`"body":"{{key}}: {{title}}"`},
		},
		{
			name: "create from bad YAML", method: "POST", url: "/api/v1/templates", headers: yaml,
			body:       "key: x\nname: X\n  sections: oops\n",
			wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"code":"validation_failed"`,
				`"yaml":"line 3: mapping values are not allowed in this context"`},
		},
		{
			name: "create from YAML with bad fields", method: "POST", url: "/api/v1/templates", headers: yaml,
			body:         "key: x\nname: X\nsections:\n  - title: A\n    audiance: public\n",
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"yaml":"line 5: unknown field \"audiance\"`},
		},
		{
			name: "create from YAML with an invalid template", method: "POST", url: "/api/v1/templates", headers: yaml,
			body:         "key: x\nname: X\nsections:\n  - title: A\n    audience: everyone\n",
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"sections[0].audience":"line 5: unknown audience \"everyone\"`},
		},
		{
			name: "update", method: "PUT", url: "/api/v1/templates/security",
			body:         `{"name":"Security review","version":1,"source":"builtin","sections":[{"title":"Exposure"}]}`,
			wantStatus:   http.StatusOK,
			wantContains: []string{`"name":"Security review"`, `"version":2`, `"source":"custom"`, `"updated_by":"anonymous"`},
			wantHeaders:  map[string]string{"ETag": `"2"`},
		},
		{
			name: "update stale", method: "PUT", url: "/api/v1/templates/security",
			body: `{"name":"Overwrite","sections":[{"title":"X"}]}`, headers: map[string]string{"If-Match": `"1"`},
			wantStatus:   http.StatusConflict,
			wantContains: []string{`"code":"version_conflict"`, `"current":{"key":"security"`, `"version":2`, `"name":"Security review"`},
		},
		{
			name: "update renames", method: "PUT", url: "/api/v1/templates/security",
			body:       `{"key":"other","name":"X","version":2,"sections":[{"title":"X"}]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"key":"must be security as in the URL`},
		},
		{
			name: "update a built-in", method: "PUT", url: "/api/v1/templates/sre",
			body:       `{"name":"Mine","sections":[{"title":"X"}]}`,
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"template_read_only"`, `template sre is built in`},
		},
		{
			name: "update unknown", method: "PUT", url: "/api/v1/templates/nope",
			body:       `{"name":"Mine","sections":[{"title":"X"}]}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"template_not_found"`},
		},
		{
			name: "delete a built-in", method: "DELETE", url: "/api/v1/templates/essentials",
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"template_read_only"`},
		},
		{
			name: "override a built-in", method: "POST", url: "/api/v1/templates",
			body:       `{"key":"five-whys","name":"Our five whys","sections":[{"title":"Whys"}]}`,
			wantStatus: http.StatusCreated, wantContains: []string{`"key":"five-whys"`, `"source":"custom"`},
		},
		{
			name: "the override is what get returns", method: "GET", url: "/api/v1/templates/five-whys",
			wantStatus: http.StatusOK, wantContains: []string{`"name":"Our five whys"`, `"source":"custom"`},
			wantHeaders: map[string]string{"ETag": `"1"`},
		},
		{
			name: "delete the override", method: "DELETE", url: "/api/v1/templates/five-whys", wantStatus: http.StatusNoContent,
		},
		{
			name: "the built-in is back", method: "GET", url: "/api/v1/templates/five-whys",
			wantStatus: http.StatusOK, wantContains: []string{`"name":"Five whys"`, `"source":"builtin"`},
		},
		{
			name: "delete the built-in again", method: "DELETE", url: "/api/v1/templates/five-whys",
			wantStatus: http.StatusConflict, wantContains: []string{`"code":"template_read_only"`},
		},
		{
			name: "delete custom", method: "DELETE", url: "/api/v1/templates/security", wantStatus: http.StatusNoContent,
		},
		{
			name: "deleted", method: "GET", url: "/api/v1/templates/security",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"template_not_found"`},
		},
		{
			name: "delete unknown", method: "DELETE", url: "/api/v1/templates/security",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"template_not_found"`},
		},
	})
}

func TestAPI_CreateRCAFromTemplate(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout errors","severity":"SEV2",
		"services":["checkout"],"started_at":"2026-03-09T10:00:00Z","detected_at":"2026-03-09T11:25:00Z",
		"mitigated_at":"2026-03-09T12:10:00Z","resolved_at":"2026-03-09T13:00:00Z"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Second"}`)
	runScenarios(t, h, []scenario{
		{
			name: "create from essentials", method: "POST", url: "/api/v1/incidents/INC-1/rca", body: `{"template":"essentials"}`,
			wantStatus: http.StatusCreated,
			wantContains: []string{`"incident_id":1`, `"template":"essentials"`, `"status":"draft"`, `"version":1`,
				`"sections":[{"key":"event-description","title":"Event description","body":"**Checkout errors**`,
				`**Started:** 2026-03-09T10:00:00Z`, `**Customers affected for:** 2h 10m`,
				`{"key":"timeline","title":"Timeline","body":"- 2026-03-09T10:00:00Z: impact started`,
				`Time to detect: 1h 25m`, `"block":"timeline"`, `"key":"root-causes"`, `"block":"root_causes"`,
				`"key":"corrective-actions"`, `"block":"corrective_actions"`, `"required":true`, `"help":"What happened, in a few plain sentences`},
			notContains: []string{`{{`, `"required":false`},
			wantHeaders: map[string]string{"Location": "/api/v1/incidents/INC-1/rca", "ETag": `"1"`},
		},
		{
			name: "read it back", method: "GET", url: "/api/v1/incidents/INC-1/rca",
			wantStatus: http.StatusOK, wantContains: []string{`"template":"essentials"`, `Time to detect: 1h 25m`},
		},
		{
			name: "second create", method: "POST", url: "/api/v1/incidents/INC-1/rca", body: `{"template":"sre"}`,
			wantStatus:   http.StatusConflict,
			wantContains: []string{`"code":"version_conflict"`, `"current":{`, `"template":"essentials"`},
		},
		{
			name: "unknown template", method: "POST", url: "/api/v1/incidents/INC-2/rca", body: `{"template":"nope"}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"template_not_found"`, `template nope not found`},
		},
		{
			name: "unknown incident", method: "POST", url: "/api/v1/incidents/INC-99/rca", body: `{"template":"essentials"}`,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`},
		},
		{
			name: "no template", method: "POST", url: "/api/v1/incidents/INC-2/rca", body: `{}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"template":"is required"`},
		},
		{
			name: "unknown field", method: "POST", url: "/api/v1/incidents/INC-2/rca", body: `{"template":"sre","sections":[]}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"sections":"unknown field"`},
		},
		{
			name: "nothing left behind", method: "GET", url: "/api/v1/incidents/INC-2/rca",
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"rca_not_found"`},
		},
		{
			name: "create from sre with unknown times", method: "POST", url: "/api/v1/incidents/INC-2/rca", body: `{"template":"sre"}`,
			wantStatus:   http.StatusCreated,
			wantContains: []string{`"template":"sre"`, `"body":"Second: from unknown to unknown (unknown of impact).\n"`, `"key":"lessons-learned"`},
		},
	})

	var r struct {
		Sections []struct {
			Key, Title, Audience string
		}
	}
	decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/INC-1/rca", ""), &r)
	var got []string
	for _, s := range r.Sections {
		got = append(got, s.Key+"|"+s.Title+"|"+s.Audience)
	}
	want := "event-description|Event description|public timeline|Timeline|internal root-causes|Root causes|internal corrective-actions|Corrective actions|customer_success"
	if strings.Join(got, " ") != want {
		t.Errorf("sections = %s\nwant       %s", strings.Join(got, " "), want)
	}
}
