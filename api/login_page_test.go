package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestLoginSafeNext: only paths on this server are places to go after
// sign-in; every way to name another site is refused.
func TestLoginSafeNext(t *testing.T) {
	good := []string{"/", "/incidents/INC-4", "/actions?owner=ann&view=board", "/incidents?q=dns%20cache#timeline", "/account/tokens"}
	for _, n := range good {
		if got := safeNext(n); got != n {
			t.Errorf("safeNext(%q) = %q, want it kept", n, got)
		}
	}
	bad := []string{
		"", "//evil.example", "//evil.example/path", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
		"http:/evil.example", "javascript:alert(1)", "evil.example", " /incidents", "/\t/evil.example", "/\n/evil.example",
		"/\r\nLocation: https://evil.example", "/x\\..\\..\\evil", "/login", "/login?next=/x", "/login/password", "/logout",
		"/" + strings.Repeat("a", maxNextLen), "/\u2028/evil.example", "/%09/x with space",
	}
	for _, n := range bad {
		if got := safeNext(n); got != "" {
			t.Errorf("safeNext(%q) = %q, want it refused", n, got)
		}
		if got := nextOr(n); got != "/" {
			t.Errorf("nextOr(%q) = %q, want /", n, got)
		}
	}
	if got := loginURL("/actions?view=board"); got != "/login?next=%2Factions%3Fview%3Dboard" {
		t.Errorf("loginURL: %s", got)
	}
	if got := loginURL("//evil.example"); got != "/login" {
		t.Errorf("loginURL of an outside address: %s", got)
	}
}

// postForm posts a form to the sign-in pages as a browser would (same origin).
func postForm(h http.Handler, cookie *http.Cookie, path string, v url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func sessionCookieOf(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	return nil
}

// TestLoginPageNext signs in through the server-rendered page with ?next=:
// the form carries it, a local path is where the browser goes after, an
// outside address sends it to "/", and the one-time password step keeps it.
func TestLoginPageNext(t *testing.T) {
	e := newAuthEnv(t, store.DialectSQLite)
	e.user(t, "ana@example.com", incident.RoleEditor)

	rec := e.send(nil, "GET", "/login?next="+url.QueryEscape("/actions?view=board"), "")
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, `<input type="hidden" name="next" value="/actions?view=board">`) {
		t.Fatalf("sign-in page with next: %d %s", rec.Code, page)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "You are signed in") || !strings.Contains(page, `action="/login"`) {
		t.Errorf("sign-in page: %s", page)
	}
	for _, evil := range []string{"//evil.example", "https://evil.example", "/\\evil.example"} {
		rec := e.send(nil, "GET", "/login?next="+url.QueryEscape(evil), "")
		if strings.Contains(rec.Body.String(), `name="next"`) || strings.Contains(rec.Body.String(), "evil.example") {
			t.Errorf("next=%s is kept in the page: %s", evil, rec.Body)
		}
	}

	pw := func(next string) url.Values {
		return url.Values{"email": {"ana@example.com"}, "password": {testPassword}, "next": {next}}
	}
	rec = postForm(e.h, nil, "/login", pw("/incidents/INC-4"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/incidents/INC-4" || sessionCookieOf(rec) == nil {
		t.Fatalf("sign-in with next: %d %v", rec.Code, rec.Header())
	}
	// Already signed in: the page offers to continue to next.
	rec = e.send(&cred{cookie: sessionCookieOf(rec)}, "GET", "/login?next=/actions", "")
	if !strings.Contains(rec.Body.String(), `href="/actions">Continue to Hindsight`) {
		t.Errorf("signed-in page: %s", rec.Body)
	}

	for _, evil := range []string{"//evil.example", "https://evil.example/x", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", ""} {
		rec := postForm(e.h, nil, "/login", pw(evil))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			t.Errorf("sign-in with next=%q went to %q (%d)", evil, rec.Header().Get("Location"), rec.Code)
		}
	}

	// A wrong password: the error, the typed address, next kept, no "signed in".
	rec = postForm(e.h, nil, "/login", url.Values{"email": {"ana@example.com"}, "password": {"wrong wrong wrong"}, "next": {"/actions"}})
	page = rec.Body.String()
	if rec.Code != 401 || !strings.Contains(page, "Wrong e-mail address or password.") || !strings.Contains(page, `value="ana@example.com"`) ||
		!strings.Contains(page, `name="next" value="/actions"`) || strings.Contains(page, "You are signed in") {
		t.Errorf("failed sign-in page: %d %s", rec.Code, page)
	}
}

// TestLoginNextThroughPasswordChange: a one-time password leads to the
// change-password step, which carries next and goes there after.
func TestLoginNextThroughPasswordChange(t *testing.T) {
	e := newAuthEnv(t, store.DialectSQLite)
	_, otp, err := e.a.CreateUser(context.Background(), app.NewUser{Email: "new@example.com", Role: incident.RoleViewer})
	if err != nil || otp == "" {
		t.Fatalf("create: %v %q", err, otp)
	}
	rec := postForm(e.h, nil, "/login", url.Values{"email": {"new@example.com"}, "password": {otp}, "next": {"/actions?owner=ann"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Factions%3Fowner%3Dann" {
		t.Fatalf("one-time password sign-in: %d %v", rec.Code, rec.Header())
	}
	cookie := sessionCookieOf(rec)
	rec = e.send(&cred{cookie: cookie}, "GET", rec.Header().Get("Location"), "")
	page := rec.Body.String()
	if !strings.Contains(page, `action="/login/password"`) || !strings.Contains(page, `name="next" value="/actions?owner=ann"`) {
		t.Fatalf("change-password page: %s", page)
	}

	change := func(c *http.Cookie, current, next, again, to string) *httptest.ResponseRecorder {
		return postForm(e.h, c, "/login/password", url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {again}, "next": {to}})
	}
	rec = change(cookie, otp, "short", "short", "/actions?owner=ann")
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "The new password must be at least 12 characters.") ||
		!strings.Contains(rec.Body.String(), `name="next" value="/actions?owner=ann"`) {
		t.Errorf("policy error: %d %s", rec.Code, rec.Body)
	}
	rec = change(cookie, otp, "correct horse battery staple", "correct horse battery stapler", "/actions")
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "The new passwords differ.") {
		t.Errorf("differing passwords: %d %s", rec.Code, rec.Body)
	}
	rec = change(cookie, otp, "correct horse battery staple", "correct horse battery staple", "//evil.example")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Errorf("change with an outside next went to %q (%d %s)", rec.Header().Get("Location"), rec.Code, rec.Body)
	}
	// Signed out: the change form sends back to sign-in, keeping next.
	rec = change(nil, "x", "y", "y", "/actions")
	if rec.Header().Get("Location") != "/login?next=%2Factions" {
		t.Errorf("change without a session: %v", rec.Header())
	}
}

// TestLoginChangePasswordNext: the change goes to a safe next.
func TestLoginChangePasswordNext(t *testing.T) {
	e := newAuthEnv(t, store.DialectSQLite)
	_, otp, err := e.a.CreateUser(context.Background(), app.NewUser{Email: "new@example.com", Role: incident.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	rec := postForm(e.h, nil, "/login", url.Values{"email": {"new@example.com"}, "password": {otp}})
	if rec.Header().Get("Location") != "/login" {
		t.Fatalf("one-time password without next: %v", rec.Header())
	}
	rec = postForm(e.h, sessionCookieOf(rec), "/login/password", url.Values{"current_password": {otp}, "new_password": {"correct horse battery staple"},
		"confirm_password": {"correct horse battery staple"}, "next": {"/incidents/INC-9"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/incidents/INC-9" {
		t.Errorf("after the change: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}
