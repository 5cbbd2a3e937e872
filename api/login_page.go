package api

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The sign-in page is plain server-rendered HTML: forms that POST, no
// script at all, so it works before the browser UI is built and without
// JavaScript. Cross-origin posts are refused by crossOrigin (CSRF), and
// the session cookie is SameSite=Lax.
var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Hindsight</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box;font:inherit}
button,.sso{display:inline-block;margin-top:1rem;padding:.5rem 1rem;font:inherit;cursor:pointer}
.sso{border:1px solid #888;border-radius:3px;text-decoration:none;color:inherit}
.error{color:#a00;background:#fee;padding:.5rem;border-radius:3px}.note{color:#555}
</style></head><body>
<h1>Hindsight</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .ChangePassword}}
<p>Signed in as <strong>{{.Email}}</strong>. Choose your own password to go on (at least {{.MinLen}} characters).</p>
<form method="post" action="/login/password">
<label for="current">Current (one-time) password</label><input id="current" name="current_password" type="password" autocomplete="current-password" required>
<label for="new">New password</label><input id="new" name="new_password" type="password" autocomplete="new-password" minlength="{{.MinLen}}" required>
<label for="confirm">New password again</label><input id="confirm" name="confirm_password" type="password" autocomplete="new-password" minlength="{{.MinLen}}" required>
<button type="submit">Change password</button>
</form>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>
{{else if .Email}}
<p>Signed in as <strong>{{.Email}}</strong>.</p>
<p><a href="/">Go to Hindsight</a></p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>
{{else}}
<form method="post" action="/login">
<label for="email">E-mail address</label><input id="email" name="email" type="email" autocomplete="username" value="{{.Email}}" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
{{if .SSO}}<p><a class="sso" href="/api/v1/auth/oidc/login">Sign in with {{.SSO}}</a></p>{{end}}
{{end}}
</body></html>
`))

// loginPageData fills loginTemplate.
type loginPageData struct {
	Error          string
	Email          string
	ChangePassword bool
	SSO            string
	MinLen         int
}

// renderLoginPage writes the page with status.
func (s *server) renderLoginPage(c *gin.Context, status int, d loginPageData) {
	if s.oidc != nil {
		d.SSO = s.oidc.Name()
	}
	d.MinLen = 12
	var buf bytes.Buffer
	if err := loginTemplate.Execute(&buf, d); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// sessionUser is the user of the request's session, if any (public routes
// are not authenticated by guard, so the sign-in pages look themselves).
func (s *server) sessionUser(c *gin.Context) *incident.User {
	if _, err := c.Request.Cookie(sessionCookie); err != nil {
		return nil
	}
	ctx := c.Request.Context()
	uid := s.sessions.GetInt64(ctx, sessUserID)
	if uid == 0 {
		return nil
	}
	u, err := s.svc.SessionUser(ctx, uid, s.sessions.GetInt(ctx, sessVersion))
	if err != nil {
		return nil
	}
	ctx = incident.WithActor(ctx, incident.Actor{Name: u.Email, RemoteAddr: c.ClientIP(), RequestID: requestIDOf(c)})
	c.Request = c.Request.WithContext(ctx)
	return &u
}

// loginPage handles GET /login.
func (s *server) loginPage(c *gin.Context) {
	d := loginPageData{}
	if u := s.sessionUser(c); u != nil {
		d.Email, d.ChangePassword = u.Email, u.MustChangePassword
	}
	s.renderLoginPage(c, http.StatusOK, d)
}

// loginForm handles POST /login (the form of the sign-in page).
func (s *server) loginForm(c *gin.Context) {
	email := c.PostForm("email")
	u, err := s.passwordSignIn(c, email, c.PostForm("password"))
	if err != nil {
		var th *throttledError
		status, msg := http.StatusUnauthorized, "Wrong e-mail address or password."
		if errors.As(err, &th) {
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins. Wait a while and try again."
			c.Header("Retry-After", formatID(int64(th.wait.Seconds())+1))
		} else if errors.Is(err, errPasswordExpired) {
			msg = "This one-time password has expired. Ask an admin for a new one (hindsight user reset-password)."
		} else if !errors.Is(err, errBadCredentials) {
			s.renderError(c, err)
			return
		}
		s.renderLoginPage(c, status, loginPageData{Error: msg, Email: truncateText(email, 254)})
		return
	}
	if u.MustChangePassword {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	c.Redirect(http.StatusSeeOther, "/")
}

// passwordForm handles POST /login/password: the change of a one-time
// password (or any password) from the sign-in page.
func (s *server) passwordForm(c *gin.Context) {
	u := s.sessionUser(c)
	if u == nil {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	next := c.PostForm("new_password")
	d := loginPageData{Email: u.Email, ChangePassword: true}
	if next != c.PostForm("confirm_password") {
		d.Error = "The new passwords differ."
		s.renderLoginPage(c, http.StatusUnprocessableEntity, d)
		return
	}
	if _, err := s.changeOwnPassword(c, u.ID, c.PostForm("current_password"), next, true); err != nil {
		var (
			verr *incident.ValidationError
			th   *throttledError
		)
		switch {
		case errors.As(err, &th):
			d.Error = "Too many failed tries. Wait a while and try again."
			s.renderLoginPage(c, http.StatusTooManyRequests, d)
		case errors.As(err, &verr):
			d.Error = verr.Error()
			s.renderLoginPage(c, http.StatusUnprocessableEntity, d)
		default:
			s.renderError(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/")
}

// logoutForm handles POST /logout: ends the session, if any.
func (s *server) logoutForm(c *gin.Context) {
	ctx := c.Request.Context()
	if u := s.sessionUser(c); u != nil {
		if err := s.svc.Logout(c.Request.Context(), *u); err != nil {
			s.renderError(c, err)
			return
		}
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		s.renderError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}
