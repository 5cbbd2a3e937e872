package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// hookService is what the webhook routes need from the app.
type hookService interface {
	DeliverHook(ctx context.Context, source, token string, d importers.Delivery) (app.HookResult, error)
	HookSources() []string
	CreateHook(ctx context.Context, h incident.Hook) (app.HookWithToken, error)
	Hooks(ctx context.Context) ([]incident.Hook, error)
	RotateHookToken(ctx context.Context, ref string) (app.HookWithToken, error)
	DeleteHook(ctx context.Context, ref string) error
}

// DefaultHookMaxBodyBytes bounds a webhook delivery when HookDeps leaves it 0.
const DefaultHookMaxBodyBytes = 1 << 20

// hookRoute is the webhook receiver's route.
const hookRoute = APIPrefix + "/hooks/:source"

// HookDeps configures the webhook receivers.
type HookDeps struct {
	// MaxBodyBytes bounds one delivery (HINDSIGHT_HOOK_MAX_BODY_BYTES).
	MaxBodyBytes int64
}

// maxEchoedAlerts bounds the stored alerts a hook's answer lists.
const maxEchoedAlerts = 100

// hookTokenHeader is the request header a sender may carry its token in.
const hookTokenHeader = "X-Hindsight-Token"

// receiveHook handles POST /hooks/:source: one delivery, authenticated by
// the hook's token (?token=, X-Hindsight-Token, Authorization: Bearer, or
// the password of basic auth)
// and, for vendors that sign, the signature. It answers once the alerts are
// stored: 200 with what was stored and where it went.
func (s *server) receiveHook(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.renderError(c, err)
		return
	}
	q := c.Request.URL.Query()
	token := q.Get("token")
	q.Del("token")
	if token == "" {
		token = strings.TrimSpace(c.GetHeader(hookTokenHeader))
	}
	if token == "" {
		token = authorizationToken(c.Request)
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	d := importers.Delivery{Header: c.Request.Header.Clone(), Query: q, ContentType: ct, Body: body, ReceivedAt: time.Now().UTC()}
	d.Header.Del(hookTokenHeader)
	d.Header.Del("Authorization")
	res, err := s.svc.DeliverHook(c.Request.Context(), strings.ToLower(c.Param("source")), token, d)
	if err != nil {
		s.renderError(c, err)
		return
	}
	// The answer shows where the first alerts went; a sender posting
	// thousands at once does not need them all echoed back.
	shown := res.Alerts[:min(len(res.Alerts), maxEchoedAlerts)]
	alerts := make([]alertJSON, len(shown))
	for i, a := range shown {
		alerts[i] = toAlertJSON(a)
	}
	c.JSON(http.StatusOK, gin.H{"hook": res.Hook, "received": res.Received, "ignored": res.Ignored, "stored": res.Stored,
		"duplicates": res.Duplicates, "alerts": alerts, "alerts_truncated": len(shown) < len(res.Alerts)})
}

// authorizationToken reads a hook token from Authorization: "Bearer
// <token>", or Basic credentials whose password is the token (for senders
// that only do basic auth; the user name is ignored).
func authorizationToken(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	if _, pass, ok := r.BasicAuth(); ok {
		return strings.TrimSpace(pass)
	}
	return ""
}

// hookJSON is a webhook integration; its token and signing secret are
// never shown again after creation.
type hookJSON struct {
	ID             int64             `json:"id"`
	Source         string            `json:"source"`
	Name           string            `json:"name"`
	URL            string            `json:"url"`
	Signed         bool              `json:"signed"`
	Mapping        map[string]string `json:"mapping"`
	CreatedBy      string            `json:"created_by"`
	CreatedAt      time.Time         `json:"created_at"`
	LastDeliveryAt *time.Time        `json:"last_delivery_at"`
}

func toHookJSON(h incident.Hook) hookJSON {
	m := h.Mapping
	if m == nil {
		m = map[string]string{}
	}
	return hookJSON{ID: h.ID, Source: h.Source, Name: h.Name, URL: APIPrefix + "/hooks/" + h.Source,
		Signed: h.SigningSecret != "", Mapping: m, CreatedBy: h.CreatedBy, CreatedAt: h.CreatedAt.UTC(),
		LastDeliveryAt: utcPtr(h.LastDeliveryAt)}
}

// hookWithTokenJSON is a hook as created or rotated: with its token, once.
type hookWithTokenJSON struct {
	hookJSON
	Token string `json:"token"`
	// URLWithToken is the path a sender posts to when it cannot set headers.
	URLWithToken string `json:"url_with_token"`
}

func toHookWithTokenJSON(h app.HookWithToken) hookWithTokenJSON {
	j := toHookJSON(h.Hook)
	return hookWithTokenJSON{hookJSON: j, Token: h.Token, URLWithToken: j.URL + "?token=" + h.Token}
}

type hookRequest struct {
	Source        string            `json:"source"`
	Name          string            `json:"name"`
	SigningSecret string            `json:"signing_secret"`
	Mapping       map[string]string `json:"mapping"`
}

// listHooks handles GET /integrations/hooks.
func (s *server) listHooks(c *gin.Context) {
	hooks, err := s.svc.Hooks(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]hookJSON, len(hooks))
	for i, h := range hooks {
		items[i] = toHookJSON(h)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "sources": s.svc.HookSources()})
}

// createHook handles POST /integrations/hooks.
func (s *server) createHook(c *gin.Context) {
	var req hookRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	h, err := s.svc.CreateHook(c.Request.Context(), incident.Hook{Source: req.Source, Name: req.Name,
		SigningSecret: req.SigningSecret, Mapping: req.Mapping})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	created(c, APIPrefix+"/integrations/hooks/"+h.Hook.Name, toHookWithTokenJSON(h))
}

// rotateHook handles POST /integrations/hooks/:id/rotate.
func (s *server) rotateHook(c *gin.Context) {
	h, err := s.svc.RotateHookToken(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toHookWithTokenJSON(h))
}

// deleteHook handles DELETE /integrations/hooks/:id.
func (s *server) deleteHook(c *gin.Context) {
	if err := s.svc.DeleteHook(c.Request.Context(), c.Param("id")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
