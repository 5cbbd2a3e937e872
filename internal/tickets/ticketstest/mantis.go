package ticketstest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Mantis starts a fake MantisBT 2.x that takes the API token in
// Authorization, creates issues in the project with id projectID with
// POST /api/rest/issues and answers GET /api/rest/issues/{id} with status,
// resolution and history. Errors are {"message", "code", "localized"}.
func Mantis(t testing.TB, token string, projectID int) *Fake {
	return newFake(t, "", token, func(f *Fake) http.Handler {
		mux := http.NewServeMux()
		fault := func(w http.ResponseWriter, status, code int, msg string) {
			writeJSON(w, status, map[string]any{"message": msg, "code": code, "localized": msg})
		}
		auth := func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") != f.Secret {
				fault(w, http.StatusUnauthorized, 1000, "API token not found")
				return false
			}
			if msg, fail := f.failing(); fail {
				fault(w, http.StatusInternalServerError, 10, msg)
				return false
			}
			return true
		}
		issueJSON := func(is Issue) map[string]any {
			id, _ := strconv.Atoi(is.Key)
			res := map[string]any{"id": 10, "name": "open", "label": "open"}
			hist := []any{map[string]any{"created_at": "2026-11-20T10:00:00+00:00", "user": map[string]any{"id": 1, "name": "hindsight"},
				"type": map[string]any{"id": 1, "name": "issue-new"}, "message": "New Issue"}}
			updated := "2026-11-20T10:00:00+00:00"
			if is.Closed {
				res = map[string]any{"id": 90, "name": is.Resolution, "label": is.Resolution}
				at := is.ClosedAt.Format(time.RFC3339)
				updated = at
				hist = append(hist, map[string]any{"created_at": at, "user": map[string]any{"id": 2, "name": "dev"},
					"type":      map[string]any{"id": 0, "name": "field-updated"},
					"field":     map[string]any{"name": "status", "label": "Status"},
					"old_value": map[string]any{"id": 10, "name": "new", "label": "new"},
					"new_value": map[string]any{"id": 80, "name": is.Status, "label": is.Status},
					"message":   "Status: new => " + is.Status})
			}
			return map[string]any{"id": id, "summary": is.Title, "description": is.Description,
				"project": map[string]any{"id": projectID, "name": "Operations"}, "category": map[string]any{"id": 1, "name": "General"},
				"status":     map[string]any{"id": 10, "name": is.Status, "label": is.Status, "color": "#fcbdbd"},
				"resolution": res, "created_at": "2026-11-20T10:00:00+00:00", "updated_at": updated, "history": hist}
		}
		mux.HandleFunc("POST /api/rest/issues", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			var body map[string]any
			if err := decode(r, &body); err != nil {
				fault(w, http.StatusBadRequest, 11, "Invalid JSON")
				return
			}
			p, _ := obj(body, "project")["id"].(float64)
			switch {
			case int(p) != projectID:
				fault(w, http.StatusNotFound, 700, "Project '"+strconv.Itoa(int(p))+"' not found")
				return
			case str(body, "summary") == "":
				fault(w, http.StatusBadRequest, 11, "Summary not specified")
				return
			case str(obj(body, "category"), "name") == "":
				fault(w, http.StatusBadRequest, 11, "Category field must be supplied.")
				return
			}
			is := &Issue{Title: str(body, "summary"), Description: str(body, "description"), Fields: body, Status: "new"}
			f.mu.Lock()
			f.add(is, "")
			out := issueJSON(*is)
			f.mu.Unlock()
			writeJSON(w, http.StatusCreated, map[string]any{"issue": out})
		})
		mux.HandleFunc("GET /api/rest/issues/{id}", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			is, ok := f.get(r.PathValue("id"))
			if !ok {
				fault(w, http.StatusNotFound, 1100, "Issue #"+r.PathValue("id")+" not found")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"issues": []any{issueJSON(is)}})
		})
		return mux
	})
}
