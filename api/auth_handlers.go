package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// userJSON is a user as the API shows it; the password hash never leaves
// the server.
type userJSON struct {
	ID                 int64         `json:"id"`
	Email              string        `json:"email"`
	Name               string        `json:"name"`
	Role               incident.Role `json:"role"`
	Groups             []string      `json:"groups"`
	Disabled           bool          `json:"disabled"`
	MustChangePassword bool          `json:"must_change_password"`
	HasPassword        bool          `json:"has_password"`
	SSO                bool          `json:"sso"`
	LastLoginAt        *time.Time    `json:"last_login_at"`
	CreatedAt          time.Time     `json:"created_at"`
	UpdatedAt          time.Time     `json:"updated_at"`
}

func toUserJSON(u incident.User) userJSON {
	return userJSON{
		ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Groups: strings0(u.Groups), Disabled: u.Disabled,
		MustChangePassword: u.MustChangePassword, HasPassword: u.PasswordHash != "", SSO: u.OIDCSubject != "",
		LastLoginAt: utcPtr(u.LastLoginAt), CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}

// meJSON is the signed-in caller.
type meJSON struct {
	User userJSON `json:"user"`
	// Via is "session" or "token".
	Via    string           `json:"via"`
	Scopes []incident.Scope `json:"scopes,omitempty"`
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

var errBadCredentials = &httpError{Status: http.StatusUnauthorized, Code: "bad_credentials", Message: app.ErrBadCredentials.Error()}

// errPasswordExpired is the right one-time password, too late.
var errPasswordExpired = &httpError{Status: http.StatusUnauthorized, Code: "password_expired", Message: app.ErrPasswordExpired.Error()}

// maxAccountDelay caps how long failures on an account from other
// addresses delay a sign-in to it.
const maxAccountDelay = 3 * time.Second

// passwordSignIn checks an e-mail address and password, with throttling,
// and starts a fresh session. It returns the user, or an error to render.
//
// Repeated failures lock the account for the address they came from, and
// the address for every account (429 with Retry-After). An account alone is
// never locked: anyone may try any address, so a lock per account would let
// a stranger keep the admin out with one request every few minutes.
// Failures on it from anywhere only delay its sign-ins, by at most
// maxAccountDelay (guessing is bounded by the per-address locks and rate
// limits).
func (s *server) passwordSignIn(c *gin.Context, email, password string) (incident.User, error) {
	ctx := c.Request.Context()
	if email == "" || password == "" {
		return incident.User{}, errBadCredentials
	}
	pair := accountKey(email) + " " + clientKey(c)
	if wait := max(s.throttle.Wait(pair), s.throttle.Wait(clientKey(c))); wait > 0 {
		s.svc.AuditDenied(ctx, "sign-in of "+truncateText(email, 200)+" throttled after repeated failures")
		return incident.User{}, &throttledError{wait: wait}
	}
	if d := s.accountSlow.Wait(accountKey(email)); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return incident.User{}, ctx.Err()
		}
	}
	u, err := s.svc.Login(ctx, email, password)
	if errors.Is(err, app.ErrPasswordExpired) {
		return incident.User{}, errPasswordExpired
	}
	if errors.Is(err, app.ErrBadCredentials) {
		s.throttle.Fail(pair)
		s.throttle.Fail(clientKey(c))
		s.accountSlow.Fail(accountKey(email))
		return incident.User{}, errBadCredentials
	}
	if err != nil {
		return incident.User{}, err
	}
	s.throttle.Succeed(pair)
	s.throttle.Succeed(clientKey(c))
	s.accountSlow.Succeed(accountKey(email))
	if err := s.startSession(ctx, u); err != nil {
		return incident.User{}, err
	}
	return u, nil
}

// throttledError is a sign-in refused because of earlier failures.
type throttledError struct{ wait time.Duration }

func (e *throttledError) Error() string { return "too many failed sign-ins" }

// startSession puts u into a session under a new token (so a token planted
// before sign-in is worthless: no session fixation).
func (s *server) startSession(ctx context.Context, u incident.User) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessVersion, u.SessionVersion)
	return nil
}

// login handles POST /auth/login: a local account's e-mail and password.
func (s *server) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	u, err := s.passwordSignIn(c, req.Email, req.Password)
	if err != nil {
		s.renderSignInError(c, err)
		return
	}
	c.JSON(http.StatusOK, meJSON{User: toUserJSON(u), Via: "session"})
}

// renderSignInError renders a refused sign-in (429 with Retry-After when
// throttled).
func (s *server) renderSignInError(c *gin.Context, err error) {
	var th *throttledError
	if errors.As(err, &th) {
		s.tooMany(c, th.wait)
		return
	}
	s.renderError(c, err)
}

// logout handles POST /auth/logout: the session ends on the server, so its
// cookie is worthless everywhere even if it was copied.
func (s *server) logout(c *gin.Context) {
	p := principalOf(c)
	ctx := c.Request.Context()
	if p.Token == nil {
		if err := s.sessions.Destroy(ctx); err != nil {
			s.renderError(c, err)
			return
		}
	}
	if err := s.svc.Logout(ctx, *p.User); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// me handles GET /auth/me.
func (s *server) me(c *gin.Context) {
	p := principalOf(c)
	out := meJSON{User: toUserJSON(*p.User), Via: "session"}
	if p.Token != nil {
		out.Via, out.Scopes = "token", p.Token.Scopes
	}
	c.JSON(http.StatusOK, out)
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword handles PUT /auth/password: the caller's own password,
// given the current one. The caller's other sessions end; this one goes on
// under a new token.
func (s *server) changePassword(c *gin.Context) {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	p := principalOf(c)
	u, err := s.changeOwnPassword(c, p.User.ID, req.CurrentPassword, req.NewPassword, p.Token == nil)
	if err != nil {
		s.renderSignInError(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(u))
}

// changeOwnPassword changes a password with throttling (a wrong current
// password counts as a failed sign-in) and renews the session.
func (s *server) changeOwnPassword(c *gin.Context, id int64, current, next string, renew bool) (incident.User, error) {
	ctx := c.Request.Context()
	key := "user:" + formatID(id)
	if wait := max(s.throttle.Wait(key), s.throttle.Wait(clientKey(c))); wait > 0 {
		return incident.User{}, &throttledError{wait: wait}
	}
	u, err := s.svc.ChangePassword(ctx, id, current, next)
	var verr *incident.ValidationError
	if errors.As(err, &verr) && verr.Fields["current_password"] != "" {
		s.throttle.Fail(key)
		s.throttle.Fail(clientKey(c))
	}
	if err != nil {
		return incident.User{}, err
	}
	if renew {
		if err := s.startSession(ctx, u); err != nil {
			return incident.User{}, err
		}
	}
	return u, nil
}

// oidcLogin handles GET /auth/oidc/login: it keeps state, nonce and the
// PKCE verifier in the browser's session and sends the browser to the
// provider.
func (s *server) oidcLogin(c *gin.Context) {
	if s.oidc == nil {
		s.renderError(c, &httpError{Status: http.StatusNotFound, Code: "oidc_not_configured",
			Message: "single sign-on is not configured on this server"})
		return
	}
	ctx := c.Request.Context()
	f, err := s.oidc.Start(ctx)
	if err != nil {
		s.renderError(c, &httpError{Status: http.StatusBadGateway, Code: "oidc_unavailable",
			Message: "the identity provider cannot be reached; try again later", Cause: err})
		return
	}
	s.sessions.Put(ctx, sessOIDCState, f.State)
	s.sessions.Put(ctx, sessOIDCNonce, f.Nonce)
	s.sessions.Put(ctx, sessOIDCVerifier, f.Verifier)
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, f.URL)
}

// oidcCallback handles GET /auth/oidc/callback: the provider sends the
// browser back with a code and the state. The state must be this browser's
// (kept in its session, used once); the ID token is verified (signature,
// issuer, audience, expiry, nonce); the user is found or created, and a
// fresh session starts. Refusals are audited and change nothing.
func (s *server) oidcCallback(c *gin.Context) {
	if s.oidc == nil {
		s.renderError(c, &httpError{Status: http.StatusNotFound, Code: "oidc_not_configured",
			Message: "single sign-on is not configured on this server"})
		return
	}
	ctx := c.Request.Context()
	f := auth.Flow{
		State:    s.sessions.PopString(ctx, sessOIDCState),
		Nonce:    s.sessions.PopString(ctx, sessOIDCNonce),
		Verifier: s.sessions.PopString(ctx, sessOIDCVerifier),
	}
	if e := c.Query("error"); e != "" {
		s.svc.AuditDenied(ctx, "identity provider refused the sign-in: "+truncateText(e, 100))
		s.renderError(c, &httpError{Status: http.StatusUnauthorized, Code: "oidc_refused",
			Message: "the identity provider refused the sign-in: " + truncateText(e, 100)})
		return
	}
	id, err := s.oidc.Finish(ctx, f, c.Query("state"), c.Query("code"))
	if err != nil {
		s.oidcRefused(c, err)
		return
	}
	u, err := s.svc.OIDCSignIn(ctx, id, s.oidc.RoleFor(id.Groups), s.oidc.MapsRoles())
	if err != nil {
		s.oidcRefused(c, err)
		return
	}
	// Where the sign-in page was asked to return (GET /login?next=…), read
	// before the session token is renewed.
	next := s.popLoginNext(ctx)
	if err := s.startSession(ctx, u); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, next)
}

// oidcRefused audits and answers a refused OIDC callback.
func (s *server) oidcRefused(c *gin.Context, err error) {
	ctx := c.Request.Context()
	switch {
	case errors.Is(err, auth.ErrEmailNotVerified):
		s.svc.AuditDenied(ctx, truncateText(err.Error(), 300))
		s.log.Info("OIDC sign-in refused", slog.String("request_id", requestIDOf(c)), slog.Any("error", err))
		s.renderError(c, &httpError{Status: http.StatusUnauthorized, Code: "oidc_refused",
			Message: "sign-in refused: the identity provider does not say your e-mail address is verified; verify it there or ask an administrator"})
	case errors.Is(err, auth.ErrFlow), errors.Is(err, app.ErrBadCredentials):
		s.svc.AuditDenied(ctx, truncateText(err.Error(), 300))
		s.log.Info("OIDC sign-in refused", slog.String("request_id", requestIDOf(c)), slog.Any("error", err))
		s.renderError(c, &httpError{Status: http.StatusUnauthorized, Code: "oidc_refused",
			Message: "sign-in refused; start again from the sign-in page"})
	default:
		s.renderError(c, err)
	}
}
