package ticketstest

import (
	"net/http"
	"strings"
	"testing"
)

// jiraTime is how Jira writes times ("2026-11-21T09:30:00.000+0000").
const jiraTime = "2006-01-02T15:04:05.000-0700"

// Jira starts a fake Jira site that takes basic auth user:token, creates
// issues in project (keys project-N) with POST /rest/api/2/issue and
// answers GET /rest/api/2/issue/{key} with status, statusCategory,
// resolution and resolutiondate.
func Jira(t testing.TB, user, token, project string) *Fake {
	return newFake(t, user, token, func(f *Fake) http.Handler {
		mux := http.NewServeMux()
		auth := func(w http.ResponseWriter, r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			if !ok || u != f.User || p != f.Secret {
				writeJSON(w, http.StatusUnauthorized, map[string]any{"errorMessages": []string{"You are not authenticated. Authentication required to perform this operation."}, "errors": map[string]any{}})
				return false
			}
			if msg, fail := f.failing(); fail {
				writeJSON(w, http.StatusInternalServerError, map[string]any{"errorMessages": []string{msg}, "errors": map[string]any{}})
				return false
			}
			return true
		}
		mux.HandleFunc("POST /rest/api/2/issue", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			var body struct {
				Fields map[string]any `json:"fields"`
			}
			if err := decode(r, &body); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"Unexpected character: " + err.Error()}, "errors": map[string]any{}})
				return
			}
			errs := map[string]string{}
			if p := str(obj(body.Fields, "project"), "key"); p != project {
				errs["project"] = "project is required"
				if p != "" {
					errs["project"] = "valid project is required"
				}
			}
			if str(body.Fields, "summary") == "" {
				errs["summary"] = "You must specify a summary of the issue."
			}
			if str(obj(body.Fields, "issuetype"), "name") == "" {
				errs["issuetype"] = "issue type is required"
			}
			if len(errs) > 0 {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{}, "errors": errs})
				return
			}
			is := &Issue{Title: str(body.Fields, "summary"), Description: str(body.Fields, "description"), Fields: body.Fields, Status: "To Do"}
			if ls, ok := body.Fields["labels"].([]any); ok {
				for _, l := range ls {
					s, _ := l.(string)
					is.Labels = append(is.Labels, s)
				}
			}
			f.mu.Lock()
			key := f.add(is, project+"-")
			f.mu.Unlock()
			id := "1000" + strings.TrimPrefix(key, project+"-")
			writeJSON(w, http.StatusCreated, map[string]any{"id": id, "key": key, "self": f.Server.URL + "/rest/api/2/issue/" + id})
		})
		mux.HandleFunc("GET /rest/api/2/issue/{key}", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			is, ok := f.get(r.PathValue("key"))
			if !ok {
				writeJSON(w, http.StatusNotFound, map[string]any{"errorMessages": []string{"Issue does not exist or you do not have permission to see it."}, "errors": map[string]any{}})
				return
			}
			cat := map[string]any{"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"}
			if is.Status != "To Do" {
				cat = map[string]any{"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"}
			}
			fields := map[string]any{"resolution": nil, "resolutiondate": nil}
			if is.Closed {
				cat = map[string]any{"id": 3, "key": "done", "colorName": "green", "name": "Done"}
				fields["resolution"] = map[string]any{"id": "10000", "name": is.Resolution, "self": f.Server.URL + "/rest/api/2/resolution/10000"}
				fields["resolutiondate"] = is.ClosedAt.Format(jiraTime)
			}
			fields["status"] = map[string]any{"self": f.Server.URL + "/rest/api/2/status/1", "name": is.Status, "id": "1", "statusCategory": cat}
			writeJSON(w, http.StatusOK, map[string]any{"expand": "renderedFields,names,schema", "id": "10001", "self": f.Server.URL + "/rest/api/2/issue/10001", "key": is.Key, "fields": fields})
		})
		return mux
	})
}
