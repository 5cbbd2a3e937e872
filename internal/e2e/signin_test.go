package e2e

import (
	"net/http"
	"testing"
)

// TestSignIn signs in through the server's /login page: a wrong password
// shows an error and the form again; a page opened without a session sends
// the browser to /login?next=<page> and the sign-in returns there; a plain
// sign-in lands on the home page.
func TestSignIn(t *testing.T) {
	s := startSQLite(t)

	t.Run("wrong password shows an error", func(t *testing.T) {
		b := s.newBrowser(t)
		b.allow("POST", "/login", http.StatusUnauthorized)
		b.open("/login")
		b.signIn(editorEmail, "not-the-password")
		b.waitText(`.error[role=alert]`, "Wrong e-mail address or password")
		// The form is there to try again, and nobody is signed in.
		b.waitVisible("#email")
		b.waitVisible("#password")
		var signedIn bool
		b.eval(`document.body.innerText.includes('Signed in as')`, &signedIn)
		if signedIn {
			t.Errorf("after a wrong password the page says %q", "Signed in as …")
		}
	})

	t.Run("next returns to the page", func(t *testing.T) {
		b := s.newBrowser(t)
		// Without a session the UI's /auth/me is a 401 and it goes to /login.
		b.allow("GET", "/api/v1/auth/me", http.StatusUnauthorized)
		b.open("/incidents")
		b.waitPath("/login?next=%2Fincidents")
		b.screenshot("login")
		b.signIn(editorEmail, editorPassword)
		b.waitSignedIn()
		if got := b.location(); got != "/incidents" {
			t.Errorf("after signing in from /login?next=/incidents the browser is at %s, want /incidents", got)
		}
	})

	t.Run("good password lands on home", func(t *testing.T) {
		b := s.newBrowser(t)
		b.signedIn(adminEmail, adminPassword)
		b.waitPath("/")
		b.waitVisible("main h1")
		b.screenshot("home-empty")
	})
}
