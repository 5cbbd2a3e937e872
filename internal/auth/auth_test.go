package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

func TestAuth_Password(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string with the documented parameters", h)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		name string
		pw   string
		want bool
	}{
		{"right", "correct horse battery staple", true},
		{"wrong", "correct horse battery stapler", false},
		{"empty", "", false},
		{"case", "Correct horse battery staple", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(h, tc.pw)
			if err != nil || ok != tc.want {
				t.Errorf("verify %q = %t, %v; want %t", tc.pw, ok, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=3,p=2$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=65536,t=3,p=2$!!!$a2V5"} {
		if ok, err := VerifyPassword(bad, "x"); ok || err == nil {
			t.Errorf("malformed hash %q: %t %v", bad, ok, err)
		}
	}
	for _, tc := range []struct{ pw, want string }{
		{"short", "at least 12"}, {strings.Repeat(" ", 12), "blank"}, {strings.Repeat("a", 257), "at most 256"},
	} {
		if err := CheckPassword(tc.pw); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckPassword(%q) = %v, want %q", tc.pw, err, tc.want)
		}
	}
	if p := RandomPassword(); len(p) != 20 || CheckPassword(p) != nil || p == RandomPassword() {
		t.Errorf("random password %q", p)
	}
}

func TestAuth_Token(t *testing.T) {
	tok := NewToken()
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) != 43 || !LooksLikeToken(tok) || tok == NewToken() {
		t.Fatalf("token %q", tok)
	}
	if HashToken(tok) == HashToken(NewToken()) || len(HashToken(tok)) != 64 || strings.Contains(HashToken(tok), tok[3:]) {
		t.Error("token hash")
	}
	if DisplayPrefix(tok) != tok[:11] {
		t.Errorf("prefix %q", DisplayPrefix(tok))
	}
	for _, bad := range []string{"", "hs_", tok[:42], tok + "x", "xx" + tok[2:], tok[:20] + "-" + tok[21:]} {
		if LooksLikeToken(bad) {
			t.Errorf("LooksLikeToken(%q)", bad)
		}
	}
}

func TestAuth_Throttle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := NewThrottle(ThrottleOptions{FreeFailures: 3, BaseLock: time.Second, MaxLock: 10 * time.Second, Now: func() time.Time { return now }})
	for range 3 {
		th.Fail("a")
	}
	if w := th.Wait("a"); w != 0 {
		t.Errorf("after the free failures: wait %s", w)
	}
	th.Fail("a")
	if w := th.Wait("a"); w != time.Second {
		t.Errorf("first lock %s", w)
	}
	th.Fail("a")
	th.Fail("a")
	if w := th.Wait("a"); w != 4*time.Second {
		t.Errorf("third lock %s, want doubling", w)
	}
	for range 10 {
		th.Fail("a")
	}
	if w := th.Wait("a"); w != 10*time.Second {
		t.Errorf("lock is capped: %s", w)
	}
	if w := th.Wait("b"); w != 0 {
		t.Errorf("another key waits %s", w)
	}
	now = now.Add(11 * time.Second)
	if w := th.Wait("a"); w != 0 {
		t.Errorf("after the lock: %s", w)
	}
	th.Succeed("a")
	th.Fail("a")
	if w := th.Wait("a"); w != 0 {
		t.Errorf("success clears the count: %s", w)
	}

	rl := NewRateLimiter(60, 2, func() time.Time { return now })
	ok1, _ := rl.Allow("ip")
	ok2, _ := rl.Allow("ip")
	ok3, wait := rl.Allow("ip")
	if !ok1 || !ok2 || ok3 || wait <= 0 || wait > time.Second {
		t.Errorf("rate limiter: %t %t %t %s", ok1, ok2, ok3, wait)
	}
	if ok, _ := rl.Allow("other"); !ok {
		t.Error("another address is limited")
	}
	now = now.Add(time.Second)
	if ok, _ := rl.Allow("ip"); !ok {
		t.Error("a token a second later")
	}
}

func TestAuth_Allow(t *testing.T) {
	viewer := &incident.User{Role: incident.RoleViewer}
	editor := &incident.User{Role: incident.RoleEditor}
	disabled := &incident.User{Role: incident.RoleAdmin, Disabled: true}
	readTok := &incident.APIToken{Scopes: []incident.Scope{incident.ScopeRead}}
	adminTok := &incident.APIToken{Scopes: []incident.Scope{incident.ScopeAdmin}}
	for _, tc := range []struct {
		name string
		need Need
		p    Principal
		want Decision
	}{
		{"public anonymous", Public, Principal{}, Allowed},
		{"anonymous", ViewRead, Principal{}, Unauthenticated},
		{"disabled", ViewRead, Principal{User: disabled}, Unauthenticated},
		{"viewer reads", ViewRead, Principal{User: viewer}, Allowed},
		{"viewer writes", EditWrite, Principal{User: viewer}, Forbidden},
		{"editor writes", EditWrite, Principal{User: editor}, Allowed},
		{"editor read token writes", EditWrite, Principal{User: editor, Token: readTok}, Forbidden},
		{"editor read token reads", ViewRead, Principal{User: editor, Token: readTok}, Allowed},
		{"editor admin-scoped token, admin route", AdminAdmin, Principal{User: editor, Token: adminTok}, Forbidden},
		{"viewer token on self", Self, Principal{User: viewer, Token: readTok}, Forbidden},
		{"viewer session on self", Self, Principal{User: viewer}, Allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Allow(tc.need, tc.p); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestAuth_NewOIDC(t *testing.T) {
	if _, err := NewOIDC(OIDCConfig{}); err == nil || !strings.Contains(err.Error(), "issuer, client id, redirect URL") {
		t.Errorf("empty config: %v", err)
	}
	base := OIDCConfig{Issuer: "https://idp", ClientID: "c", RedirectURL: "https://h/cb"}
	bad := base
	bad.RoleMap = map[string]incident.Role{"sre": "root"}
	if _, err := NewOIDC(bad); err == nil || !strings.Contains(err.Error(), `"sre"`) {
		t.Errorf("bad role map: %v", err)
	}
	good := base
	good.RoleMap = map[string]incident.Role{"SRE": incident.RoleEditor, "leads": incident.RoleAdmin}
	o, err := NewOIDC(good)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Scopes[0] != "openid" || o.Name() != "single sign-on" {
		t.Errorf("defaults: %+v", o.cfg)
	}
	for _, tc := range []struct {
		groups []string
		want   incident.Role
	}{
		{nil, incident.RoleViewer}, {[]string{"sre"}, incident.RoleEditor}, {[]string{"sre", "leads"}, incident.RoleAdmin}, {[]string{"other"}, incident.RoleViewer},
	} {
		if got := o.RoleFor(tc.groups); got != tc.want {
			t.Errorf("RoleFor(%v) = %s, want %s", tc.groups, got, tc.want)
		}
	}
}
