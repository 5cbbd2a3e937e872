package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// contentSecurityPolicy allows no inline script and nothing from other
// origins: scripts, styles, images and API calls come from this server.
// Inline styles stay allowed (Svelte and the built-in pages set style
// attributes); they cannot run code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the strict headers on every answer: the CSP, no
// MIME sniffing, no framing, no referrer to other sites, and HSTS when
// the server is reached over HTTPS.
func (s *server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.authDeps.HSTS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses cross-origin writes from browsers (CSRF), with Go's
// http.CrossOriginProtection: it reads Sec-Fetch-Site and Origin, which
// every current browser sends and no page can forge. Requests carrying an
// Authorization header are exempt: a browser never adds one on its own, so
// they cannot ride on a victim's cookie. Webhooks and Slack, which are not
// browsers and send neither header, pass too; they authenticate themselves.
// It runs inside gin, so a refusal carries the request id and is audited
// (at most once a minute per address).
func (s *server) crossOrigin(c *gin.Context) {
	if c.GetHeader("Authorization") != "" {
		c.Next()
		return
	}
	if err := s.cop.Check(c.Request); err != nil {
		s.auditRefused(c, "cross-origin "+c.Request.Method+" "+truncateText(c.Request.URL.Path, 200)+" refused (CSRF protection)")
		s.renderError(c, &httpError{Status: http.StatusForbidden, Code: "cross_origin_refused",
			Message: "cross-origin request refused (CSRF protection)"})
		return
	}
	c.Next()
}

// auditRefused records the refusal of a request before guard has put the
// caller into the context: as anonymous, with the client address and the
// request id.
func (s *server) auditRefused(c *gin.Context, detail string) {
	if s.svc == nil {
		return
	}
	ctx := incident.WithActor(c.Request.Context(), incident.Actor{Name: incident.Anonymous, RemoteAddr: c.ClientIP(), RequestID: requestIDOf(c)})
	s.svc.AuditRefused(ctx, detail)
}

// signInRoutes are rate-limited per client address: every way to try a
// password or start a sign-in.
var signInRoutes = map[string]bool{
	"POST " + APIPrefix + "/auth/login":        true,
	"GET " + APIPrefix + "/auth/oidc/login":    true,
	"GET " + APIPrefix + "/auth/oidc/callback": true,
	"PUT " + APIPrefix + "/auth/password":      true,
	"POST /login":                              true,
	"POST /login/password":                     true,
}

// rateLimit answers 429 with Retry-After when a client address sends
// sign-in attempts or webhook deliveries faster than allowed.
func (s *server) rateLimit(c *gin.Context) {
	var lim interface {
		Allow(string) (bool, time.Duration)
	}
	key := routeKey(c)
	switch {
	case signInRoutes[key]:
		lim = s.signInRate
	case key == "POST "+hookRoute && s.hookRate != nil:
		lim = s.hookRate
	default:
		c.Next()
		return
	}
	if ok, wait := lim.Allow(auth.AddressKey(c.ClientIP())); !ok {
		s.auditRefused(c, "rate limit of "+key+" reached")
		s.tooMany(c, wait)
		return
	}
	c.Next()
}

// tooMany answers 429 asking to come back after wait.
func (s *server) tooMany(c *gin.Context, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	c.Header("Retry-After", strconv.Itoa(max(secs, 1)))
	s.renderError(c, &httpError{Status: http.StatusTooManyRequests, Code: "rate_limited",
		Message: "too many requests; try again in " + strconv.Itoa(max(secs, 1)) + " s"})
}

// clientKey is the throttle key of a client address (an IPv6 /64).
func clientKey(c *gin.Context) string { return "ip:" + auth.AddressKey(c.ClientIP()) }

// accountKey is the throttle key of an account.
func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
