package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const jiraToken = "jira-secret-token-77"

// fakeJiraAPI answers like Jira Cloud's REST API v2: issue OPS-1 created
// 10:05 with a comment at 10:20 and a status change at 11:00; OPS-2 found
// by the JQL "labels = incident" (created 10:30); 404 for other issues;
// 401 unless basic auth is ana@acme.example with the token.
func fakeJiraAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srvURL := "http://" + r.Host
		issue := func(key, created, extra string) string {
			return fmt.Sprintf(`{"id":"1","self":"%s/rest/api/2/issue/1","key":%q,"fields":{"summary":"Checkout down","labels":["hindsight:INC-1"],
				"created":"2026-03-01T%s:00.000+0000","reporter":{"displayName":"Ana Lima"},"description":"LB *down*"%s}}`, srvURL, key, created, extra)
		}
		if u, p, ok := r.BasicAuth(); !ok || u != "ana@acme.example" || p != jiraToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errorMessages":["You are not authenticated."],"errors":{}}`)
			return
		}
		switch {
		case r.URL.Path == "/rest/api/2/issue/OPS-1":
			one := issue("OPS-1", "10:05", `,"comment":{"comments":[{"id":"100","author":{"displayName":"Bo Chen"},"body":"rolled back","created":"2026-03-01T10:20:00.000+0000"}],"total":1}`)
			_, _ = io.WriteString(w, one[:len(one)-1]+`,"changelog":{"total":1,"histories":[{"id":"200","author":{"displayName":"Bo Chen"},"created":"2026-03-01T11:00:00.000+0000","items":[{"field":"status","fromString":"In Progress","toString":"Done"}]}]}}`)
		case r.URL.Path == "/rest/api/2/search/jql" && r.URL.Query().Get("jql") == "labels = incident":
			fmt.Fprintf(w, `{"issues":[{"id":"2","key":"OPS-2"}],"isLast":true}`)
		case r.URL.Path == "/rest/api/2/search/jql":
			fmt.Fprintf(w, `{"issues":[],"isLast":true}`)
		case r.URL.Path == "/rest/api/2/issue/OPS-2":
			_, _ = io.WriteString(w, issue("OPS-2", "10:30", ""))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`)
		}
	})
}

func TestCLI_PullJira(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeJiraAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_JIRA_URL=" + srv.URL, "HINDSIGHT_JIRA_USER=ana@acme.example", "HINDSIGHT_JIRA_TOKEN=" + jiraToken}
	args := []string{"pull", "jira", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "dry run by key", environ: environ, args: append(args, "--id", "OPS-1", "--dry-run"),
			wantOut: []string{"3 events read; would be 3 added", "OPS-1 status: In Progress → Done"},
			wantErr: []string{"pull: reading jira: OPS-1"}, wantCount: 1},
		{name: "pull by key", environ: environ, args: append(args, "--id", "OPS-1"), wantOut: []string{"3 added, 0 duplicates"}, wantCount: 4},
		{name: "jql alone on an incident without issues", environ: environ, args: append(args, "--jql", "labels = incident", "--dry-run"),
			wantOut: []string{"1 events read; would be 1 added"}, wantErr: []string{"pull: reading jira: OPS-2"}, wantCount: 4},
		{name: "again with jql adds only the new issue", environ: environ, args: append(args, "--id", "OPS-1", "--jql", "labels = incident"),
			wantOut: []string{"1 added, 3 duplicates"}, wantErr: []string{"pull: reading jira: OPS-1, OPS-2"}, wantCount: 5},
		{name: "without ids refreshes the linked issues", environ: environ, args: args,
			wantOut: []string{"0 added, 4 duplicates"}, wantErr: []string{"pull: reading jira: OPS-1, OPS-2"}, wantCount: 5},
		{name: "jql finding nothing", environ: environ, args: append(args, "--jql", "project = NONE"), wantCode: 1,
			wantErr: []string{"the JQL query found no issues"}, wantCount: 5},
		{name: "unknown issue", environ: environ, args: append(args, "--id", "NOPE-1"), wantCode: 1,
			wantErr: []string{"404 Issue does not exist or you do not have permission to see it.: issue NOPE-1 not found"}, wantCount: 5},
		{name: "token required", args: append(args, "--id", "OPS-1"), wantCode: 2, wantErr: []string{"HINDSIGHT_JIRA_TOKEN"}, wantCount: 5},
		{name: "wrong token", environ: []string{"HINDSIGHT_JIRA_URL=" + srv.URL, "HINDSIGHT_JIRA_USER=ana@acme.example", "HINDSIGHT_JIRA_TOKEN=nope-nope"},
			args: append(args, "--id", "OPS-1"), wantCode: 1, wantErr: []string{"401 You are not authenticated."}, wantCount: 5},
	}
	runPullCases(t, data, []string{jiraToken}, tests)
	for _, e := range timelineOf(t, data) {
		if e.Source == "jira" && (e.Link == "" || e.Metadata["ticket_system"] != "jira") {
			t.Errorf("event %s: link %q metadata %v", e.ExternalID, e.Link, e.Metadata)
		}
	}
}
