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

	"github.com/gin-gonic/gin"

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
	// UserHeader, when set, names a request header holding the acting user's
	// name, set by an authenticating reverse proxy. Set it only behind such a
	// proxy (one that strips the header from client requests): the API trusts
	// it blindly. Empty: every request acts as incident.Anonymous.
	UserHeader string
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
}

//go:embed openapi.yaml
var openAPISpec []byte

// server holds the dependencies of the handlers, which are its methods.
type server struct {
	svc        Service
	log        *slog.Logger
	maxBody    int64
	version    string
	userHeader string
	ui         http.Handler
	imports    ImportDeps
	hooks      HookDeps
	publicURL  string
	slack      SlackDeps
	// md renders markdown previews (POST /render).
	md *markdown.Renderer
}

// New returns the HTTP handler of the whole API.
//
// gin keeps its mode in a package variable; New switches it to release mode
// because debug mode only prints route tables and warnings to stdout, which
// would bypass the structured logger. It is the one global New touches, it is
// set atomically, and every caller wants the same value.
func New(deps Deps) http.Handler {
	return newEngine(deps)
}

func newEngine(deps Deps) *gin.Engine {
	s := &server{
		svc:        deps.Service,
		log:        deps.Logger,
		maxBody:    deps.MaxBodyBytes,
		version:    deps.Version,
		userHeader: deps.UserHeader,
		ui:         deps.UI,
		imports:    deps.Imports,
		hooks:      deps.Hooks,
		publicURL:  deps.PublicURL,
		slack:      deps.Slack,
		md:         deps.Markdown,
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

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// No proxy is trusted: the client address is the peer's address, so a
	// client cannot choose what the audit log records via X-Forwarded-For.
	_ = e.SetTrustedProxies(nil)
	e.HandleMethodNotAllowed = true
	// A JSON API answers a wrong path with a JSON 404, not a redirect.
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false

	e.Use(s.requestID, s.accessLog, s.recovery, s.limitBody, s.actor)
	e.NoRoute(s.routeNotFound)
	e.NoMethod(s.methodNotAllowed)
	s.routes(e)
	return e
}

// today is the calendar day that due dates are judged against (the app's
// clock in the configured time zone).
func (s *server) today() incident.Date { return s.svc.Today() }
