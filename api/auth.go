package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// userService is what sign-in, sessions, tokens and the user admin routes
// need from the app.
type userService interface {
	Login(ctx context.Context, email, password string) (incident.User, error)
	SessionUser(ctx context.Context, id int64, version int) (incident.User, error)
	AuthenticateToken(ctx context.Context, secret string) (incident.User, incident.APIToken, error)
	Logout(ctx context.Context, u incident.User) error
	AuditDenied(ctx context.Context, detail string)
	AuditRefused(ctx context.Context, detail string)
	OIDCSignIn(ctx context.Context, id auth.Identity, role incident.Role, roleFromGroups bool) (incident.User, error)

	CreateUser(ctx context.Context, in app.NewUser) (incident.User, string, error)
	Users(ctx context.Context) ([]incident.User, error)
	User(ctx context.Context, id int64) (incident.User, error)
	UpdateUser(ctx context.Context, id int64, p incident.UserPatch) (incident.User, error)
	ResetPassword(ctx context.Context, id int64) (string, error)
	ChangePassword(ctx context.Context, id int64, current, next string) (incident.User, error)

	CreateToken(ctx context.Context, in app.NewToken) (incident.APIToken, string, error)
	Tokens(ctx context.Context, userID int64) ([]incident.APIToken, error)
	Token(ctx context.Context, id int64) (incident.APIToken, error)
	RevokeToken(ctx context.Context, id int64) (incident.APIToken, error)

	AuditLog(ctx context.Context, f incident.AuditFilter) ([]incident.AuditEntry, int64, error)
}

// AuthDeps configures sign-in and sessions.
type AuthDeps struct {
	// Sessions stores browser sessions (store.Sessions: in the database, so
	// every replica sees them and a sign-out ends the session everywhere).
	// Nil: sessions live in this process's memory (tests, one replica).
	Sessions scs.CtxStore
	// IdleTimeout ends a session nobody used for this long. Default 8h.
	IdleTimeout time.Duration
	// Lifetime ends every session this long after sign-in. Default 7 days.
	Lifetime time.Duration
	// CookieSecure marks the session cookie Secure (sent over HTTPS only).
	// cmd sets it when the public URL is https (HINDSIGHT_COOKIE_SECURE
	// overrides); it is off only for plain-http local use.
	CookieSecure bool
	// HSTS sends Strict-Transport-Security (the public URL is https).
	HSTS bool
	// OIDC signs people in through an identity provider. Nil: local
	// accounts only.
	OIDC *auth.OIDC
	// SignInPerMinute bounds sign-in attempts per client address (login,
	// OIDC start and callback). Default 10 a minute, bursts of 10.
	SignInPerMinute float64
	// HooksPerMinute bounds webhook deliveries per client address. Default
	// 6000 a minute, bursts of 500. Negative: no limit (benchmarks).
	HooksPerMinute float64
}

// sessionCookie is the name of the session cookie.
const sessionCookie = "hindsight_session"

// Session keys.
const (
	sessUserID  = "user_id"
	sessVersion = "session_version"
	// The OIDC flow under way: state, nonce, PKCE verifier, where to go after.
	sessOIDCState    = "oidc_state"
	sessOIDCNonce    = "oidc_nonce"
	sessOIDCVerifier = "oidc_verifier"
)

// newSessions builds the session manager from d.
func newSessions(d AuthDeps, log *slog.Logger) *scs.SessionManager {
	sm := scs.New()
	sm.IdleTimeout = d.IdleTimeout
	if sm.IdleTimeout <= 0 {
		sm.IdleTimeout = 8 * time.Hour
	}
	if d.Sessions != nil {
		sm.Store = newTouchSkipper(d.Sessions, sm.Codec, sm.IdleTimeout)
	}
	sm.Lifetime = d.Lifetime
	if sm.Lifetime <= 0 {
		sm.Lifetime = 7 * 24 * time.Hour
	}
	sm.Cookie.Name = sessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = d.CookieSecure
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("Session store failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"internal_error","message":"internal error (session store)","request_id":""}}`))
	}
	return sm
}

// gin context keys of the caller.
const (
	ctxPrincipal = "hindsight.principal"
)

// principalOf returns who sent the request (zero when anonymous).
func principalOf(c *gin.Context) auth.Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(auth.Principal)
	return pr
}

// routeKey is a request's key in routeRules.
func routeKey(c *gin.Context) string { return c.Request.Method + " " + c.FullPath() }

// guard authenticates the caller and applies the route's access rule
// (routeRules). It puts the caller into the request context: the actor for
// the audit log and the viewer for incident visibility. Public routes run
// as anonymous with the view of internal incidents; a route without a rule
// is refused.
func (s *server) guard(c *gin.Context) {
	need, ok := routeRules[routeKey(c)]
	if c.FullPath() == "" {
		// No route: the browser UI's files or a JSON 404, no data.
		need, ok = auth.Public, true
	}
	actor := incident.Actor{Name: incident.Anonymous, RemoteAddr: c.ClientIP(), RequestID: requestIDOf(c)}
	ctx := incident.WithActor(c.Request.Context(), actor)
	if !ok {
		c.Request = c.Request.WithContext(ctx)
		s.renderError(c, &httpError{Status: http.StatusInternalServerError, Code: "internal_error",
			Message: "internal error (request id " + requestIDOf(c) + ")", Cause: errNoRule(routeKey(c))})
		return
	}
	if need.Public {
		c.Request = c.Request.WithContext(app.WithViewer(ctx, incident.Viewer{}))
		c.Next()
		return
	}
	c.Request = c.Request.WithContext(ctx)
	p, presented := s.identify(c)
	if p.User != nil {
		// What a signed-in caller reads may be restricted: no browser or
		// proxy cache keeps it (after sign-out it would still be on disk).
		c.Header("Cache-Control", "no-store")
		actor.Name = p.User.Email
		ctx = incident.WithActor(ctx, actor)
		ctx = app.WithViewer(ctx, viewerOf(*p.User))
		c.Request = c.Request.WithContext(ctx)
		c.Set(ctxPrincipal, p)
	}
	switch auth.Allow(need, p) {
	case auth.Unauthenticated:
		if presented != "" {
			s.svc.AuditRefused(ctx, presented+" refused on "+routeKey(c))
		}
		s.renderError(c, &httpError{Status: http.StatusUnauthorized, Code: "unauthenticated",
			Message: "sign in first: a session cookie or an Authorization: Bearer token is required"})
		c.Header("WWW-Authenticate", `Bearer realm="hindsight"`)
		return
	case auth.Forbidden:
		why := "role " + string(p.User.Role) + " may not " + routeKey(c)
		if p.Token != nil && p.User.Role.AtLeast(need.Role) {
			why = "token " + p.Token.Prefix + " lacks scope " + string(need.Scope) + " for " + routeKey(c)
		}
		s.svc.AuditDenied(ctx, why)
		s.renderError(c, &httpError{Status: http.StatusForbidden, Code: "forbidden", Message: "not allowed: " + why})
		return
	}
	if p.Token == nil && p.User.MustChangePassword && !passwordChangeRoutes[routeKey(c)] {
		s.renderError(c, &httpError{Status: http.StatusForbidden, Code: "password_change_required",
			Message: "change the one-time password first (PUT " + APIPrefix + "/auth/password, or sign in at /login)"})
		return
	}
	c.Next()
}

// passwordChangeRoutes are what a session whose password must be changed
// may still use.
var passwordChangeRoutes = map[string]bool{
	"GET " + APIPrefix + "/auth/me":       true,
	"PUT " + APIPrefix + "/auth/password": true,
	"POST " + APIPrefix + "/auth/logout":  true,
}

type errNoRule string

func (e errNoRule) Error() string { return "route " + string(e) + " has no access rule in routeRules" }

// identify finds the caller from the Authorization header or the session
// cookie. presented names credentials that were sent but did not
// authenticate ("" when none were sent), for the audit log.
func (s *server) identify(c *gin.Context) (p auth.Principal, presented string) {
	if s.testIdentity != nil {
		return s.testIdentity(c.Request), ""
	}
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		secret, ok := bearer(h)
		if !ok {
			return p, "an Authorization header that is not a Bearer token"
		}
		u, t, err := s.svc.AuthenticateToken(ctx, secret)
		if err != nil {
			if err != app.ErrUnauthenticated {
				s.log.Error("Token check failed", slog.String("request_id", requestIDOf(c)), slog.Any("error", err))
			}
			return p, "" // AuthenticateToken audited the refusal
		}
		return auth.Principal{User: &u, Token: &t}, ""
	}
	if s.sessions == nil {
		return p, ""
	}
	if _, err := c.Request.Cookie(sessionCookie); err != nil {
		return p, ""
	}
	uid := s.sessions.GetInt64(ctx, sessUserID)
	if uid == 0 {
		// Expire the cookie, so the browser stops sending it (and the
		// audit log gets one entry, not one per request) — unless it holds
		// a single sign-on under way.
		if !s.sessions.Exists(ctx, sessOIDCState) {
			_ = s.sessions.Destroy(ctx)
			return p, "an unknown or expired session cookie"
		}
		return p, ""
	}
	u, err := s.svc.SessionUser(ctx, uid, s.sessions.GetInt(ctx, sessVersion))
	if err != nil {
		if err != app.ErrUnauthenticated {
			s.log.Error("Session check failed", slog.String("request_id", requestIDOf(c)), slog.Any("error", err))
			return p, ""
		}
		_ = s.sessions.Destroy(ctx)
		return p, "a session ended by a password change, reset or disabled account"
	}
	return auth.Principal{User: &u}, ""
}

// bearer returns the token of "Bearer <token>".
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// viewerOf is which incidents u may see: admins all; others the internal
// ones and those restricted to their e-mail address or one of their groups.
// The local part of the address is not a principal on its own: alice@a.com
// and alice@b.com are different people.
func viewerOf(u incident.User) incident.Viewer {
	if u.Role == incident.RoleAdmin {
		return incident.Viewer{All: true}
	}
	return incident.Viewer{Principals: append([]string{u.Email}, u.Groups...)}
}
