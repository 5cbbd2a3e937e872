package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

func TestAuth_Password(t *testing.T) {
	h, err := HashPassword(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string with the documented parameters", h)
	}
	h2, _ := HashPassword(context.Background(), "correct horse battery staple")
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
			ok, err := VerifyPassword(context.Background(), h, tc.pw)
			if err != nil || ok != tc.want {
				t.Errorf("verify %q = %t, %v; want %t", tc.pw, ok, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=3,p=2$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=65536,t=3,p=2$!!!$a2V5"} {
		if ok, err := VerifyPassword(context.Background(), bad, "x"); ok || err == nil {
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

// TestAuth_PasswordTiming checks that an over-long password, which is not
// hashed, still costs one hash's time: a known account must not answer
// faster than an unknown one (whose sign-in calls WasteTime).
func TestAuth_PasswordTiming(t *testing.T) {
	ctx := context.Background()
	h, err := HashPassword(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	fastest := func(f func()) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	long := strings.Repeat("a", 2000)
	tooLong := fastest(func() {
		if ok, err := VerifyPassword(ctx, h, long); ok || err != nil {
			t.Errorf("over-long password: %t %v", ok, err)
		}
	})
	wrong := fastest(func() { _, _ = VerifyPassword(ctx, h, "wrong password here") })
	wasted := fastest(func() { _ = WasteTime(ctx, long) })
	if tooLong < wrong/3 || wasted < wrong/3 {
		t.Errorf("an over-long password takes %v, a wrong one %v, an unknown account %v", tooLong, wrong, wasted)
	}
}

// TestAuth_HashSlots checks that at most MaxConcurrentHashes hashes run at
// once: with every slot taken, a verification waits, and gives up when its
// context ends.
func TestAuth_HashSlots(t *testing.T) {
	for range MaxConcurrentHashes {
		hashSlots <- struct{}{}
	}
	release := func() {
		for range MaxConcurrentHashes {
			<-hashSlots
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := HashPassword(ctx, "correct horse battery staple"); !errors.Is(err, context.DeadlineExceeded) {
		release()
		t.Fatalf("a hash ran with every slot taken: %v", err)
	}
	if err := WasteTime(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WasteTime ran with every slot taken: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := HashPassword(context.Background(), "correct horse battery staple")
		done <- err
	}()
	select {
	case err := <-done:
		t.Errorf("a hash did not wait for a slot: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Errorf("after a slot freed: %v", err)
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

func TestAuth_AddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                 "192.0.2.7",
		"::ffff:192.0.2.7":          "192.0.2.7",
		"2001:db8:1:2:aaaa::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":           "2001:db8:1:3::/64",
		"fe80::1%eth0":              "fe80::/64",
		"not an address":            "not an address",
	} {
		if got := AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
