// Package api is Hindsight's HTTP interface: the REST/JSON API under /api/v1,
// the health checks and the OpenAPI description. It is the only package that
// knows gin. Handlers decode a request, call the Service, and end in one
// response helper; every error goes through renderError.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
)

// Service is what the API needs from the use-case layer. *app.App implements it.
type Service interface {
	templateService
	reportService
	lintService
	reviewService
	revisionService
	importService
	hookService
	alertService
	linkService
	searchService
	recurrenceService
	userService
	monthlyReportService
	ticketService
	settingsService
	reminderService
	statusService

	Ping(ctx context.Context) error
	// Today is the calendar day that due dates are judged against.
	Today() incident.Date

	CreateIncident(ctx context.Context, in incident.Incident) (incident.Incident, error)
	Incident(ctx context.Context, ref string) (incident.Incident, error)
	Incidents(ctx context.Context, f incident.IncidentFilter) (incident.Page[incident.Incident], error)
	UpdateIncident(ctx context.Context, ref string, p incident.IncidentPatch) (incident.Incident, error)
	DeleteIncident(ctx context.Context, ref string) error

	Timeline(ctx context.Context, ref string, f incident.TimelineFilter) (incident.Page[incident.TimelineEvent], error)
	AppendTimeline(ctx context.Context, ref string, evs []incident.TimelineEvent) (incident.AppendResult, error)
	UpdateTimelineEvent(ctx context.Context, ref string, eventID int64, p incident.TimelineEventPatch) (incident.TimelineEvent, error)
	DeleteTimelineEvent(ctx context.Context, ref string, eventID int64) error

	RCA(ctx context.Context, ref string) (incident.RCA, error)
	SaveRCA(ctx context.Context, ref string, r incident.RCA) (incident.RCA, error)

	RootCauses(ctx context.Context, ref string) ([]incident.RootCause, error)
	CreateRootCause(ctx context.Context, ref string, rc incident.RootCause) (incident.RootCause, error)
	RootCause(ctx context.Context, id int64) (incident.RootCause, error)
	UpdateRootCause(ctx context.Context, id int64, p incident.RootCausePatch) (incident.RootCause, error)
	DeleteRootCause(ctx context.Context, id int64) error

	Actions(ctx context.Context, f incident.ActionFilter) (incident.Page[incident.CorrectiveAction], error)
	ActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error)
	IncidentMetrics(ctx context.Context, f incident.IncidentMetricsFilter) (incident.IncidentMetrics, error)
	IncidentActions(ctx context.Context, ref string, f incident.ActionFilter) (incident.Page[incident.CorrectiveAction], error)
	CreateAction(ctx context.Context, ref string, a incident.CorrectiveAction) (incident.CorrectiveAction, error)
	Action(ctx context.Context, id int64) (incident.CorrectiveAction, error)
	UpdateAction(ctx context.Context, id int64, p incident.ActionPatch) (incident.CorrectiveAction, error)
	DeleteAction(ctx context.Context, id int64) error
}

// DefaultMaxBodyBytes is the request body limit when Deps.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 10 << 20

// Deps is everything the API is built from.
type Deps struct {
	// Service runs the use cases. Required.
	Service Service
	// Logger receives access-log lines and errors. Default: discard.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Version is the build version, reported by the health checks.
	Version string
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For is believed (HINDSIGHT_TRUSTED_PROXIES).
	TrustedProxies []string
	// Auth configures sign-in, sessions and the security baseline. Every
	// route but the public ones needs a signed-in user (see routeRules).
	Auth AuthDeps
	// Markdown renders previews (POST /render); share the app's. Default markdown.New().
	Markdown *markdown.Renderer
	// UI serves the browser UI for GET requests outside /api/v1. Nil: JSON 404.
	UI http.Handler
	// Imports configures timeline imports (importers offered, upload limit).
	Imports ImportDeps
	// Hooks configures the webhook receivers.
	Hooks HookDeps
	// PublicURL is where people reach this server, for links in answers
	// read elsewhere (Slack). Empty: taken from the request.
	PublicURL string
	// Slack configures the Slack slash command.
	Slack SlackDeps
	// Status configures the public status page (/status).
	Status StatusDeps

	// testIdentity, set by tests of this package only, replaces cookie and
	// token authentication: every request is signed in as what it returns.
	// It is unexported so that no other package (and no configuration) can
	// switch authentication off.
	testIdentity func(*http.Request) auth.Principal
}

//go:embed openapi.yaml
var openAPISpec []byte

// server holds the dependencies of the handlers, which are its methods.
type server struct {
	svc       Service
	log       *slog.Logger
	maxBody   int64
	version   string
	ui        http.Handler
	imports   ImportDeps
	hooks     HookDeps
	publicURL string
	slack     SlackDeps
	status    StatusDeps
	// statusCache keeps rendered status pages for status.CacheTTL.
	statusCache *statusCache
	// md renders markdown previews (POST /render).
	md *markdown.Renderer

	authDeps     AuthDeps
	sessions     *scs.SessionManager
	oidc         *auth.OIDC
	testIdentity func(*http.Request) auth.Principal
	// throttle locks password guessing per (account, address) and per
	// address; accountSlow only delays sign-ins to an account that failed
	// from anywhere (capped, never a lock, so nobody can lock another
	// person out from their own address); signInRate and hookRate bound
	// requests per address.
	// cop checks cross-origin requests (crossOrigin).
	cop         *http.CrossOriginProtection
	throttle    *auth.Throttle
	accountSlow *auth.Throttle
	signInRate  *auth.RateLimiter
	hookRate    *auth.RateLimiter
}

// New returns the HTTP handler of the whole API.
//
// gin keeps its mode in a package variable; New switches it to release mode
// because debug mode only prints route tables and warnings to stdout, which
// would bypass the structured logger. It is the one global New touches, it is
// set atomically, and every caller wants the same value.
func New(deps Deps) http.Handler {
	e, s := build(deps)
	// Outside in: security headers on every answer, the session loaded
	// from its cookie and saved after, then gin (where cross-origin writes
	// are refused first, bearer-token requests exempt).
	return s.securityHeaders(statusWithoutSessions(e, s.sessions.LoadAndSave(e)))
}

func newEngine(deps Deps) *gin.Engine {
	e, _ := build(deps)
	return e
}

func build(deps Deps) (*gin.Engine, *server) {
	s := &server{
		svc:       deps.Service,
		log:       deps.Logger,
		maxBody:   deps.MaxBodyBytes,
		version:   deps.Version,
		ui:        deps.UI,
		imports:   deps.Imports,
		hooks:     deps.Hooks,
		publicURL: deps.PublicURL,
		slack:     deps.Slack,
		status:    deps.Status,
		md:        deps.Markdown,

		authDeps:     deps.Auth,
		oidc:         deps.Auth.OIDC,
		testIdentity: deps.testIdentity,
	}
	if s.md == nil {
		s.md = markdown.New()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.sessions = newSessions(deps.Auth, s.log)
	s.statusCache = newStatusCache(deps.Status.CacheTTL)
	s.cop = http.NewCrossOriginProtection()
	s.throttle = auth.NewThrottle(auth.ThrottleOptions{})
	s.accountSlow = auth.NewThrottle(auth.ThrottleOptions{MaxLock: maxAccountDelay})
	s.signInRate = auth.NewRateLimiter(orDefault(deps.Auth.SignInPerMinute, 10), 10, nil)
	if deps.Auth.HooksPerMinute >= 0 {
		s.hookRate = auth.NewRateLimiter(orDefault(deps.Auth.HooksPerMinute, 6000), 500, nil)
	}

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Only the configured proxies are trusted (none by default): the client
	// address is the peer's address, so a client cannot choose what the
	// audit log records, or dodge the per-address rate limits, via
	// X-Forwarded-For. Behind a load balancer, list it in TrustedProxies, or
	// every client shares its address. The list is checked in cmd.
	_ = e.SetTrustedProxies(deps.TrustedProxies)
	e.HandleMethodNotAllowed = true
	// A JSON API answers a wrong path with a JSON 404, not a redirect.
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false

	e.Use(s.requestID, s.accessLog, s.recovery, s.crossOrigin, s.limitBody, s.rateLimit, s.guard)
	e.NoRoute(s.routeNotFound)
	e.NoMethod(s.methodNotAllowed)
	s.routes(e)
	return e, s
}

// orDefault is v, or def when v is 0.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// today is the calendar day that due dates are judged against (the app's
// clock in the configured time zone).
func (s *server) today() incident.Date { return s.svc.Today() }
