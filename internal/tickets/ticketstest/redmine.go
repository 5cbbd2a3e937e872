package ticketstest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Redmine starts a fake Redmine that takes X-Redmine-API-Key: key, creates
// issues in project (id or identifier) with POST /issues.json and answers
// GET /issues/{id}.json with status (is_closed, as Redmine 5.1+ writes it)
// and closed_on.
func Redmine(t testing.TB, key, project string) *Fake {
	return newFake(t, "", key, func(f *Fake) http.Handler {
		mux := http.NewServeMux()
		auth := func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("X-Redmine-API-Key") != f.Secret {
				w.WriteHeader(http.StatusUnauthorized)
				return false
			}
			if msg, fail := f.failing(); fail {
				writeJSON(w, http.StatusInternalServerError, map[string]any{"errors": []string{msg}})
				return false
			}
			return true
		}
		issueJSON := func(is Issue) map[string]any {
			id, _ := strconv.Atoi(is.Key)
			st := map[string]any{"id": redmineStatusID(is.Status), "name": is.Status, "is_closed": is.Closed}
			if f.Legacy {
				delete(st, "is_closed")
			}
			var closedOn any
			if is.Closed {
				closedOn = is.ClosedAt.Format(time.RFC3339)
			}
			return map[string]any{"id": id, "project": map[string]any{"id": 1, "name": project},
				"tracker": map[string]any{"id": 1, "name": "Bug"}, "status": st,
				"subject": is.Title, "description": is.Description, "closed_on": closedOn,
				"created_on": "2026-11-20T10:00:00Z", "updated_on": "2026-11-20T10:00:00Z"}
		}
		mux.HandleFunc("POST /issues.json", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			var body struct {
				Issue map[string]any `json:"issue"`
			}
			if err := decode(r, &body); err != nil {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"Invalid JSON"}})
				return
			}
			var errs []string
			p := body.Issue["project_id"]
			if ps, ok := p.(float64); ok {
				p = strconv.Itoa(int(ps))
			}
			if p != project {
				errs = append(errs, "Project cannot be blank")
			}
			if str(body.Issue, "subject") == "" {
				errs = append(errs, "Subject cannot be blank")
			}
			if len(errs) > 0 {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": errs})
				return
			}
			is := &Issue{Title: str(body.Issue, "subject"), Description: str(body.Issue, "description"), Fields: body.Issue, Status: "New"}
			f.mu.Lock()
			f.add(is, "")
			out := issueJSON(*is)
			f.mu.Unlock()
			writeJSON(w, http.StatusCreated, map[string]any{"issue": out})
		})
		mux.HandleFunc("GET /issue_statuses.json", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			var list []any
			for _, st := range redmineStatuses {
				list = append(list, map[string]any{"id": st.id, "name": st.name, "is_closed": st.closed})
			}
			writeJSON(w, http.StatusOK, map[string]any{"issue_statuses": list})
		})
		mux.HandleFunc("GET /issues/{file}", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			is, ok := f.get(strings.TrimSuffix(r.PathValue("file"), ".json"))
			if !ok || !strings.HasSuffix(r.PathValue("file"), ".json") {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"issue": issueJSON(is)})
		})
		return mux
	})
}

// redmineStatuses are Redmine's default statuses.
var redmineStatuses = []struct {
	id     int
	name   string
	closed bool
}{{1, "New", false}, {2, "In Progress", false}, {3, "Resolved", false}, {4, "Feedback", false}, {5, "Closed", true}, {6, "Rejected", true}}

func redmineStatusID(name string) int {
	for _, st := range redmineStatuses {
		if st.name == name {
			return st.id
		}
	}
	return 1
}
