package api

import "github.com/gin-gonic/gin"

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
}
