package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// oidcEnv is a real OIDC provider (mockoidc) and the real API over a real
// database, reached over HTTP like a browser would.
type oidcEnv struct {
	*authEnv
	m   *mockoidc.MockOIDC
	srv *httptest.Server
	// tamper, when set, rewrites the claims of the ID token the provider
	// hands out (as a broken or hostile provider would).
	tamper func(jwt.MapClaims)
}

func newOIDCEnv(t *testing.T, dialect string) *oidcEnv {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &oidcEnv{m: m}
	if err := m.AddMiddleware(e.tamperToken); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	o, err := auth.NewOIDC(auth.OIDCConfig{
		Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: e.srv.URL + "/api/v1/auth/oidc/callback",
		Scopes:      []string{"profile", "email", "groups"}, GroupsClaim: "groups",
		RoleMap: map[string]incident.Role{"engineering": incident.RoleEditor, "sre-leads": incident.RoleAdmin},
		Name:    "Mock SSO",
	})
	if err != nil {
		t.Fatal(err)
	}
	e.authEnv = newAuthEnv(t, dialect, Deps{Auth: AuthDeps{OIDC: o, SignInPerMinute: 100000}})
	h = e.h
	return e
}

// tamperToken is mockoidc middleware that rewrites the token endpoint's ID
// token, re-signed with the provider's own key.
func (e *oidcEnv) tamperToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.tamper == nil || !strings.HasSuffix(r.URL.Path, mockoidc.TokenEndpoint) {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["id_token"] == nil {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		parts := strings.Split(body["id_token"].(string), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		claims := jwt.MapClaims{}
		_ = json.Unmarshal(payload, &claims)
		e.tamper(claims)
		signed, err := e.m.Keypair.SignJWT(claims)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		body["id_token"] = signed
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
}

// browser is an HTTP client with a cookie jar that records the redirects
// it follows.
type browser struct {
	*http.Client
	hops []*url.URL
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		b.hops = append(b.hops, r.URL)
		return nil
	}}
	return b
}

// noFollow makes the browser stop at the first redirect.
func (b *browser) noFollow() {
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

func (b *browser) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestAPI_OIDC runs the browser's authorization-code flow against a real
// provider: redirect with state, nonce and an S256 PKCE challenge, back to
// the callback, the user created at first sign-in with the role their groups
// map to, a session that works; then every way the callback must refuse.
func TestAPI_OIDC(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			testOIDC(t, dialect)
		})
	}
}

func testOIDC(t *testing.T, dialect string) {
	e := newOIDCEnv(t, dialect)
	e.m.QueueUser(&mockoidc.MockUser{Subject: "u-42", Email: "Jane.Doe@Example.com", EmailVerified: true, Groups: []string{"engineering", "design"}})

	t.Run("sign-in page offers the provider", func(t *testing.T) {
		_, page := newBrowser(t).get(t, e.srv.URL+"/login")
		if !strings.Contains(page, `href="/api/v1/auth/oidc/login">Sign in with Mock SSO</a>`) || strings.Contains(page, "<script") {
			t.Errorf("sign-in page: %s", page)
		}
	})

	t.Run("first sign-in", func(t *testing.T) {
		b := newBrowser(t)
		resp, body := b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if len(b.hops) != 3 {
			t.Fatalf("redirects: %v (last %d %s)", b.hops, resp.StatusCode, body)
		}
		authz := b.hops[0].Query()
		if b.hops[0].Host != strings.TrimPrefix(e.m.Addr(), "http://") && !strings.HasPrefix(e.m.Issuer(), "http://"+b.hops[0].Host) {
			t.Errorf("first hop is not the provider: %s", b.hops[0])
		}
		if authz.Get("code_challenge_method") != "S256" || authz.Get("code_challenge") == "" || authz.Get("nonce") == "" ||
			authz.Get("state") == "" || !strings.Contains(authz.Get("scope"), "openid") || !strings.Contains(authz.Get("scope"), "groups") {
			t.Errorf("authorization request: %v", authz)
		}
		if b.hops[1].Path != "/api/v1/auth/oidc/callback" || b.hops[1].Query().Get("state") != authz.Get("state") || b.hops[2].Path != "/" {
			t.Errorf("hops: %v", b.hops)
		}
		_, me := b.get(t, e.srv.URL+"/api/v1/auth/me")
		for _, want := range []string{`"email":"jane.doe@example.com"`, `"role":"editor"`, `"groups":["engineering","design"]`, `"sso":true`, `"has_password":false`} {
			if !strings.Contains(me, want) {
				t.Errorf("me lacks %s: %s", want, me)
			}
		}
		u, err := e.a.UserByEmail(context.Background(), "jane.doe@example.com")
		if err != nil || u.OIDCSubject != "u-42" || u.OIDCIssuer != e.m.Issuer() || u.LastLoginAt == nil {
			t.Errorf("stored user: %+v %v", u, err)
		}
		if es := auditActions(t, e.authEnv, incident.AuditUserCreate); len(es) != 1 || !strings.Contains(es[0].Detail, "first sign-in") {
			t.Errorf("creation audit: %+v", es)
		}
		// A second sign-in with other groups finds the same user and
		// follows the mapping.
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-42", Email: "jane.doe@example.com", EmailVerified: true, Groups: []string{"sre-leads"}})
		b2 := newBrowser(t)
		b2.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if _, me := b2.get(t, e.srv.URL+"/api/v1/auth/me"); !strings.Contains(me, `"role":"admin"`) || !strings.Contains(me, `"id":1`) {
			t.Errorf("second sign-in: %s", me)
		}
		if es := auditActions(t, e.authEnv, incident.AuditUserRole); len(es) != 1 || !strings.Contains(es[0].Detail, "editor -> admin") {
			t.Errorf("role change audit: %+v", es)
		}
	})

	// refused runs the flow to the callback, lets change alter the
	// callback URL, and checks the callback refuses and nobody is signed in.
	refused := func(t *testing.T, change func(cb *url.URL, b *browser) *browser) {
		t.Helper()
		b := newBrowser(t)
		b.noFollow()
		resp, _ := b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		resp, _ = b.get(t, resp.Header.Get("Location")) // the provider answers at once
		cb, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || cb.Path != "/api/v1/auth/oidc/callback" {
			t.Fatalf("provider redirect: %v %v", cb, err)
		}
		users, _ := e.a.Users(context.Background())
		denied := len(auditActions(t, e.authEnv, incident.AuditDenied))
		sent := change(cb, b)
		resp, body := sent.get(t, cb.String())
		if resp.StatusCode != 401 || !strings.Contains(body, "oidc_refused") {
			t.Errorf("callback: %d %s", resp.StatusCode, body)
		}
		if _, me := sent.get(t, e.srv.URL+"/api/v1/auth/me"); !strings.Contains(me, "unauthenticated") {
			t.Errorf("signed in after a refused callback: %s", me)
		}
		if after, _ := e.a.Users(context.Background()); len(after) != len(users) {
			t.Errorf("users: %d -> %d", len(users), len(after))
		}
		if n := len(auditActions(t, e.authEnv, incident.AuditDenied)); n <= denied {
			t.Errorf("the refusal is not in the audit log")
		}
	}
	t.Run("forged state", func(t *testing.T) {
		refused(t, func(cb *url.URL, b *browser) *browser {
			q := cb.Query()
			q.Set("state", "forged-"+q.Get("state"))
			cb.RawQuery = q.Encode()
			return b
		})
	})
	t.Run("another browser's callback", func(t *testing.T) {
		refused(t, func(cb *url.URL, b *browser) *browser { return newBrowser(t) })
	})
	t.Run("replayed callback", func(t *testing.T) {
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-42", Email: "jane.doe@example.com", EmailVerified: true, Groups: []string{"sre-leads"}})
		refused(t, func(cb *url.URL, b *browser) *browser {
			e.tamper = nil
			if resp, _ := b.get(t, cb.String()); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use: %d", resp.StatusCode)
			}
			logout := &http.Request{Method: "POST", URL: mustURL(e.srv.URL + "/logout"), Header: http.Header{}}
			if _, err := b.Do(logout); err != nil {
				t.Fatal(err)
			}
			return b
		})
	})
	for _, tc := range []struct {
		name   string
		tamper func(jwt.MapClaims)
		why    string // in the audit entry
	}{
		{"wrong audience", func(c jwt.MapClaims) { c["aud"] = "someone-else" }, "audience"},
		{"wrong issuer", func(c jwt.MapClaims) { c["iss"] = "https://evil.example/oidc" }, "different provider"},
		{"expired", func(c jwt.MapClaims) { c["exp"] = float64(1600000000) }, "expired"},
		{"wrong nonce", func(c jwt.MapClaims) { c["nonce"] = "not-the-nonce" }, "nonce"},
		{"no e-mail", func(c jwt.MapClaims) { delete(c, "email") }, "e-mail"},
		// An address the provider did not verify would become a visibility
		// principal: no account is created for it.
		{"e-mail verification not said", func(c jwt.MapClaims) { delete(c, "email_verified") }, "not verified"},
		{"e-mail verified false as a string", func(c jwt.MapClaims) { c["email_verified"] = "false" }, "not verified"},
		{"e-mail verified false", func(c jwt.MapClaims) { c["email_verified"] = false }, "not verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.tamper = tc.tamper
			defer func() { e.tamper = nil }()
			e.m.QueueUser(&mockoidc.MockUser{Subject: "u-99", Email: "mallory@example.com", EmailVerified: true})
			refused(t, func(cb *url.URL, b *browser) *browser { return b })
			if _, err := e.a.UserByEmail(context.Background(), "mallory@example.com"); err == nil {
				t.Errorf("a user was created")
			}
			// The newest OIDC refusal (the unknown session cookie that
			// followed it is audited once a minute per address at most).
			d := ""
			for _, en := range auditActions(t, e.authEnv, incident.AuditDenied) {
				if strings.Contains(en.Detail, "OIDC sign-in refused") {
					d = en.Detail
					break
				}
			}
			if !strings.Contains(d, tc.why) {
				t.Errorf("audit entry %q does not say %q", d, tc.why)
			}
		})
	}
	t.Run("unverified address of an existing account", func(t *testing.T) {
		e.user(t, "kim@example.com", incident.RoleAdmin)
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-kim", Email: "kim@example.com", EmailVerified: false})
		refused(t, func(cb *url.URL, b *browser) *browser { return b })
		if u, _ := e.a.UserByEmail(context.Background(), "kim@example.com"); u.OIDCSubject != "" {
			t.Errorf("the account was linked: %+v", u)
		}
	})
	t.Run("unverified address of an existing account, claim absent", func(t *testing.T) {
		e.user(t, "kay@example.com", incident.RoleAdmin)
		e.tamper = func(c jwt.MapClaims) { delete(c, "email_verified") }
		defer func() { e.tamper = nil }()
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-kay", Email: "kay@example.com", EmailVerified: true})
		refused(t, func(cb *url.URL, b *browser) *browser { return b })
		if u, _ := e.a.UserByEmail(context.Background(), "kay@example.com"); u.OIDCSubject != "" {
			t.Errorf("the account was linked: %+v", u)
		}
	})
	t.Run("e-mail verified true as a string", func(t *testing.T) {
		e.tamper = func(c jwt.MapClaims) { c["email_verified"] = "true" }
		defer func() { e.tamper = nil }()
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-ada", Email: "ada@example.com", EmailVerified: false})
		b := newBrowser(t)
		b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if _, me := b.get(t, e.srv.URL+"/api/v1/auth/me"); !strings.Contains(me, `"email":"ada@example.com"`) {
			t.Errorf("string \"true\" is not a verified address: %s", me)
		}
	})
	t.Run("address changed at the provider", func(t *testing.T) {
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-ada", Email: "Ada.Lovelace@example.com", EmailVerified: true})
		b := newBrowser(t)
		b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if _, me := b.get(t, e.srv.URL+"/api/v1/auth/me"); !strings.Contains(me, `"email":"ada.lovelace@example.com"`) {
			t.Errorf("the new address is not the user's: %s", me)
		}
		if _, err := e.a.UserByEmail(context.Background(), "ada@example.com"); err == nil {
			t.Errorf("the old address is still a user's")
		}
		if es := auditActions(t, e.authEnv, incident.AuditUserUpdate); len(es) != 1 || !strings.Contains(es[0].Detail, "ada@example.com -> ada.lovelace@example.com") {
			t.Errorf("address change audit: %+v", es)
		}
		// An address another account holds is not taken over.
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-ada", Email: "kay@example.com", EmailVerified: true})
		b = newBrowser(t)
		b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if _, me := b.get(t, e.srv.URL+"/api/v1/auth/me"); !strings.Contains(me, `"email":"ada.lovelace@example.com"`) {
			t.Errorf("took another account's address: %s", me)
		}
	})
	t.Run("verified address links a local account", func(t *testing.T) {
		e.user(t, "lee@example.com", incident.RoleViewer)
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-lee", Email: "lee@example.com", EmailVerified: true})
		b := newBrowser(t)
		b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if _, me := b.get(t, e.srv.URL+"/api/v1/auth/me"); !strings.Contains(me, `"email":"lee@example.com"`) || !strings.Contains(me, `"has_password":true`) || !strings.Contains(me, `"sso":true`) {
			t.Errorf("linked: %s", me)
		}
	})
	t.Run("disabled user", func(t *testing.T) {
		u, err := e.a.UserByEmail(context.Background(), "jane.doe@example.com")
		if err != nil {
			t.Fatal(err)
		}
		// Another admin is needed before jane (admin now) can be disabled.
		e.user(t, "boss@example.com", incident.RoleAdmin)
		yes := true
		if _, err := e.a.UpdateUser(context.Background(), u.ID, incident.UserPatch{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-42", Email: "jane.doe@example.com", EmailVerified: true})
		refused(t, func(cb *url.URL, b *browser) *browser { return b })
	})

	t.Run("returns to the page the sign-in was asked from", func(t *testing.T) {
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-next", Email: "next@example.com", EmailVerified: true})
		b := newBrowser(t)
		b.get(t, e.srv.URL+"/login?next="+url.QueryEscape("/incidents/INC-7?tab=timeline"))
		b.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if n := len(b.hops); n == 0 || b.hops[n-1].Path != "/incidents/INC-7" || b.hops[n-1].Query().Get("tab") != "timeline" {
			t.Errorf("hops: %v", b.hops)
		}
		// An address elsewhere is never followed.
		e.m.QueueUser(&mockoidc.MockUser{Subject: "u-next", Email: "next@example.com", EmailVerified: true})
		b2 := newBrowser(t)
		b2.get(t, e.srv.URL+"/login?next="+url.QueryEscape("//evil.example/x"))
		b2.get(t, e.srv.URL+"/api/v1/auth/oidc/login")
		if n := len(b2.hops); n == 0 || b2.hops[n-1].Path != "/" || b2.hops[n-1].Host != strings.TrimPrefix(e.srv.URL, "http://") {
			t.Errorf("hops: %v", b2.hops)
		}
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
