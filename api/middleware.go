package api

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-ID"

// ctxRequestID is the gin context key of the request id.
const ctxRequestID = "hindsight.request_id"

// requestIDRe is what an incoming request id may look like to be reused:
// short, printable, no spaces, so it is safe in logs and headers.
var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._:+=/-]{1,128}$`)

// requestID takes a sane incoming X-Request-ID or makes one, and echoes it.
func (s *server) requestID(c *gin.Context) {
	id := c.GetHeader(HeaderRequestID)
	if !requestIDRe.MatchString(id) {
		id = rand.Text()
	}
	c.Set(ctxRequestID, id)
	c.Header(HeaderRequestID, id)
	c.Next()
}

// requestIDOf returns the id requestID gave the request.
func requestIDOf(c *gin.Context) string { return c.GetString(ctxRequestID) }

// accessLog writes one line per request once it is answered.
func (s *server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelWarn
	}
	s.log.LogAttrs(c.Request.Context(), level, "HTTP request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("request_id", requestIDOf(c)),
		slog.String("remote_addr", c.ClientIP()),
	)
}

// recovery turns a panic in a handler into a logged stack and a 500 that
// names the request id and nothing else.
func (s *server) recovery(c *gin.Context) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
			panic(p)
		}
		s.log.Error("Panic in handler",
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("panic", fmt.Sprint(p)),
			slog.String("stack", string(debug.Stack())),
		)
		if c.Writer.Written() {
			c.Abort()
			return
		}
		s.renderError(c, errPanic)
	}()
	c.Next()
}

// errPanic stands for a recovered panic; renderError shows it as any other
// internal error (it is logged by recovery, with the stack).
var errPanic = errors.New("handler panicked")

// limitBody refuses bodies larger than maxBody: up front when the length is
// declared, and while reading otherwise (decodeJSON sees *http.MaxBytesError).
func (s *server) limitBody(c *gin.Context) {
	limit := s.bodyLimit(c)
	if c.Request.ContentLength > limit {
		s.renderError(c, errBodyTooLarge(limit))
		return
	}
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// routeNotFound answers paths no route matches: the browser UI for pages
// outside the API, a JSON 404 for everything else.
func (s *server) routeNotFound(c *gin.Context) {
	r := c.Request
	if s.ui != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		r.URL.Path != APIPrefix && !strings.HasPrefix(r.URL.Path, APIPrefix+"/") {
		c.Status(http.StatusOK)
		s.ui.ServeHTTP(c.Writer, r)
		return
	}
	s.renderError(c, &httpError{
		Status:  http.StatusNotFound,
		Code:    "route_not_found",
		Message: "no route " + c.Request.Method + " " + c.Request.URL.Path,
	})
}

// methodNotAllowed answers known paths asked with the wrong method; gin has
// already set the Allow header.
func (s *server) methodNotAllowed(c *gin.Context) {
	s.renderError(c, &httpError{
		Status:  http.StatusMethodNotAllowed,
		Code:    "method_not_allowed",
		Message: "method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path,
	})
}
