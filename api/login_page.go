package api

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// The sign-in page is plain server-rendered HTML: forms that POST, no
// script at all, so it works before the browser UI is built and without
// JavaScript. Cross-origin posts are refused by crossOrigin (CSRF), and
// the session cookie is SameSite=Lax. Its look follows the browser UI
// (frontend/src/styles/app.css): the same colours, type and spacing, in an
// inline <style> (the CSP allows inline styles, never inline scripts).
var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if .ChangePassword}}Choose a password{{else}}Sign in{{end}} · Hindsight</title>
<style>
:root{--font:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;--bg:#f6f7f9;--surface:#fff;--surface-2:#f1f3f6;--border:#dde1e7;--border-strong:#c4cad3;--text:#1c2430;--muted:#5d6877;--accent:#2f5fd0;--accent-hover:#244cad;--danger:#c53030;--danger-soft:#fdecec;--radius:6px;--radius-lg:10px;--focus:0 0 0 3px rgba(47,95,208,.35)}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:15px/1.5 var(--font);color:var(--text);background:var(--bg);min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:8vh 16px 32px}
.brand{font-weight:700;font-size:1.35rem;letter-spacing:-.2px;color:var(--text);text-decoration:none;margin-bottom:20px;display:flex;align-items:center;gap:8px}
.brand-mark{display:inline-grid;place-items:center;width:30px;height:30px;border-radius:8px;background:var(--accent);color:#fff;font-size:1rem}
.card{width:100%;max-width:400px;background:var(--surface);border:1px solid var(--border);border-radius:var(--radius-lg);padding:28px;box-shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08)}
h1{font-size:1.25rem;margin:0 0 4px;line-height:1.25}
.lead{color:var(--muted);margin:0 0 20px}
label{display:block;font-weight:600;font-size:.88rem;margin:14px 0 4px}
input{width:100%;font:inherit;padding:8px 10px;border:1px solid var(--border-strong);border-radius:var(--radius);background:var(--surface);color:var(--text)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:none;box-shadow:var(--focus);border-color:var(--accent)}
.hint{font-size:.82rem;color:var(--muted);margin:4px 0 0}
button,.button{display:flex;justify-content:center;align-items:center;gap:6px;width:100%;margin-top:20px;font:inherit;font-weight:600;padding:9px 14px;border-radius:var(--radius);border:1px solid var(--border-strong);background:var(--surface);color:var(--text);cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:var(--surface-2)}
.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.primary:hover{background:var(--accent-hover)}
.link{background:none;border:0;color:var(--accent);width:auto;margin:12px auto 0;padding:4px;font-weight:500}
.link:hover{background:none;text-decoration:underline}
.error{background:var(--danger-soft);border:1px solid #f3c5c5;color:#8b1f1f;border-radius:var(--radius);padding:10px 12px;margin:0 0 8px}
.or{display:flex;align-items:center;gap:10px;color:var(--muted);font-size:.82rem;margin:20px 0 0}
.or::before,.or::after{content:"";flex:1;border-top:1px solid var(--border)}
.sso{margin-top:16px}
.foot{color:var(--muted);font-size:.82rem;margin-top:20px;text-align:center;max-width:400px}
@media (prefers-color-scheme:dark){:root{--bg:#12161c;--surface:#1b2129;--surface-2:#232a34;--border:#2d3540;--border-strong:#3b4450;--text:#e6e9ee;--muted:#9aa5b4;--danger-soft:#3a1d1d}.error{color:#f6c1c1;border-color:#5a2a2a}}
</style></head><body>
<a class="brand" href="/"><span class="brand-mark" aria-hidden="true">H</span>Hindsight</a>
<main class="card">
{{if .ChangePassword}}
<h1>Choose your password</h1>
<p class="lead">Signed in as <strong>{{.Email}}</strong>. Replace the one-time password with your own to go on.</p>
{{if .Error}}<p class="error" role="alert" id="form-error" data-test="login-error">{{.Error}}</p>{{end}}
<form method="post" action="/login/password">
{{if .Next}}<input type="hidden" name="next" value="{{.Next}}">{{end}}
<label for="current">Current (one-time) password</label><input id="current" name="current_password" data-test="login-current-password" type="password" autocomplete="current-password" required autofocus{{if .Error}} aria-describedby="form-error"{{end}}>
<label for="new">New password</label><input id="new" name="new_password" data-test="login-new-password" type="password" autocomplete="new-password" minlength="{{.MinLen}}" required aria-describedby="new-hint">
<p class="hint" id="new-hint">At least {{.MinLen}} characters. A passphrase of a few unrelated words works well.</p>
<label for="confirm">New password again</label><input id="confirm" name="confirm_password" data-test="login-confirm-password" type="password" autocomplete="new-password" minlength="{{.MinLen}}" required>
<button type="submit" class="primary" data-test="login-change-password">Change password and continue</button>
</form>
<form method="post" action="/logout"><button type="submit" class="link">Sign out</button></form>
{{else if .Email}}
<h1>You are signed in</h1>
<p class="lead">as <strong>{{.Email}}</strong>.</p>
<a class="button primary" data-test="login-continue" href="{{.Target}}">Continue to Hindsight</a>
<form method="post" action="/logout"><button type="submit" class="link">Sign out</button></form>
{{else}}
<h1>Sign in</h1>
<p class="lead">Post-mortems, timelines and what we learned.</p>
{{if .Error}}<p class="error" role="alert" id="form-error" data-test="login-error">{{.Error}}</p>{{end}}
{{if .SSO}}<a class="button primary sso" data-test="login-sso" href="/api/v1/auth/oidc/login">Sign in with {{.SSO}}</a>
<p class="or">or with a local account</p>{{end}}
<form method="post" action="/login">
{{if .Next}}<input type="hidden" name="next" value="{{.Next}}">{{end}}
<label for="email">E-mail address</label><input id="email" name="email" data-test="login-email" type="email" autocomplete="username" value="{{.TypedEmail}}" required{{if and (not .SSO) (not .TypedEmail)}} autofocus{{end}}{{if .Error}} aria-describedby="form-error" aria-invalid="true"{{end}}>
<label for="password">Password</label><input id="password" name="password" data-test="login-password" type="password" autocomplete="current-password" required{{if .TypedEmail}} autofocus{{end}}{{if .Error}} aria-invalid="true"{{end}}>
<button type="submit" data-test="login-submit"{{if not .SSO}} class="primary"{{end}}>Sign in</button>
</form>
{{end}}
</main>
<p class="foot">Forgot your password? An administrator can reset it.</p>
</body></html>
`))

// loginPageData fills loginTemplate.
type loginPageData struct {
	Error string
	// Email is the signed-in user's address (the signed-in and the
	// change-password pages); TypedEmail refills the sign-in form.
	Email          string
	TypedEmail     string
	ChangePassword bool
	SSO            string
	MinLen         int
	// Next is the validated local path to go to after sign-in ("" for
	// none); Target is where "Continue" leads (Next or "/").
	Next   string
	Target string
}

// sessLoginNext keeps the ?next= of the sign-in page in the browser's
// session, for the sign-in flows that leave the page (OIDC): the callback
// takes it with popLoginNext.
const sessLoginNext = "login_next"

// maxNextLen bounds a next= path.
const maxNextLen = 2048

// safeNext returns raw if it is a path on this server to send a browser to
// after sign-in, else "". It must start with one "/" and be neither
// protocol-relative ("//evil.example") nor use a backslash, which browsers
// read as a slash ("/\evil.example"); control characters and whitespace,
// which browsers strip before parsing ("/\t/evil.example"), are refused
// too. The sign-in pages themselves are refused (no loop).
func safeNext(raw string) string {
	if raw == "" || len(raw) > maxNextLen || raw[0] != '/' {
		return ""
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return ""
	}
	for _, r := range raw {
		if r < 0x21 || r == 0x7f || r == '\\' || r == 0x2028 || r == 0x2029 || r == 0xfeff {
			return ""
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	if u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") || u.Path == "/logout" {
		return ""
	}
	return raw
}

// nextOr is safeNext(raw), or "/" when raw is not a safe local path.
func nextOr(raw string) string {
	if n := safeNext(raw); n != "" {
		return n
	}
	return "/"
}

// loginURL is the sign-in page carrying next.
func loginURL(next string) string {
	if next = safeNext(next); next == "" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}

// popLoginNext takes the next= kept by the sign-in page from the session:
// where to send the browser after a sign-in that left the page (OIDC),
// validated again; "/" when there is none.
func (s *server) popLoginNext(ctx context.Context) string {
	return nextOr(s.sessions.PopString(ctx, sessLoginNext))
}

// renderLoginPage writes the page with status.
func (s *server) renderLoginPage(c *gin.Context, status int, d loginPageData) {
	if s.oidc != nil {
		d.SSO = s.oidc.Name()
	}
	d.MinLen = auth.MinPasswordLen
	d.Next = safeNext(d.Next)
	d.Target = nextOr(d.Next)
	var buf bytes.Buffer
	if err := loginTemplate.Execute(&buf, d); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
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

// loginPage handles GET /login. A safe ?next= is kept in the forms and, when
// single sign-on is offered, in the session for the OIDC callback.
func (s *server) loginPage(c *gin.Context) {
	next := safeNext(c.Query("next"))
	d := loginPageData{Next: next}
	if u := s.sessionUser(c); u != nil {
		d.Email, d.ChangePassword = u.Email, u.MustChangePassword
	} else if s.oidc != nil {
		ctx := c.Request.Context()
		if next != "" {
			s.sessions.Put(ctx, sessLoginNext, next)
		} else if s.sessions.Exists(ctx, sessLoginNext) {
			s.sessions.Remove(ctx, sessLoginNext)
		}
	}
	s.renderLoginPage(c, http.StatusOK, d)
}

// loginForm handles POST /login (the form of the sign-in page).
func (s *server) loginForm(c *gin.Context) {
	email := c.PostForm("email")
	next := safeNext(c.PostForm("next"))
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
		s.renderLoginPage(c, status, loginPageData{Error: msg, TypedEmail: truncateText(email, 254), Next: next})
		return
	}
	c.Header("Cache-Control", "no-store")
	if u.MustChangePassword {
		c.Redirect(http.StatusSeeOther, loginURL(next))
		return
	}
	c.Redirect(http.StatusSeeOther, nextOr(next))
}

// passwordForm handles POST /login/password: the change of a one-time
// password (or any password) from the sign-in page.
func (s *server) passwordForm(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	u := s.sessionUser(c)
	if u == nil {
		c.Redirect(http.StatusSeeOther, loginURL(next))
		return
	}
	pw := c.PostForm("new_password")
	d := loginPageData{Email: u.Email, ChangePassword: true, Next: next}
	if pw != c.PostForm("confirm_password") {
		d.Error = "The new passwords differ."
		s.renderLoginPage(c, http.StatusUnprocessableEntity, d)
		return
	}
	if _, err := s.changeOwnPassword(c, u.ID, c.PostForm("current_password"), pw, true); err != nil {
		var (
			verr *incident.ValidationError
			th   *throttledError
		)
		switch {
		case errors.As(err, &th):
			d.Error = "Too many failed tries. Wait a while and try again."
			s.renderLoginPage(c, http.StatusTooManyRequests, d)
		case errors.As(err, &verr):
			d.Error = passwordProblem(verr)
			s.renderLoginPage(c, http.StatusUnprocessableEntity, d)
		default:
			s.renderError(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, nextOr(next))
}

// passwordProblem says what is wrong with a password change in a sentence.
func passwordProblem(verr *incident.ValidationError) string {
	switch {
	case verr.Fields["current_password"] != "":
		return "The current password is wrong."
	case verr.Fields["new_password"] != "":
		return "The new password " + verr.Fields["new_password"] + "."
	}
	return verr.Error()
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
