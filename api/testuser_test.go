package api

import (
	"net/http"
	"strings"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// testViewerHeader, in tests, signs the request in as a viewer: the first
// comma-separated value is the e-mail address, the others are groups.
const testViewerHeader = "X-Test-Viewer"

// testUser is the test identity of the tests that predate sign-in: every
// request is an admin, named by X-User when set (the review tests speak for
// several people), or a viewer with X-Test-Viewer. Without X-User the admin
// is named "anonymous", the actor those tests were written against.
func testUser(r *http.Request) auth.Principal {
	if v, ok := r.Header[testViewerHeader]; ok {
		ps := strings.Split(v[0], ",")
		return auth.Principal{User: &incident.User{ID: 2, Email: ps[0], Groups: ps[1:], Role: incident.RoleViewer, SessionVersion: 1}}
	}
	name := r.Header.Get("X-User")
	if name == "" {
		name = incident.Anonymous
	}
	return auth.Principal{User: &incident.User{ID: 1, Email: name, Role: incident.RoleAdmin, SessionVersion: 1}}
}
