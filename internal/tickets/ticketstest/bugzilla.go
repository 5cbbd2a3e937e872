package ticketstest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Bugzilla starts a fake Bugzilla 5 that takes X-BUGZILLA-API-KEY: key,
// files bugs of product with POST /rest/bug and answers GET /rest/bug/{id}
// (status, resolution, is_open) and GET /rest/bug/{id}/history. Errors are
// {"error": true, "code", "message"} like Bugzilla's.
func Bugzilla(t testing.TB, key, product string) *Fake {
	return newFake(t, "", key, func(f *Fake) http.Handler {
		mux := http.NewServeMux()
		fault := func(w http.ResponseWriter, status, code int, msg string) {
			writeJSON(w, status, map[string]any{"error": true, "code": code, "message": msg, "documentation": "https://bugzilla.readthedocs.org/en/5.0/api/"})
		}
		auth := func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("X-BUGZILLA-API-KEY") != f.Secret {
				fault(w, http.StatusBadRequest, 306, "The API key you specified is invalid. Please check that you typed it correctly.")
				return false
			}
			if msg, fail := f.failing(); fail {
				fault(w, http.StatusInternalServerError, 32000, msg)
				return false
			}
			return true
		}
		mux.HandleFunc("POST /rest/bug", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			var body map[string]any
			if err := decode(r, &body); err != nil {
				fault(w, http.StatusBadRequest, 32000, "The JSON could not be parsed")
				return
			}
			switch {
			case str(body, "product") != product:
				fault(w, http.StatusBadRequest, 51, "There is no product named '"+str(body, "product")+"'.")
				return
			case str(body, "component") == "":
				fault(w, http.StatusBadRequest, 50, "You must select/enter a component.")
				return
			case str(body, "summary") == "":
				fault(w, http.StatusBadRequest, 50, "You must enter a summary for this bug.")
				return
			case str(body, "version") == "":
				fault(w, http.StatusBadRequest, 50, "You must select/enter a version.")
				return
			}
			is := &Issue{Title: str(body, "summary"), Description: str(body, "description"), Fields: body, Status: "CONFIRMED"}
			f.mu.Lock()
			key := f.add(is, "")
			f.mu.Unlock()
			id, _ := strconv.Atoi(key)
			writeJSON(w, http.StatusOK, map[string]any{"id": id})
		})
		mux.HandleFunc("GET /rest/bug/{id}", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			is, ok := f.get(r.PathValue("id"))
			if !ok {
				fault(w, http.StatusNotFound, 101, "Bug #"+r.PathValue("id")+" does not exist.")
				return
			}
			id, _ := strconv.Atoi(is.Key)
			writeJSON(w, http.StatusOK, map[string]any{"faults": []any{}, "bugs": []any{map[string]any{
				"id": id, "summary": is.Title, "status": is.Status, "resolution": is.Resolution, "is_open": !is.Closed,
				"last_change_time": "2026-12-01T08:00:00Z", "creation_time": "2026-11-20T10:00:00Z",
			}}})
		})
		mux.HandleFunc("GET /rest/bug/{id}/history", func(w http.ResponseWriter, r *http.Request) {
			if !auth(w, r) {
				return
			}
			is, ok := f.get(r.PathValue("id"))
			if !ok {
				fault(w, http.StatusNotFound, 101, "Bug #"+r.PathValue("id")+" does not exist.")
				return
			}
			id, _ := strconv.Atoi(is.Key)
			hist := []any{map[string]any{"when": "2026-11-20T11:00:00Z", "who": "dev@example.com", "changes": []any{
				map[string]any{"field_name": "status", "removed": "NEW", "added": "CONFIRMED"}}}}
			if is.Closed {
				hist = append(hist, map[string]any{"when": is.ClosedAt.Format(time.RFC3339), "who": "dev@example.com", "changes": []any{
					map[string]any{"field_name": "status", "removed": "CONFIRMED", "added": is.Status},
					map[string]any{"field_name": "resolution", "removed": "", "added": is.Resolution}}})
			}
			writeJSON(w, http.StatusOK, map[string]any{"bugs": []any{map[string]any{"id": id, "alias": []string{}, "history": hist}}})
		})
		return mux
	})
}
