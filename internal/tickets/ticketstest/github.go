package ticketstest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// GitHub starts a fake GitHub REST API that takes "Bearer token", creates
// issues in repo ("owner/name") with POST /repos/{owner}/{name}/issues and
// answers GET /repos/{owner}/{name}/issues/{number} with state,
// state_reason and closed_at. Keys of its issues are numbers; Close with
// resolution "not_planned" or "completed".
func GitHub(t testing.TB, token, repo string) *Fake {
	return newFake(t, "", token, func(f *Fake) http.Handler {
		mux := http.NewServeMux()
		doc := "https://docs.github.com/rest/issues/issues"
		auth := func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") != "Bearer "+f.Secret {
				writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
				return false
			}
			if msg, fail := f.failing(); fail {
				writeJSON(w, http.StatusInternalServerError, map[string]any{"message": msg, "documentation_url": doc})
				return false
			}
			if r.PathValue("owner")+"/"+r.PathValue("name") != repo {
				writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": doc, "status": "404"})
				return false
			}
			return true
		}
		issueJSON := func(is Issue) map[string]any {
			n, _ := strconv.Atoi(is.Key)
			m := map[string]any{"number": n, "title": is.Title, "body": is.Description, "state": "open", "state_reason": nil,
				"closed_at": nil, "html_url": "https://github.com/" + repo + "/issues/" + is.Key,
				"url": f.Server.URL + "/repos/" + repo + "/issues/" + is.Key, "created_at": "2026-11-20T10:00:00Z"}
			if is.Closed {
				m["state"], m["state_reason"], m["closed_at"] = "closed", is.Resolution, is.ClosedAt.Format(time.RFC3339)
			}
			return m
		}
		mux.HandleFunc("POST /repos/{owner}/{name}/issues", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			var body map[string]any
			if err := decode(r, &body); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "documentation_url": doc})
				return
			}
			if strings.TrimSpace(str(body, "title")) == "" {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
					"errors": []any{map[string]any{"resource": "Issue", "code": "missing_field", "field": "title"}}, "documentation_url": doc})
				return
			}
			is := &Issue{Title: str(body, "title"), Description: str(body, "body"), Fields: body, Status: "open"}
			if ls, ok := body["labels"].([]any); ok {
				for _, l := range ls {
					s, _ := l.(string)
					is.Labels = append(is.Labels, s)
				}
			}
			f.mu.Lock()
			f.add(is, "")
			out := issueJSON(*is)
			f.mu.Unlock()
			writeJSON(w, http.StatusCreated, out)
		})
		mux.HandleFunc("GET /repos/{owner}/{name}/issues/{number}", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			is, ok := f.get(r.PathValue("number"))
			if !ok {
				writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": doc, "status": "404"})
				return
			}
			writeJSON(w, http.StatusOK, issueJSON(is))
		})
		return mux
	})
}
