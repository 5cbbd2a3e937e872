package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// auditActions returns the actions of the newest audit entries.
func auditActions(t *testing.T, e *authEnv, action string) []incident.AuditEntry {
	t.Helper()
	es, _, err := e.a.AuditLog(context.Background(), incident.AuditFilter{Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestAPI_Login signs in with a local password: a wrong password is 401
// and audited, repeated failures are throttled (429 with Retry-After), the
// session cookie is HttpOnly and SameSite=Lax and gets a new token at
// sign-in, and a one-time password must be changed before anything else.
func TestAPI_Login(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newAuthEnv(t, dialect)
			e.user(t, "ana@example.com", incident.RoleEditor)

			rec := e.send(nil, "POST", "/api/v1/auth/login", `{"email":"ana@example.com","password":"not the password"}`)
			if rec.Code != 401 || code(rec.Body.Bytes()) != "bad_credentials" {
				t.Fatalf("wrong password: %d %s", rec.Code, rec.Body)
			}
			rec = e.send(nil, "POST", "/api/v1/auth/login", `{"email":"nobody@example.com","password":"not the password"}`)
			if rec.Code != 401 || !strings.Contains(rec.Body.String(), "wrong e-mail address or password") {
				t.Fatalf("unknown account: %d %s", rec.Code, rec.Body)
			}
			if es := auditActions(t, e, incident.AuditLoginFailed); len(es) != 2 || !strings.Contains(es[0].Detail, "no such account") ||
				!strings.Contains(es[1].Detail, "wrong password") {
				t.Errorf("failed sign-ins in the audit log: %+v", es)
			}
			// A password typed into the e-mail field stays out of the log.
			e.send(nil, "POST", "/api/v1/auth/login", `{"email":"Tr0ub4dor&3 horse","password":"x"}`)
			if es := auditActions(t, e, incident.AuditLoginFailed); len(es) != 3 || strings.Contains(es[0].Detail, "Tr0ub4dor") ||
				!strings.Contains(es[0].Detail, "not an e-mail address") {
				t.Errorf("a non-address in the audit log: %+v", es[0])
			}

			// A session cookie planted before sign-in is not the one after.
			planted := &cred{cookie: &http.Cookie{Name: sessionCookie, Value: "planted-by-an-attacker"}}
			rec = e.send(planted, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"ANA@example.com","password":%q}`, testPassword))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"email":"ana@example.com"`) {
				t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
			}
			sc := rec.Header().Get("Set-Cookie")
			if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || strings.Contains(sc, "Secure") ||
				strings.Contains(sc, "planted-by-an-attacker") {
				t.Errorf("session cookie: %s", sc)
			}
			if es := auditActions(t, e, incident.AuditLogin); len(es) != 1 || es[0].Actor != "ana@example.com" {
				t.Errorf("sign-in audit: %+v", es)
			}

			// Throttling: the first failures are free, then the account waits.
			for i := range 6 {
				if rec := e.send(nil, "POST", "/api/v1/auth/login", `{"email":"ana@example.com","password":"guess guess guess"}`); rec.Code != 401 {
					t.Fatalf("guess %d: %d", i, rec.Code)
				}
			}
			rec = e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"ana@example.com","password":%q}`, testPassword))
			if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
				t.Errorf("after repeated failures even the right password waits: %d %v", rec.Code, rec.Header())
			}
			// The lock holds for the address the failures came from; from
			// another one the owner signs in (a little late), so a stranger
			// cannot lock anyone out.
			req := newRequest("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"ana@example.com","password":%q}`, testPassword))
			req.RemoteAddr = "198.51.100.7:4242"
			start := time.Now()
			if rec := serve(e.h, req); rec.Code != 200 {
				t.Errorf("the owner from another address after a stranger's failures: %d %s", rec.Code, rec.Body)
			}
			if d := time.Since(start); d > maxAccountDelay+2*time.Second {
				t.Errorf("the owner waited %v", d)
			}
		})
	}
}

// TestAPI_OneTimePassword: a user with a one-time password can only change
// it; the change needs the current password and ends other sessions.
func TestAPI_OneTimePassword(t *testing.T) {
	e := newAuthEnv(t, "sqlite")
	u, pw, err := e.a.CreateUser(context.Background(), appNewUser("bo@example.com", incident.RoleViewer))
	if err != nil || pw == "" {
		t.Fatalf("create: %v %q", err, pw)
	}
	rec := e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"bo@example.com","password":%q}`, pw))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"must_change_password":true`) {
		t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	c1 := &cred{cookie: rec.Result().Cookies()[0]}
	rec = e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"bo@example.com","password":%q}`, pw))
	c2 := &cred{cookie: rec.Result().Cookies()[0]}
	if rec := e.send(c1, "GET", "/api/v1/incidents", ""); rec.Code != 403 || code(rec.Body.Bytes()) != "password_change_required" {
		t.Errorf("before the change: %d %s", rec.Code, rec.Body)
	}
	if rec := e.send(c1, "PUT", "/api/v1/auth/password", `{"current_password":"wrong one","new_password":"a much better password"}`); rec.Code != 422 ||
		!strings.Contains(rec.Body.String(), "current_password") {
		t.Errorf("wrong current password: %d %s", rec.Code, rec.Body)
	}
	if rec := e.send(c1, "PUT", "/api/v1/auth/password", fmt.Sprintf(`{"current_password":%q,"new_password":"short"}`, pw)); rec.Code != 422 ||
		!strings.Contains(rec.Body.String(), "new_password") {
		t.Errorf("short password: %d %s", rec.Code, rec.Body)
	}
	rec = e.send(c1, "PUT", "/api/v1/auth/password", fmt.Sprintf(`{"current_password":%q,"new_password":"a much better password"}`, pw))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"must_change_password":false`) {
		t.Fatalf("change: %d %s", rec.Code, rec.Body)
	}
	c1 = &cred{cookie: rec.Result().Cookies()[0]} // renewed
	if rec := e.send(c1, "GET", "/api/v1/incidents", ""); rec.Code != 200 {
		t.Errorf("after the change: %d %s", rec.Code, rec.Body)
	}
	if rec := e.send(c2, "GET", "/api/v1/auth/me", ""); rec.Code != 401 {
		t.Errorf("the other session after the change: %d %s", rec.Code, rec.Body)
	}
	if es := auditActions(t, e, incident.AuditPasswordChange); len(es) != 2 || es[0].ObjectID != u.ID {
		t.Errorf("password change audit: %+v", es)
	}

	// A one-time password ends after a day; a chosen one does not.
	cy, cyPw, err := e.a.CreateUser(context.Background(), appNewUser("cy@example.com", incident.RoleViewer))
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(app.OneTimePasswordTTL + time.Minute)
	if rec := e.send(nil, "POST", "/api/v1/auth/login", `{"email":"bo@example.com","password":"a much better password"}`); rec.Code != 200 {
		t.Errorf("a chosen password a day later: %d %s", rec.Code, rec.Body)
	}
	rec = e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"cy@example.com","password":%q}`, cyPw))
	if rec.Code != 401 || code(rec.Body.Bytes()) != "password_expired" || !strings.Contains(rec.Body.String(), "hindsight user reset-password") {
		t.Errorf("an expired one-time password: %d %s", rec.Code, rec.Body)
	}
	if es := auditActions(t, e, incident.AuditLoginFailed); len(es) == 0 || es[0].Detail != "cy@example.com: one-time password expired" {
		t.Errorf("expired one-time password audit: %+v", es)
	}
	// A wrong password for that account says nothing about the expiry.
	if rec := e.send(nil, "POST", "/api/v1/auth/login", `{"email":"cy@example.com","password":"not the password"}`); code(rec.Body.Bytes()) != "bad_credentials" {
		t.Errorf("wrong password on an expired account: %d %s", rec.Code, rec.Body)
	}
	newPw, err := e.a.ResetPassword(context.Background(), cy.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec := e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"cy@example.com","password":%q}`, newPw)); rec.Code != 200 {
		t.Errorf("after a reset: %d %s", rec.Code, rec.Body)
	}
}

// TestAPI_LogoutReplicas: two API servers share one database; a session
// made on one works on the other, and signing out on one ends it on both.
// A tampered cookie is refused and audited.
func TestAPI_LogoutReplicas(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newAuthEnv(t, dialect)
			e.user(t, "cy@example.com", incident.RoleViewer)
			r1, r2 := e.h, e.replica()
			c := &cred{cookie: e.login(t, "cy@example.com")}
			if rec := sendTo(r2, c, "GET", "/api/v1/auth/me", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"via":"session"`) {
				t.Fatalf("the session on the other replica: %d %s", rec.Code, rec.Body)
			}
			if rec := sendTo(r1, c, "POST", "/api/v1/auth/logout", ""); rec.Code != 204 ||
				!strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
				t.Fatalf("logout: %d %v", rec.Code, rec.Header())
			}
			for i, h := range []http.Handler{r1, r2} {
				if rec := sendTo(h, c, "GET", "/api/v1/auth/me", ""); rec.Code != 401 {
					t.Errorf("replica %d after logout: %d %s", i+1, rec.Code, rec.Body)
				}
				e.now = e.now.Add(app.RefusalAuditEvery) // each refusal gets its own audit entry
			}
			tampered := &cred{cookie: &http.Cookie{Name: sessionCookie, Value: c.cookie.Value[:len(c.cookie.Value)-2] + "xx"}}
			if rec := sendTo(r2, tampered, "GET", "/api/v1/incidents", ""); rec.Code != 401 ||
				!strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
				t.Errorf("tampered cookie: %d %s (the cookie is to be expired: %q)", rec.Code, rec.Body, rec.Header().Get("Set-Cookie"))
			}
			if es := auditActions(t, e, incident.AuditLogout); len(es) != 1 || es[0].Actor != "cy@example.com" {
				t.Errorf("logout audit: %+v", es)
			}
			if es := auditActions(t, e, incident.AuditDenied); len(es) < 3 || !strings.Contains(es[0].Detail, "unknown or expired session") {
				t.Errorf("refusals in the audit log: %+v", es)
			}
		})
	}
}

// TestAPI_Tokens: create a token (shown once), use it, its last use is
// recorded; a read token cannot write; an expired or revoked token is 401;
// a disabled user's tokens stop working; nobody revokes others' tokens but
// admins.
func TestAPI_Tokens(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newAuthEnv(t, dialect)
			dee := e.user(t, "dee@example.com", incident.RoleEditor)
			e.user(t, "eve@example.com", incident.RoleEditor)
			admin := &cred{token: e.token(t, e.user(t, "root@example.com", incident.RoleAdmin), incident.ScopeAdmin)}
			session := &cred{cookie: e.login(t, "dee@example.com")}

			rec := e.send(session, "POST", "/api/v1/tokens", `{"name":"ci","scopes":["read","write"],"expires_in_days":30}`)
			if rec.Code != 201 || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			var created struct {
				ID     int64  `json:"id"`
				Token  string `json:"token"`
				Prefix string `json:"prefix"`
			}
			decodeTestJSON(t, rec.Body.String(), &created)
			if !strings.HasPrefix(created.Token, "hs_") || !strings.HasPrefix(created.Token, created.Prefix) {
				t.Fatalf("token %q prefix %q", created.Token, created.Prefix)
			}
			if list := e.send(session, "GET", "/api/v1/tokens", "").Body.String(); strings.Contains(list, created.Token) ||
				!strings.Contains(list, `"last_used_at":null`) {
				t.Errorf("the list shows the secret or a use: %s", list)
			}
			if rec := e.send(session, "POST", "/api/v1/tokens", `{"name":"x","scopes":["admin"]}`); rec.Code != 422 {
				t.Errorf("an editor's admin-scoped token: %d %s", rec.Code, rec.Body)
			}

			tok := &cred{token: created.Token}
			if rec := e.send(tok, "POST", "/api/v1/incidents", `{"title":"From CI"}`); rec.Code != 201 ||
				!strings.Contains(rec.Body.String(), `"title":"From CI"`) {
				t.Fatalf("write with the token: %d %s", rec.Code, rec.Body)
			}
			if rec := e.send(tok, "POST", "/api/v1/tokens", `{"name":"wider","scopes":["write","import"]}`); rec.Code != 403 {
				t.Errorf("a write token makes tokens: %d %s", rec.Code, rec.Body)
			}
			got, err := e.a.Token(context.Background(), created.ID)
			if err != nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(testNow) {
				t.Errorf("last used: %v %v", got.LastUsedAt, err)
			}
			if es := auditActions(t, e, incident.AuditTokenUse); len(es) != 1 {
				t.Errorf("token use is audited once a minute, got %d entries", len(es))
			}
			if es := auditActions(t, e, "incident.create"); len(es) != 1 || es[0].Actor != "dee@example.com" {
				t.Errorf("the write's actor: %+v", es)
			}

			// Someone else's token is not found; an admin may revoke it.
			eve := &cred{cookie: e.login(t, "eve@example.com")}
			if rec := e.send(eve, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), ""); rec.Code != 404 {
				t.Errorf("eve revokes dee's token: %d %s", rec.Code, rec.Body)
			}

			// Expiry: 31 days later the token is refused.
			e.now = testNow.AddDate(0, 0, 31)
			if rec := e.send(tok, "GET", "/api/v1/incidents", ""); rec.Code != 401 {
				t.Errorf("expired token: %d %s", rec.Code, rec.Body)
			}
			e.now = testNow

			// Disabling the user stops the token; enabling brings it back.
			e.must(t, admin, 200, "PATCH", fmt.Sprintf("/api/v1/users/%d", dee.ID), `{"disabled":true}`)
			if rec := e.send(tok, "GET", "/api/v1/incidents", ""); rec.Code != 401 {
				t.Errorf("disabled user's token: %d", rec.Code)
			}
			if rec := e.send(session, "GET", "/api/v1/incidents", ""); rec.Code != 401 {
				t.Errorf("disabled user's session: %d", rec.Code)
			}
			e.must(t, admin, 200, "PATCH", fmt.Sprintf("/api/v1/users/%d", dee.ID), `{"disabled":false}`)
			if rec := e.send(tok, "GET", "/api/v1/incidents", ""); rec.Code != 200 {
				t.Errorf("re-enabled user's token: %d", rec.Code)
			}

			rec = e.send(admin, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), "")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"revoked_at":"`) {
				t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
			}
			// Revoking it again changes nothing and audits nothing.
			e.must(t, admin, 200, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), "")
			if rec := e.send(tok, "GET", "/api/v1/incidents", ""); rec.Code != 401 {
				t.Errorf("revoked token: %d %s", rec.Code, rec.Body)
			}
			if es := auditActions(t, e, incident.AuditDenied); len(es) < 3 {
				t.Errorf("refused tokens in the audit log: %+v", es)
			}
			if es := auditActions(t, e, incident.AuditTokenRevoke); len(es) != 1 || es[0].Actor != "root@example.com" {
				t.Errorf("revocation audit: %+v", es)
			}
		})
	}
}

// TestAPI_ViewerWrites: a viewer's write is refused (403), audited, and
// changes nothing.
func TestAPI_ViewerWrites(t *testing.T) {
	e := newAuthEnv(t, "sqlite")
	e.user(t, "vi@example.com", incident.RoleViewer)
	admin := &cred{token: e.token(t, e.user(t, "root@example.com", incident.RoleAdmin), incident.ScopeAdmin)}
	e.must(t, admin, 201, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	vi := &cred{cookie: e.login(t, "vi@example.com")}
	for _, w := range []struct{ method, url, body string }{
		{"PATCH", "/api/v1/incidents/INC-1", `{"title":"Hacked"}`},
		{"DELETE", "/api/v1/incidents/INC-1", ""},
		{"POST", "/api/v1/incidents", `{"title":"New"}`},
		{"POST", "/api/v1/users", `{"email":"x@example.com","role":"admin"}`},
		{"GET", "/api/v1/audit", ""},
	} {
		if rec := e.send(vi, w.method, w.url, w.body); rec.Code != 403 || code(rec.Body.Bytes()) != "forbidden" {
			t.Errorf("%s %s as a viewer: %d %s", w.method, w.url, rec.Code, rec.Body)
		}
	}
	inc := e.must(t, admin, 200, "GET", "/api/v1/incidents/INC-1", "")
	if inc["title"] != "Checkout down" || inc["version"].(float64) != 1 {
		t.Errorf("the incident changed: %v", inc)
	}
	list := e.must(t, admin, 200, "GET", "/api/v1/incidents", "")
	if list["total"].(float64) != 1 {
		t.Errorf("incidents: %v", list["total"])
	}
	if es := auditActions(t, e, incident.AuditDenied); len(es) != 5 || es[0].Actor != "vi@example.com" || !strings.Contains(es[0].Detail, "role viewer may not") {
		t.Errorf("refusals: %+v", es)
	}
}

// TestAPI_Users: an admin creates a user (one-time password shown once),
// changes the role (audited), resets the password (old sessions end) and
// cannot demote the last admin.
func TestAPI_Users(t *testing.T) {
	e := newAuthEnv(t, "postgres")
	root := e.user(t, "root@example.com", incident.RoleAdmin)
	admin := &cred{cookie: e.login(t, "root@example.com")}
	out := e.must(t, admin, 201, "POST", "/api/v1/users", `{"email":" Fay@Example.com ","name":"Fay","role":"viewer"}`)
	pw, _ := out["one_time_password"].(string)
	user := out["user"].(map[string]any)
	id := int64(user["id"].(float64))
	if len(pw) < 16 || user["email"] != "fay@example.com" || user["must_change_password"] != true {
		t.Fatalf("created: %v", out)
	}
	if rec := e.send(admin, "POST", "/api/v1/users", `{"email":"FAY@example.com"}`); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"email"`) {
		t.Errorf("the same address in another case: %d %s", rec.Code, rec.Body)
	}
	if rec := e.send(admin, "POST", "/api/v1/users", `{"email":"not an address"}`); rec.Code != 422 {
		t.Errorf("bad address: %d %s", rec.Code, rec.Body)
	}
	fay := &cred{cookie: e.login2(t, "fay@example.com", pw)}
	fayUser, err := e.a.UserByEmail(context.Background(), "fay@example.com")
	if err != nil {
		t.Fatal(err)
	}
	fayToken := &cred{token: e.token(t, fayUser, incident.ScopeRead)}
	e.must(t, fayToken, 200, "GET", "/api/v1/auth/me", "")
	e.must(t, admin, 200, "PATCH", fmt.Sprintf("/api/v1/users/%d", id), `{"role":"editor"}`)
	if es := auditActions(t, e, incident.AuditUserRole); len(es) != 1 || !strings.Contains(es[0].Detail, "viewer -> editor") {
		t.Errorf("role change audit: %+v", es)
	}
	reset := e.must(t, admin, 200, "POST", fmt.Sprintf("/api/v1/users/%d/reset-password", id), "")
	if reset["one_time_password"] == pw || reset["one_time_password"] == "" {
		t.Errorf("reset: %v", reset)
	}
	if rec := e.send(fay, "GET", "/api/v1/auth/me", ""); rec.Code != 401 {
		t.Errorf("fay's session after the reset: %d", rec.Code)
	}
	// A reset answers a compromised account: the tokens end too.
	if rec := e.send(fayToken, "GET", "/api/v1/auth/me", ""); rec.Code != 401 {
		t.Errorf("fay's API token after the reset: %d", rec.Code)
	}
	if es := auditActions(t, e, incident.AuditPasswordReset); len(es) != 1 || !strings.Contains(es[0].Detail, "1 API token(s) revoked") {
		t.Errorf("reset audit: %+v", es)
	}
	if rec := e.send(admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", root.ID), `{"role":"viewer"}`); rec.Code != 422 ||
		!strings.Contains(rec.Body.String(), "last enabled admin") {
		t.Errorf("demoting the last admin: %d %s", rec.Code, rec.Body)
	}
	audit := e.must(t, admin, 200, "GET", "/api/v1/audit?action=user.&limit=2", "")
	items := audit["items"].([]any)
	if len(items) != 2 || audit["next_cursor"] == "" || items[0].(map[string]any)["action"] != incident.AuditPasswordReset {
		t.Fatalf("audit page: %v", audit)
	}
	next := e.must(t, admin, 200, "GET", "/api/v1/audit?action=user.&limit=2&cursor="+audit["next_cursor"].(string), "")
	if n := len(next["items"].([]any)); n != 2 {
		t.Errorf("second page: %v", next)
	}
	if rec := e.send(admin, "GET", "/api/v1/audit?since=yesterday", ""); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"since"`) {
		t.Errorf("bad since: %d %s", rec.Code, rec.Body)
	}
	byActor := e.must(t, admin, 200, "GET", "/api/v1/audit?actor=ROOT@example.com&since=2020-01-01", "")
	for _, it := range byActor["items"].([]any) {
		if it.(map[string]any)["actor"] != "root@example.com" {
			t.Errorf("actor filter: %v", it)
		}
	}
}

// login2 signs in with a given password.
func (e *authEnv) login2(t *testing.T, email, pw string) *http.Cookie {
	t.Helper()
	rec := e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, pw))
	if rec.Code != 200 {
		t.Fatalf("login %s: %d %s", email, rec.Code, rec.Body)
	}
	return rec.Result().Cookies()[0]
}

// TestAPI_Baseline: strict headers on every answer, cross-origin cookie
// writes refused (bearer requests exempt), webhooks rate-limited per
// address with Retry-After.
func TestAPI_Baseline(t *testing.T) {
	e := newAuthEnv(t, "sqlite", Deps{Auth: AuthDeps{HooksPerMinute: 60, HSTS: true, CookieSecure: true}})
	e.user(t, "gus@example.com", incident.RoleEditor)
	gus := &cred{cookie: e.login(t, "gus@example.com")}
	for _, url := range []string{"/healthz", "/api/v1/incidents", "/nowhere", "/login"} {
		rec := e.send(nil, "GET", url, "")
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("Referrer-Policy") == "" ||
			!strings.HasPrefix(h.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("%s: headers %v", url, h)
		}
	}
	if sc := e.send(nil, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"gus@example.com","password":%q}`, testPassword)).Header().Get("Set-Cookie"); !strings.Contains(sc, "Secure") {
		t.Errorf("cookie over https: %s", sc)
	}

	req := func(c *cred, origin string) int {
		r := newRequest("POST", "/api/v1/incidents", `{"title":"From elsewhere"}`)
		r.Header.Set("Origin", origin)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		if c.cookie != nil {
			r.AddCookie(c.cookie)
		}
		if c.token != "" {
			r.Header.Set("Authorization", "Bearer "+c.token)
		}
		return serve(e.h, r).Code
	}
	if got := req(gus, "https://evil.example"); got != 403 {
		t.Errorf("cross-origin cookie write: %d", got)
	}
	// A cookie-authenticated JSON route takes JSON only (a cross-site form
	// could send text/plain with the cookie).
	plain := newRequest("POST", "/api/v1/incidents", `{"title":"From a form"}`)
	plain.Header.Set("Content-Type", "text/plain")
	plain.AddCookie(gus.cookie)
	if rec := serve(e.h, plain); rec.Code != 415 || code(rec.Body.Bytes()) != "unsupported_media_type" {
		t.Errorf("text/plain body with a cookie: %d %s", rec.Code, rec.Body)
	}
	tok := &cred{token: e.token(t, e.user(t, "bot@example.com", incident.RoleEditor), incident.ScopeWrite)}
	if got := req(tok, "https://evil.example"); got != 201 {
		t.Errorf("cross-origin bearer write: %d", got)
	}
	list := e.must(t, tok, 200, "GET", "/api/v1/incidents", "")
	if list["total"].(float64) != 1 {
		t.Errorf("incidents after the refused write: %v", list["total"])
	}

	// Webhooks: 60 a minute in bursts of 500 here; the 501st in a row waits.
	var last int
	var retry string
	for range 510 {
		rec := e.send(nil, "POST", "/api/v1/hooks/generic", `{}`)
		last, retry = rec.Code, rec.Header().Get("Retry-After")
		if last == 429 {
			break
		}
	}
	if last != 429 || retry == "" {
		t.Errorf("webhook flood: last %d, Retry-After %q", last, retry)
	}
}

func newRequest(method, url, body string) *http.Request {
	r := httptest.NewRequest(method, url, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func appNewUser(email string, role incident.Role) app.NewUser {
	return app.NewUser{Email: email, Role: role}
}

// TestAPI_TrustedProxies: X-Forwarded-For names the client only when the
// peer is a configured proxy; it is what the audit log records and what
// the per-address limits count.
func TestAPI_TrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxy trusted", nil, "192.0.2.1"},
		{"behind the load balancer", []string{"192.0.2.0/24"}, "203.0.113.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newAuthEnv(t, "sqlite", Deps{TrustedProxies: tc.proxies, Auth: AuthDeps{SignInPerMinute: 1000}})
			r := newRequest("POST", "/api/v1/auth/login", `{"email":"x@example.com","password":"wrong password!"}`)
			r.Header.Set("X-Forwarded-For", "203.0.113.9")
			if rec := serve(e.h, r); rec.Code != 401 {
				t.Fatalf("login: %d %s", rec.Code, rec.Body)
			}
			if es := auditActions(t, e, incident.AuditLoginFailed); len(es) != 1 || es[0].RemoteAddr != tc.want {
				t.Errorf("audit: %+v, want remote address %s", es, tc.want)
			}
		})
	}
}

// TestAPI_SignInRateIPv6: the sign-in rate limit counts an IPv6 /64 as one
// client, since a subscriber holds the whole /64.
func TestAPI_SignInRateIPv6(t *testing.T) {
	e := newAuthEnv(t, "sqlite", Deps{Auth: AuthDeps{SignInPerMinute: 10}})
	from := func(addr string) int {
		req := newRequest("POST", "/api/v1/auth/login", `{"email":"x@example.com","password":""}`)
		req.RemoteAddr = addr
		return serve(e.h, req).Code
	}
	for i := range 10 {
		if got := from(fmt.Sprintf("[2001:db8:1:2::%x]:4000", i+1)); got != 401 {
			t.Fatalf("sign-in %d: %d", i, got)
		}
	}
	if got := from("[2001:db8:1:2:ffff::1]:4000"); got != 429 {
		t.Errorf("another address of the same /64: %d", got)
	}
	if got := from("[2001:db8:1:3::1]:4000"); got != 401 {
		t.Errorf("another /64: %d", got)
	}
}

// TestAPI_RefusalAudit: refusals of unauthenticated requests (junk
// credentials, cross-site writes, rate limits) are audited with the request
// id, at most once a minute per client address, so an anonymous client
// cannot flood the audit log; the next entry counts what was left out.
func TestAPI_RefusalAudit(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newAuthEnv(t, dialect, Deps{Auth: AuthDeps{SignInPerMinute: 1}})
			from := func(addr string, r *http.Request) *httptest.ResponseRecorder {
				r.RemoteAddr = addr
				return serve(e.h, r)
			}
			junk := func(addr string, i int) int {
				r := newRequest("GET", "/api/v1/incidents", "")
				if i%2 == 0 {
					r.Header.Set("Authorization", fmt.Sprintf("Bearer hs_junk%d", i))
				} else {
					r.AddCookie(&http.Cookie{Name: sessionCookie, Value: fmt.Sprintf("bogus%d", i)})
				}
				return from(addr, r).Code
			}
			for i := range 60 {
				if got := junk("203.0.113.5:1000", i); got != 401 {
					t.Fatalf("junk %d: %d", i, got)
				}
			}
			if es := auditActions(t, e, incident.AuditDenied); len(es) != 1 || es[0].RequestID == "" || es[0].RemoteAddr != "203.0.113.5" {
				t.Fatalf("60 junk requests from one address: %d entries %+v", len(es), es)
			}
			// Another address has its own budget; a minute later the first
			// address's next refusal is written with the count of the rest.
			junk("203.0.113.6:1000", 0)
			e.now = e.now.Add(app.RefusalAuditEvery)
			junk("203.0.113.5:1000", 1)
			es := auditActions(t, e, incident.AuditDenied)
			if len(es) != 3 || !strings.Contains(es[0].Detail, "and 59 more refusals from this address") {
				t.Fatalf("after a minute: %+v", es)
			}

			// A cross-site write is refused and audited, with its request id.
			e.now = e.now.Add(app.RefusalAuditEvery)
			r := newRequest("POST", "/api/v1/incidents", `{"title":"x"}`)
			r.Header.Set("Origin", "https://evil.example")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			rec := from("203.0.113.5:1000", r)
			if rec.Code != 403 || code(rec.Body.Bytes()) != "cross_origin_refused" {
				t.Fatalf("cross-site write: %d %s", rec.Code, rec.Body)
			}
			rid := rec.Header().Get(HeaderRequestID)
			if es := auditActions(t, e, incident.AuditDenied); len(es) != 4 || !strings.Contains(es[0].Detail, "CSRF") ||
				rid == "" || es[0].RequestID != rid || !strings.Contains(rec.Body.String(), rid) {
				t.Errorf("cross-site write audit (request id %q): %+v", rid, es[0])
			}

			// A rate limit (bursts of 10 sign-ins here) is audited too.
			e.now = e.now.Add(app.RefusalAuditEvery)
			for range 11 {
				rec = from("203.0.113.7:1000", newRequest("POST", "/api/v1/auth/login", `{"email":"x@example.com","password":""}`))
			}
			if es := auditActions(t, e, incident.AuditDenied); rec.Code != 429 || len(es) != 5 || !strings.Contains(es[0].Detail, "rate limit") {
				t.Errorf("rate limit audit: %d %+v", rec.Code, es[0])
			}
		})
	}
}

// TestAPI_SessionTouch: a request that only moves a session's idle
// deadline does not rewrite its row; a change to the session does.
func TestAPI_SessionTouch(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := newAuthEnv(t, dialect)
			e.user(t, "ida@example.com", incident.RoleEditor)
			c := &cred{cookie: e.login(t, "ida@example.com")}
			db, err := e.st.DB()
			if err != nil {
				t.Fatal(err)
			}
			row := func() string {
				t.Helper()
				var expiry, data string
				if err := db.QueryRow("SELECT CAST(expiry AS TEXT), CAST(data AS TEXT) FROM sessions").Scan(&expiry, &data); err != nil {
					t.Fatal(err)
				}
				return expiry + " " + data
			}
			if rec := e.send(c, "GET", "/api/v1/auth/me", ""); rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("a signed-in answer may be cached: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
			}
			before := row()
			for range 3 {
				time.Sleep(2 * time.Millisecond)
				e.must(t, c, 200, "GET", "/api/v1/incidents", "")
			}
			if after := row(); after != before {
				t.Errorf("reads rewrote the session row:\n%s\n%s", before, after)
			}
			// Signing out still ends the session.
			if rec := e.send(c, "POST", "/api/v1/auth/logout", ""); rec.Code != 204 {
				t.Fatalf("logout: %d", rec.Code)
			}
			if rec := e.send(c, "GET", "/api/v1/auth/me", ""); rec.Code != 401 {
				t.Errorf("after logout: %d", rec.Code)
			}
		})
	}
}
