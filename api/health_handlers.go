package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// healthz says the process is up; it never touches the database.
func (s *server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.version})
}

// readyz says whether the process can serve: the database must answer.
func (s *server) readyz(c *gin.Context) {
	if err := s.svc.Ping(c.Request.Context()); err != nil {
		s.renderError(c, &httpError{
			Status:  http.StatusServiceUnavailable,
			Code:    "database_unavailable",
			Message: "the database is not reachable",
			Extra:   map[string]any{"status": "unavailable"},
			Cause:   err,
		})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.version})
}

// openAPI serves the API description.
func (s *server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", openAPISpec)
}
