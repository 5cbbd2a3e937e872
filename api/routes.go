package api

import (
	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/auth"
)

// APIPrefix is where the versioned API lives.
const APIPrefix = "/api/v1"

// routes registers every route of the API; api/openapi.yaml describes the
// same set (TestAPI_OpenAPI keeps the two in step).
func (s *server) routes(e *gin.Engine) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	v1 := e.Group(APIPrefix)
	v1.GET("/healthz", s.healthz)
	v1.GET("/readyz", s.readyz)
	v1.GET("/openapi.yaml", s.openAPI)
	v1.POST("/render", s.renderMarkdown)

	v1.POST("/incidents", s.createIncident)
	v1.GET("/incidents", s.listIncidents)
	v1.GET("/incidents/:id", s.getIncident)
	v1.PATCH("/incidents/:id", s.updateIncident)
	v1.DELETE("/incidents/:id", s.deleteIncident)

	v1.GET("/incidents/:id/timeline", s.listTimeline)
	v1.POST("/incidents/:id/timeline", s.appendTimeline)
	v1.PATCH("/incidents/:id/timeline/:event_id", s.updateTimelineEvent)
	v1.DELETE("/incidents/:id/timeline/:event_id", s.deleteTimelineEvent)

	v1.POST("/incidents/:id/imports", s.importTimeline)
	v1.GET("/incidents/:id/imports", s.listImports)
	v1.GET("/incidents/:id/links", s.listLinks)
	v1.DELETE("/imports/:id", s.undoImport)

	v1.GET("/incidents/:id/rca", s.getRCA)
	v1.PUT("/incidents/:id/rca", s.saveRCA)
	v1.POST("/incidents/:id/rca/lint", s.lintRCA)
	v1.POST("/incidents/:id/rca", s.createRCA)
	v1.GET("/incidents/:id/rca/revisions", s.listRCARevisions)
	v1.GET("/incidents/:id/rca/revisions/:version", s.getRCARevision)
	v1.POST("/incidents/:id/rca/revisions/:version/restore", s.restoreRCARevision)
	v1.GET("/incidents/:id/rca/diff", s.diffRCARevisions)
	v1.POST("/incidents/:id/rca/submit", s.submitRCA)
	v1.POST("/incidents/:id/rca/approve", s.approveRCA)
	v1.POST("/incidents/:id/rca/request-changes", s.requestRCAChanges)
	v1.POST("/incidents/:id/rca/publish", s.publishRCA)
	v1.POST("/incidents/:id/rca/amend", s.amendRCA)
	v1.GET("/incidents/:id/rca/comments", s.listRCAComments)
	v1.POST("/incidents/:id/rca/comments", s.addRCAComment)
	v1.POST("/incidents/:id/rca/comments/:comment_id/resolve", s.resolveRCAComment)

	v1.GET("/incidents/:id/root-causes", s.listRootCauses)
	v1.POST("/incidents/:id/root-causes", s.createRootCause)
	v1.GET("/root-causes/:id", s.getRootCause)
	v1.PATCH("/root-causes/:id", s.updateRootCause)
	v1.DELETE("/root-causes/:id", s.deleteRootCause)

	v1.GET("/incidents/:id/report", s.getReport)
	v1.GET("/incidents/:id/export", s.exportIncident)
	v1.POST("/incidents/import", s.importIncident)

	v1.GET("/incidents/:id/actions", s.listIncidentActions)
	v1.POST("/incidents/:id/actions", s.createAction)
	v1.GET("/actions", s.listActions)
	v1.GET("/actions/:id", s.getAction)
	v1.PATCH("/actions/:id", s.updateAction)
	v1.DELETE("/actions/:id", s.deleteAction)
	v1.POST("/actions/:id/ticket", s.createActionTicket)
	v1.POST("/actions/:id/ticket/sync", s.syncActionTicket)
	v1.GET("/tickets/systems", s.listTicketSystems)
	v1.POST("/tickets/sync", s.syncTickets)
	v1.GET("/incidents/:id/ticket", s.getIncidentTicket)
	v1.GET("/metrics/actions", s.actionMetrics)
	v1.GET("/metrics/incidents", s.incidentMetrics)
	v1.GET("/reports/monthly", s.monthlyReport)

	v1.GET("/incidents/:id/recurrences", s.listIncidentRecurrences)
	v1.GET("/recurrences", s.listRecurrences)
	v1.POST("/recurrences/:id/dismiss", s.dismissRecurrence)

	v1.POST("/hooks/:source", s.receiveHook)
	v1.GET("/integrations/hooks", s.listHooks)
	v1.POST("/integrations/hooks", s.createHook)
	v1.POST("/integrations/hooks/:id/rotate", s.rotateHook)
	v1.DELETE("/integrations/hooks/:id", s.deleteHook)

	v1.GET("/alerts", s.listAlerts)
	v1.GET("/alerts/:id", s.getAlert)
	v1.POST("/alerts/attach", s.attachAlerts)
	v1.POST("/alerts/dismiss", s.dismissAlerts)
	v1.POST("/alerts/:id/incident", s.openIncidentFromAlert)

	v1.GET("/search", s.searchIncidents)
	v1.GET("/search/suggest", s.suggestSearch)
	v1.GET("/search/status", s.searchStatus)
	v1.POST("/search/reindex", s.reindexSearch)
	v1.GET("/incidents/:id/similar", s.similarIncidents)
	v1.POST("/similar", s.similarText)
	v1.POST("/integrations/slack/command", s.slackCommand)

	v1.GET("/templates", s.listTemplates)
	v1.POST("/templates", s.createTemplate)
	v1.GET("/templates/:key", s.getTemplate)
	v1.PUT("/templates/:key", s.updateTemplate)
	v1.DELETE("/templates/:key", s.deleteTemplate)

	v1.POST("/auth/login", s.login)
	v1.POST("/auth/logout", s.logout)
	v1.GET("/auth/me", s.me)
	v1.PUT("/auth/password", s.changePassword)
	v1.GET("/auth/oidc/login", s.oidcLogin)
	v1.GET("/auth/oidc/callback", s.oidcCallback)
	v1.GET("/tokens", s.listOwnTokens)
	v1.POST("/tokens", s.createOwnToken)
	v1.DELETE("/tokens/:id", s.revokeToken)
	v1.GET("/users", s.listUsers)
	v1.POST("/users", s.createUser)
	v1.GET("/users/:id", s.getUser)
	v1.PATCH("/users/:id", s.updateUser)
	v1.POST("/users/:id/reset-password", s.resetPassword)
	v1.GET("/users/:id/tokens", s.listUserTokens)
	v1.POST("/users/:id/tokens", s.createUserToken)
	v1.GET("/audit", s.listAudit)
	v1.GET("/settings/action-policy", s.getActionPolicy)
	v1.PUT("/settings/action-policy", s.updateActionPolicy)
	v1.GET("/reminders", s.listReminders)
	v1.POST("/reminders/run", s.runReminders)

	// The server-rendered sign-in page, for browsers (works without JS).
	e.GET("/login", s.loginPage)
	e.POST("/login", s.loginForm)
	e.POST("/login/password", s.passwordForm)
	e.POST("/logout", s.logoutForm)

	// The public status page (no sign-in; HINDSIGHT_STATUS_PAGE=off: 404).
	v1.GET("/status/services", s.listStatusServices)
	v1.PUT("/status/services", s.replaceStatusServices)
	v1.GET("/incidents/:id/updates", s.listIncidentUpdates)
	v1.POST("/incidents/:id/updates", s.createIncidentUpdate)
	v1.DELETE("/incidents/:id/updates/:update_id", s.deleteIncidentUpdate)
	for _, m := range []string{"GET", "HEAD"} {
		e.Handle(m, "/status", s.cachedStatus(s.getStatusPage))
		e.Handle(m, "/status/incidents/:key", s.cachedStatus(s.getStatusIncident))
		e.Handle(m, "/status/history", s.cachedStatus(s.getStatusHistory))
		e.Handle(m, "/status/feed.atom", s.cachedStatus(s.getStatusFeed))
		e.Handle(m, "/status/status.css", s.getStatusCSS)
	}
}

// Shorthands of the access rules below.
var (
	public = auth.Public
	read   = auth.ViewRead   // viewer, token scope read
	write  = auth.EditWrite  // editor, token scope write
	imp    = auth.EditImport // editor, token scope import
	admin  = auth.AdminAdmin // admin, token scope admin
	self   = auth.Self       // any signed-in user, on their own account; a token needs scope admin
)

// routeRules is the access rule of every route, keyed "METHOD path" as gin
// registers it. The guard middleware looks every request up here: a route
// without a rule answers 500 (closed, never open), and
// TestAPI_AuthorizationMatrix fails for it. Public routes authenticate
// themselves (webhook tokens, Slack signatures) or sign people in.
var routeRules = map[string]auth.Need{
	"GET /healthz":             public,
	"GET /readyz":              public,
	"GET /api/v1/healthz":      public,
	"GET /api/v1/readyz":       public,
	"GET /api/v1/openapi.yaml": public,
	"POST /api/v1/render":      read,

	"POST /api/v1/incidents":       write,
	"GET /api/v1/incidents":        read,
	"GET /api/v1/incidents/:id":    read,
	"PATCH /api/v1/incidents/:id":  write,
	"DELETE /api/v1/incidents/:id": write,

	"GET /api/v1/incidents/:id/timeline":              read,
	"POST /api/v1/incidents/:id/timeline":             write,
	"PATCH /api/v1/incidents/:id/timeline/:event_id":  write,
	"DELETE /api/v1/incidents/:id/timeline/:event_id": write,

	"POST /api/v1/incidents/:id/imports": imp,
	"GET /api/v1/incidents/:id/imports":  read,
	"GET /api/v1/incidents/:id/links":    read,
	"DELETE /api/v1/imports/:id":         imp,

	"GET /api/v1/incidents/:id/rca":                               read,
	"PUT /api/v1/incidents/:id/rca":                               write,
	"POST /api/v1/incidents/:id/rca/lint":                         read,
	"POST /api/v1/incidents/:id/rca":                              write,
	"GET /api/v1/incidents/:id/rca/revisions":                     read,
	"GET /api/v1/incidents/:id/rca/revisions/:version":            read,
	"POST /api/v1/incidents/:id/rca/revisions/:version/restore":   write,
	"GET /api/v1/incidents/:id/rca/diff":                          read,
	"POST /api/v1/incidents/:id/rca/submit":                       write,
	"POST /api/v1/incidents/:id/rca/approve":                      write,
	"POST /api/v1/incidents/:id/rca/request-changes":              write,
	"POST /api/v1/incidents/:id/rca/publish":                      write,
	"POST /api/v1/incidents/:id/rca/amend":                        write,
	"GET /api/v1/incidents/:id/rca/comments":                      read,
	"POST /api/v1/incidents/:id/rca/comments":                     write,
	"POST /api/v1/incidents/:id/rca/comments/:comment_id/resolve": write,

	"GET /api/v1/incidents/:id/root-causes":  read,
	"POST /api/v1/incidents/:id/root-causes": write,
	"GET /api/v1/root-causes/:id":            read,
	"PATCH /api/v1/root-causes/:id":          write,
	"DELETE /api/v1/root-causes/:id":         write,

	"GET /api/v1/incidents/:id/report": read,
	"GET /api/v1/incidents/:id/export": read,
	"POST /api/v1/incidents/import":    imp,

	"GET /api/v1/incidents/:id/actions":  read,
	"POST /api/v1/incidents/:id/actions": write,
	"GET /api/v1/actions":                read,
	"GET /api/v1/actions/:id":            read,
	"PATCH /api/v1/actions/:id":          write,
	"DELETE /api/v1/actions/:id":         write,
	"GET /api/v1/metrics/actions":        read,
	"GET /api/v1/metrics/incidents":      read,
	"GET /api/v1/reports/monthly":        read,

	// Ticket sync: filing or linking a ticket copies the action's text to
	// the tracker, so it takes an editor who can see the incident.
	"POST /api/v1/actions/:id/ticket":      write,
	"POST /api/v1/actions/:id/ticket/sync": write,
	"GET /api/v1/tickets/systems":          read,
	"POST /api/v1/tickets/sync":            admin,
	"GET /api/v1/incidents/:id/ticket":     read,

	"GET /api/v1/incidents/:id/recurrences": read,
	"GET /api/v1/recurrences":               read,
	"POST /api/v1/recurrences/:id/dismiss":  write,

	"POST /api/v1/hooks/:source":                 public, // the hook's own token, rate-limited per address
	"GET /api/v1/integrations/hooks":             admin,
	"POST /api/v1/integrations/hooks":            admin,
	"POST /api/v1/integrations/hooks/:id/rotate": admin,
	"DELETE /api/v1/integrations/hooks/:id":      admin,

	"GET /api/v1/alerts":               read,
	"GET /api/v1/alerts/:id":           read,
	"POST /api/v1/alerts/attach":       write,
	"POST /api/v1/alerts/dismiss":      write,
	"POST /api/v1/alerts/:id/incident": write,

	"GET /api/v1/search":                      read,
	"GET /api/v1/search/suggest":              read,
	"GET /api/v1/search/status":               read,
	"POST /api/v1/search/reindex":             admin,
	"GET /api/v1/incidents/:id/similar":       read,
	"POST /api/v1/similar":                    read,
	"POST /api/v1/integrations/slack/command": public, // Slack's request signature

	"GET /api/v1/templates":         read,
	"POST /api/v1/templates":        admin,
	"GET /api/v1/templates/:key":    read,
	"PUT /api/v1/templates/:key":    admin,
	"DELETE /api/v1/templates/:key": admin,

	"POST /api/v1/auth/login":               public, // rate-limited and throttled
	"POST /api/v1/auth/logout":              read,
	"GET /api/v1/auth/me":                   read,
	"PUT /api/v1/auth/password":             self,
	"GET /api/v1/auth/oidc/login":           public,
	"GET /api/v1/auth/oidc/callback":        public, // state, nonce and PKCE tie it to the browser's session
	"GET /api/v1/tokens":                    self,
	"POST /api/v1/tokens":                   self,
	"DELETE /api/v1/tokens/:id":             self, // own tokens; an admin's, anyone's
	"GET /api/v1/users":                     admin,
	"POST /api/v1/users":                    admin,
	"GET /api/v1/users/:id":                 admin,
	"PATCH /api/v1/users/:id":               admin,
	"POST /api/v1/users/:id/reset-password": admin,
	"GET /api/v1/users/:id/tokens":          admin,
	"POST /api/v1/users/:id/tokens":         admin,
	"GET /api/v1/audit":                     admin,

	// Action policy: everyone sees the due-date defaults; admins change them.
	"GET /api/v1/settings/action-policy": read,
	"PUT /api/v1/settings/action-policy": admin,
	// Reminders: the record of digests sent and a manual run, for admins.
	"GET /api/v1/reminders":      admin,
	"POST /api/v1/reminders/run": admin,

	"GET /login":           public,
	"POST /login":          public, // rate-limited and throttled; cross-origin posts refused
	"POST /login/password": public, // needs the session of a sign-in that must change its password
	"POST /logout":         public, // ends the session, if any

	"GET /api/v1/status/services":                     admin,
	"PUT /api/v1/status/services":                     admin,
	"GET /api/v1/incidents/:id/updates":               read,
	"POST /api/v1/incidents/:id/updates":              write,
	"DELETE /api/v1/incidents/:id/updates/:update_id": write,
	// The status page shows only what editors marked public.
	"GET /status":                 public,
	"HEAD /status":                public,
	"GET /status/incidents/:key":  public,
	"HEAD /status/incidents/:key": public,
	"GET /status/history":         public,
	"HEAD /status/history":        public,
	"GET /status/feed.atom":       public,
	"HEAD /status/feed.atom":      public,
	"GET /status/status.css":      public,
	"HEAD /status/status.css":     public,
}
