package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// testPassword is the password of the matrix's users.
const testPassword = "correct horse battery staple"

// authEnv is the real API over a fresh database with real sign-in: no
// test identity, sessions in the database.
type authEnv struct {
	h   http.Handler
	a   *app.App
	st  *store.Store
	ids map[string]int64
	// now is the app's clock, which tests may move (token expiry).
	now time.Time
}

// newAuthEnv builds it; deps, when given, configure the API (Service and
// Sessions are filled in).
func newAuthEnv(t *testing.T, dialect string, deps ...Deps) *authEnv {
	t.Helper()
	e := &authEnv{st: openTestStore(t, dialect), ids: map[string]int64{}, now: testNow}
	e.a = app.New(e.st, app.Options{Now: func() time.Time { return e.now }, Logger: slog.New(slog.DiscardHandler)})
	e.h = e.replica(deps...)
	return e
}

// replica is another API server over the same database, as a second
// replica behind a load balancer would be.
func (e *authEnv) replica(deps ...Deps) http.Handler {
	d := Deps{Auth: AuthDeps{SignInPerMinute: 100000}}
	if len(deps) > 0 {
		d = deps[0]
	}
	d.Service, d.Version, d.Auth.Sessions = e.a, "test", e.st.Sessions()
	return New(d)
}

// user creates a local account with testPassword.
func (e *authEnv) user(t *testing.T, email string, role incident.Role) incident.User {
	t.Helper()
	u, _, err := e.a.CreateUser(context.Background(), app.NewUser{Email: email, Role: role, Password: testPassword})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// token creates an API token.
func (e *authEnv) token(t *testing.T, u incident.User, scopes ...incident.Scope) string {
	t.Helper()
	_, secret, err := e.a.CreateToken(context.Background(), app.NewToken{UserID: u.ID, Name: "t", Scopes: scopes})
	if err != nil {
		t.Fatalf("token for %s: %v", u.Email, err)
	}
	return secret
}

// login signs in with the password and returns the session cookie.
func (e *authEnv) login(t *testing.T, email string) *http.Cookie {
	t.Helper()
	rec := e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, testPassword))
	if rec.Code != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login %s: no session cookie", email)
	return nil
}

// cred is how a request authenticates: a session cookie, a bearer token, or nothing.
type cred struct {
	cookie *http.Cookie
	token  string
}

func (e *authEnv) send(c *cred, method, url, body string) *httptest.ResponseRecorder {
	return sendTo(e.h, c, method, url, body)
}

// sendTo sends one request to h with the credentials.
func sendTo(h http.Handler, c *cred, method, url, body string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil && c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c != nil && c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// must sends a setup request that must answer want and decodes the body.
func (e *authEnv) must(t *testing.T, c *cred, want int, method, url, body string) map[string]any {
	t.Helper()
	rec := e.send(c, method, url, body)
	if rec.Code != want {
		t.Fatalf("setup %s %s: %d, want %d: %s", method, url, rec.Code, want, rec.Body)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// seedIncident creates an incident with an event, an RCA, a root cause and
// an action, and records their ids under prefix.
func (e *authEnv) seedIncident(t *testing.T, admin *cred, prefix, body string) {
	t.Helper()
	inc := e.must(t, admin, 201, "POST", "/api/v1/incidents", body)
	key := inc["key"].(string)
	e.ids[prefix+".incident"] = int64(inc["id"].(float64))
	tl := e.must(t, admin, 201, "POST", "/api/v1/incidents/"+key+"/timeline",
		`[{"source":"slack","external_id":"m1","occurred_at":"2026-03-01T08:00:00Z","kind":"chat","actor":"bob","body":"deploy"}]`)
	e.ids[prefix+".event"] = int64(tl["items"].([]any)[0].(map[string]any)["id"].(float64))
	e.must(t, admin, 201, "PUT", "/api/v1/incidents/"+key+"/rca", `{"version":0,"sections":[{"key":"summary","title":"Summary","body":"It broke."}]}`)
	rc := e.must(t, admin, 201, "POST", "/api/v1/incidents/"+key+"/root-causes", `{"category":"config-change","description":"Bad flag"}`)
	e.ids[prefix+".root_cause"] = int64(rc["id"].(float64))
	ac := e.must(t, admin, 201, "POST", "/api/v1/incidents/"+key+"/actions", `{"title":"Guard the flag","owner":"ana"}`)
	e.ids[prefix+".action"] = int64(ac["id"].(float64))
}

// matrixBodies are request bodies that get past decoding, so a route
// reaches the incident it names; other writes send {}.
var matrixBodies = map[string]string{
	"PATCH /api/v1/incidents/:id":                    `{"title":"Renamed"}`,
	"POST /api/v1/incidents/:id/timeline":            `[{"source":"manual","occurred_at":"2026-03-01T09:00:00Z","kind":"note","body":"x"}]`,
	"PATCH /api/v1/incidents/:id/timeline/:event_id": `{"key_event":true}`,
	"PUT /api/v1/incidents/:id/rca":                  `{"sections":[{"key":"summary","title":"Summary","body":"Changed."}]}`,
	"POST /api/v1/incidents/:id/rca":                 `{"template":"essentials"}`,
	"POST /api/v1/incidents/:id/rca/lint":            `{}`,
	"POST /api/v1/incidents/:id/rca/comments":        `{"section":"summary","body":"Why?"}`,
	"POST /api/v1/incidents/:id/root-causes":         `{"category":"config-change","description":"Another"}`,
	"POST /api/v1/incidents/:id/actions":             `{"title":"Another action"}`,
	"PATCH /api/v1/root-causes/:id":                  `{"description":"Changed"}`,
	"PATCH /api/v1/actions/:id":                      `{"title":"Changed"}`,
	"POST /api/v1/auth/login":                        `{"email":"nobody@example.com","password":"wrong password here"}`,
	"POST /api/v1/similar":                           `{"text":"deploy"}`,
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// matrixURL fills a route's parameters: which incident (and its children)
// under prefix, other objects by the ids seeded.
func (e *authEnv) matrixURL(path, prefix string) string {
	object := ""
	switch {
	case strings.HasPrefix(path, APIPrefix+"/incidents/:id"):
		object = "incident"
	case strings.HasPrefix(path, APIPrefix+"/root-causes/"):
		object = "root_cause"
	case strings.HasPrefix(path, APIPrefix+"/actions/"):
		object = "action"
	}
	return ginParam.ReplaceAllStringFunc(path, func(m string) string {
		switch m {
		case ":id":
			switch {
			case object == "incident":
				return fmt.Sprint(e.ids[prefix+".incident"])
			case object != "":
				return fmt.Sprint(e.ids[prefix+"."+object])
			case strings.HasPrefix(path, APIPrefix+"/users/"):
				return fmt.Sprint(e.ids["other.user"])
			case strings.HasPrefix(path, APIPrefix+"/tokens/"):
				return fmt.Sprint(e.ids["other.token"])
			}
			return "99999"
		case ":event_id":
			return fmt.Sprint(e.ids[prefix+".event"])
		case ":source":
			return "generic"
		case ":key":
			return "essentials"
		}
		return "1"
	})
}

// column is one way of calling: who, and how.
type column struct {
	name string
	cred *cred
	role incident.Role // "" anonymous
	// scopes limit a token column; nil is a session (any scope).
	scopes []incident.Scope
}

// expect is what a column must get for a route's rule, decided here
// without the middleware's code: 0 means "the handler ran" (any status but
// 401 and 403), else 401 or 403.
func expect(need auth.Need, col column) int {
	if need.Public {
		return 0
	}
	if col.role == "" {
		return http.StatusUnauthorized
	}
	if col.role.Rank() < need.Role.Rank() {
		return http.StatusForbidden
	}
	if col.scopes != nil {
		ok := false
		for _, s := range col.scopes {
			ok = ok || s == need.Scope || s == incident.ScopeAdmin || need.Scope == incident.ScopeRead
		}
		if !ok {
			return http.StatusForbidden
		}
	}
	return 0
}

// viewerWrites are the only routes that change nothing shared yet are not
// GETs, which a viewer may call. Any other write open to viewers is a
// mistake in routeRules.
var viewerWrites = map[string]bool{
	"POST /api/v1/render":                 true,
	"POST /api/v1/incidents/:id/rca/lint": true,
	"POST /api/v1/similar":                true,
	"POST /api/v1/auth/logout":            true,
	"PUT /api/v1/auth/password":           true,
	"POST /api/v1/tokens":                 true,
	"DELETE /api/v1/tokens/:id":           true,
}

// publicRoutes are the only routes anyone may call without signing in.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /api/v1/healthz": true, "GET /api/v1/readyz": true,
	"GET /api/v1/openapi.yaml": true, "POST /api/v1/hooks/:source": true, "POST /api/v1/integrations/slack/command": true,
	"POST /api/v1/auth/login": true, "GET /api/v1/auth/oidc/login": true, "GET /api/v1/auth/oidc/callback": true,
	"GET /login": true, "POST /login": true, "POST /login/password": true, "POST /logout": true,
	// The public status page: only what editors marked public.
	"GET /status": true, "HEAD /status": true, "GET /status/incidents/:key": true, "HEAD /status/incidents/:key": true,
	"GET /status/history": true, "HEAD /status/history": true, "GET /status/feed.atom": true, "HEAD /status/feed.atom": true,
	"GET /status/status.css": true, "HEAD /status/status.css": true,
}

// TestAPI_AuthorizationMatrix walks every route gin has registered ×
// {anonymous, viewer, editor, admin (sessions), an editor's read-only
// token, an admin's token} and checks 401/403/allowed against the route's
// rule; then every route that names an incident (or a child by its own id)
// as an editor the incident is not restricted to: the answer is exactly
// that for an incident that does not exist, and nothing changes. A route
// without a rule in routeRules fails here.
func TestAPI_AuthorizationMatrix(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			testAuthorizationMatrix(t, dialect)
		})
	}
}

func testAuthorizationMatrix(t *testing.T, dialect string) {
	e := newAuthEnv(t, dialect)
	viewer := e.user(t, "viewer@example.com", incident.RoleViewer)
	editor := e.user(t, "editor@example.com", incident.RoleEditor)
	admin := e.user(t, "admin@example.com", incident.RoleAdmin)
	e.user(t, "member@example.com", incident.RoleEditor)
	other := e.user(t, "other@example.com", incident.RoleEditor)
	e.ids["other.user"] = other.ID
	e.token(t, other, incident.ScopeRead)
	toks, _ := e.a.Tokens(context.Background(), other.ID)
	e.ids["other.token"] = toks[0].ID

	adminTok := &cred{token: e.token(t, admin, incident.ScopeRead, incident.ScopeWrite, incident.ScopeImport, incident.ScopeAdmin)}
	e.seedIncident(t, adminTok, "open", `{"title":"Checkout down"}`)
	e.seedIncident(t, adminTok, "hidden", `{"title":"Breach of the billing DB","visibility":"restricted","restricted_to":["member@example.com"]}`)
	e.ids["missing.incident"], e.ids["missing.event"], e.ids["missing.root_cause"], e.ids["missing.action"] = 99999, 99999, 99999, 99999

	routes := newEngine(Deps{}).Routes()
	seen := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := routeRules[key]; !ok {
			t.Errorf("route %s has no access rule in routeRules (api/routes.go)", key)
		}
		if routeRules[key].Public != publicRoutes[key] {
			t.Errorf("route %s: public is %t in routeRules but %t in this test's list of public routes", key, routeRules[key].Public, publicRoutes[key])
		}
		need := routeRules[key]
		if r.Method != "GET" && !need.Public && need.Role == incident.RoleViewer && !viewerWrites[key] {
			t.Errorf("route %s lets viewers write", key)
		}
	}
	for key := range routeRules {
		if !seen[key] {
			t.Errorf("routeRules has %s, which is no route", key)
		}
	}

	// The restricted incident first, before the columns below change things.
	t.Run("restricted", func(t *testing.T) {
		outsider := &cred{cookie: e.login(t, "editor@example.com")}
		member := &cred{cookie: e.login(t, "member@example.com")}
		before := e.must(t, adminTok, 200, "GET", fmt.Sprintf("/api/v1/incidents/%d", e.ids["hidden.incident"]), "")
		checked := 0
		for _, r := range routes {
			key := r.Method + " " + r.Path
			if !strings.HasPrefix(r.Path, APIPrefix+"/incidents/:id") && !strings.HasPrefix(r.Path, APIPrefix+"/root-causes/:id") &&
				!strings.HasPrefix(r.Path, APIPrefix+"/actions/:id") {
				continue
			}
			if r.Method == "DELETE" || (r.Method != "GET" && routeRules[key].Role == incident.RoleAdmin) {
				continue // deletes below, once the rest is checked
			}
			checked++
			body := matrixBodies[key]
			if body == "" && r.Method != "GET" {
				body = "{}"
			}
			hidden := e.send(outsider, r.Method, e.matrixURL(r.Path, "hidden"), body)
			missing := e.send(outsider, r.Method, e.matrixURL(r.Path, "missing"), body)
			if hidden.Code != missing.Code || hidden.Code < 400 {
				t.Errorf("%s on the hidden incident: %d %s; on a missing one: %d %s", key, hidden.Code, hidden.Body, missing.Code, missing.Body)
			}
			if code(hidden.Body.Bytes()) != code(missing.Body.Bytes()) {
				t.Errorf("%s: error code %q on the hidden incident, %q on a missing one", key, code(hidden.Body.Bytes()), code(missing.Body.Bytes()))
			}
			if r.Method == "GET" && r.Path != APIPrefix+"/incidents/:id/rca/diff" {
				if rec := e.send(member, r.Method, e.matrixURL(r.Path, "hidden"), ""); rec.Code == 404 && code(rec.Body.Bytes()) != "rca_revision_not_found" {
					t.Errorf("%s: the member gets 404: %s", key, rec.Body)
				}
			}
		}
		for _, url := range []string{
			fmt.Sprintf("/api/v1/root-causes/%d", e.ids["hidden.root_cause"]),
			fmt.Sprintf("/api/v1/actions/%d", e.ids["hidden.action"]),
			fmt.Sprintf("/api/v1/incidents/%d/timeline/%d", e.ids["hidden.incident"], e.ids["hidden.event"]),
			fmt.Sprintf("/api/v1/incidents/%d", e.ids["hidden.incident"]),
		} {
			if rec := e.send(outsider, "DELETE", url, ""); rec.Code != 404 {
				t.Errorf("DELETE %s as an outsider: %d %s", url, rec.Code, rec.Body)
			}
		}
		if checked < 30 {
			t.Errorf("only %d incident routes checked", checked)
		}
		after := e.must(t, adminTok, 200, "GET", fmt.Sprintf("/api/v1/incidents/%d", e.ids["hidden.incident"]), "")
		if before["version"] != after["version"] || after["title"] != "Breach of the billing DB" {
			t.Errorf("the hidden incident changed: %v -> %v", before, after)
		}
		tl := e.must(t, adminTok, 200, "GET", fmt.Sprintf("/api/v1/incidents/%d/timeline", e.ids["hidden.incident"]), "")
		rcs := e.must(t, adminTok, 200, "GET", fmt.Sprintf("/api/v1/incidents/%d/actions", e.ids["hidden.incident"]), "")
		if tl["total"].(float64) != 1 || rcs["total"].(float64) != 1 {
			t.Errorf("the hidden incident's children changed: timeline %v, actions %v", tl["total"], rcs["total"])
		}
	})

	cols := []column{
		{name: "anonymous", cred: &cred{}},
		{name: "viewer", cred: &cred{cookie: e.login(t, "viewer@example.com")}, role: incident.RoleViewer},
		{name: "editor read-only token", cred: &cred{token: e.token(t, editor, incident.ScopeRead)}, role: incident.RoleEditor,
			scopes: []incident.Scope{incident.ScopeRead}},
		{name: "editor", cred: &cred{cookie: e.login(t, "editor@example.com")}, role: incident.RoleEditor},
		{name: "admin token", cred: adminTok, role: incident.RoleAdmin, scopes: []incident.Scope{incident.ScopeAdmin}},
		{name: "admin", cred: &cred{cookie: e.login(t, "admin@example.com")}, role: incident.RoleAdmin},
	}
	_ = viewer
	for _, col := range cols {
		t.Run(col.name, func(t *testing.T) {
			for _, r := range routes {
				key := r.Method + " " + r.Path
				if key == "POST "+APIPrefix+"/auth/logout" || key == "POST /logout" {
					continue // would end the column's session; see TestAPI_Logout
				}
				body := matrixBodies[key]
				if body == "" && r.Method != "GET" {
					body = "{}"
				}
				rec := e.send(col.cred, r.Method, e.matrixURL(r.Path, "open"), body)
				want := expect(routeRules[key], col)
				// The guard's refusals carry these codes; a handler's own
				// 401 (a wrong password) does not.
				c := code(rec.Body.Bytes())
				refused := (rec.Code == 401 && c == "unauthenticated") || (rec.Code == 403 && c == "forbidden")
				switch {
				case want == 0 && refused:
					t.Errorf("%s: %d, want the handler to run: %.300s", key, rec.Code, rec.Body)
				case want != 0 && (rec.Code != want || !refused):
					t.Errorf("%s: %d, want %d: %.300s", key, rec.Code, want, rec.Body)
				}
			}
		})
	}
	// Refusals are in the audit log.
	es, _, err := e.a.AuditLog(context.Background(), incident.AuditFilter{Action: incident.AuditDenied, Limit: 500})
	if err != nil || len(es) < 20 {
		t.Errorf("audit log has %d auth.denied entries (err %v), want many", len(es), err)
	}
}

// code is the error code of an error body.
func code(b []byte) string {
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &body)
	return body.Error.Code
}
