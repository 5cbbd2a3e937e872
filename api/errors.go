package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/search"
)

// httpError is an error the API itself raises (bad JSON, oversized body, no
// such route), already knowing its status and code.
type httpError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
	// Extra holds top-level members added next to "error" in the body.
	Extra map[string]any
	// Cause is logged, never shown.
	Cause error
}

// Error implements error.
func (e *httpError) Error() string { return e.Code + ": " + e.Message }

// Unwrap exposes the cause to errors.Is/As.
func (e *httpError) Unwrap() error { return e.Cause }

// errorJSON is the body of every error response (under "error").
type errorJSON struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id"`
}

func errBodyTooLarge(limit int64) error {
	return &httpError{
		Status:  http.StatusRequestEntityTooLarge,
		Code:    "body_too_large",
		Message: "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes",
	}
}

// renderError is the one place an error becomes a response: domain errors
// get their status and stable code, anything unexpected becomes a 500 that
// names the request id and is logged in full.
func (s *server) renderError(c *gin.Context, err error) {
	rid := requestIDOf(c)
	body := gin.H{}
	e := errorJSON{RequestID: rid}
	status := http.StatusInternalServerError

	var (
		he       *httpError
		maxBytes *http.MaxBytesError
		verr     *incident.ValidationError
		tooLarge *incident.TooLargeError
		nf       *incident.NotFoundError
		conflict *incident.ConflictError
	)
	var transition *incident.TransitionError
	var (
		hookAuth *app.HookAuthError
		delivery *app.DeliveryError
	)
	switch {
	case errors.As(err, &he):
		status, e.Code, e.Message, e.Fields = he.Status, he.Code, he.Message, he.Fields
		for k, v := range he.Extra {
			body[k] = v
		}
		if he.Cause != nil {
			s.log.Warn("Request failed", slog.String("request_id", rid), slog.String("code", he.Code), slog.Any("error", he.Cause))
		}
	case errors.As(err, &hookAuth):
		status, e.Code, e.Message = http.StatusUnauthorized, "hook_unauthorized", hookAuth.Error()
	case errors.As(err, &delivery):
		status, e.Code, e.Message = http.StatusBadRequest, "bad_payload", delivery.Error()
	case errors.Is(err, search.ErrNotReady):
		// The first build of the index is under way; say how far it got
		// (the status is a few counters, cheap to read).
		status, e.Code, e.Message = http.StatusServiceUnavailable, "search_not_ready", "the search index is being built; try again shortly"
		c.Header("Retry-After", searchRetryAfter)
		if s.svc != nil {
			if st, serr := s.svc.SearchStatus(c.Request.Context()); serr == nil {
				body["search"] = st
			}
		}
	case errors.Is(err, app.ErrSearchUnavailable), errors.Is(err, search.ErrClosed):
		status, e.Code, e.Message = http.StatusServiceUnavailable, "search_unavailable", "search is not available on this server right now"
		c.Header("Retry-After", searchRetryAfter)
	case errors.Is(err, search.ErrBadCursor):
		why := "does not belong to this search (same q, filters and sort)"
		var ce *search.CursorError
		if errors.As(err, &ce) {
			why = ce.Reason
		}
		status, e.Code, e.Message = http.StatusBadRequest, "bad_cursor", "the cursor "+why+"; start again without it"
		e.Fields = map[string]string{"cursor": why}
	case errors.Is(err, search.ErrBadRequest):
		status, e.Code, e.Message = http.StatusBadRequest, "bad_search", err.Error()
	case errors.As(err, &maxBytes):
		he := errBodyTooLarge(maxBytes.Limit).(*httpError)
		status, e.Code, e.Message = he.Status, he.Code, he.Message
	case errors.As(err, &tooLarge):
		status, e.Code, e.Message = http.StatusRequestEntityTooLarge, "document_too_large", tooLarge.Error()
		e.Fields = map[string]string{tooLarge.Field: "must be at most " + strconv.Itoa(tooLarge.Limit) + " characters"}
	case errors.As(err, &verr):
		status, e.Code, e.Message, e.Fields = http.StatusUnprocessableEntity, "validation_failed", verr.Error(), verr.Fields
	case errors.As(err, &nf):
		status, e.Code, e.Message = http.StatusNotFound, notFoundCode(nf.Object), nf.Error()
	case errors.Is(err, incident.ErrNotFound):
		status, e.Code, e.Message = http.StatusNotFound, "not_found", "not found"
	case errors.As(err, &conflict):
		status, e.Code, e.Message = http.StatusConflict, "version_conflict", conflict.Error()
		if cur, ok := s.present(conflict.Current); ok {
			body["current"] = cur
		} else if conflict.Current != nil {
			s.log.Warn("Conflict without a presentable current object", slog.String("request_id", rid), slog.String("object", conflict.Object))
		}
	case errors.Is(err, incident.ErrConflict):
		status, e.Code, e.Message = http.StatusConflict, "version_conflict", "the object was changed by someone else"
	case errors.As(err, &transition):
		// The review workflow refused: invalid_transition, rca_published, ...
		status, e.Code, e.Message = http.StatusConflict, transition.ErrorCode(), transition.Error()
		body["from"], body["to"] = transition.From, transition.To
		if cur, ok := s.present(transition.Current); ok {
			body["current"] = cur
		}
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away; nobody reads an answer.
		s.log.Info("Request canceled by client", slog.String("request_id", rid))
		c.AbortWithStatus(499)
		return
	default:
		e.Code, e.Message = "internal_error", "internal error (request id "+rid+")"
		if !errors.Is(err, errPanic) { // recovery logged the panic with its stack
			s.log.Error("Internal error", slog.String("request_id", rid),
				slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
				slog.Any("error", err))
		}
	}
	body["error"] = e
	c.AbortWithStatusJSON(status, body)
}

// searchRetryAfter is the Retry-After (seconds) of a 503 from search: an
// index build or a restart is a matter of seconds to minutes.
const searchRetryAfter = "5"

// notFoundCode turns a domain object name into the error code clients match
// on: "incident" → "incident_not_found".
func notFoundCode(object string) string {
	if object == "" {
		return "not_found"
	}
	return object + "_not_found"
}

// present renders a domain object the way its own endpoint does, for the
// "current" member of a 409.
func (s *server) present(v any) (any, bool) {
	switch o := v.(type) {
	case incident.Incident:
		return toIncidentJSON(o), true
	case *incident.Incident:
		if o != nil {
			return toIncidentJSON(*o), true
		}
	case incident.TimelineEvent:
		return toEventJSON(o), true
	case *incident.TimelineEvent:
		if o != nil {
			return toEventJSON(*o), true
		}
	case incident.RCA:
		return toRCAJSON(o), true
	case *incident.RCA:
		if o != nil {
			return toRCAJSON(*o), true
		}
	case incident.RootCause:
		return toRootCauseJSON(o), true
	case *incident.RootCause:
		if o != nil {
			return toRootCauseJSON(*o), true
		}
	case incident.CorrectiveAction:
		return toActionJSON(o, s.today()), true
	case *incident.CorrectiveAction:
		if o != nil {
			return toActionJSON(*o, s.today()), true
		}
	}
	return nil, false
}
