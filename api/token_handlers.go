package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// tokenJSON is an API token as lists show it: never the secret.
type tokenJSON struct {
	ID         int64            `json:"id"`
	UserID     int64            `json:"user_id"`
	UserEmail  string           `json:"user_email"`
	Name       string           `json:"name"`
	Scopes     []incident.Scope `json:"scopes"`
	Prefix     string           `json:"prefix"`
	ExpiresAt  *time.Time       `json:"expires_at"`
	LastUsedAt *time.Time       `json:"last_used_at"`
	RevokedAt  *time.Time       `json:"revoked_at"`
	CreatedAt  time.Time        `json:"created_at"`
}

func toTokenJSON(t incident.APIToken) tokenJSON {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []incident.Scope{}
	}
	return tokenJSON{ID: t.ID, UserID: t.UserID, UserEmail: t.UserEmail, Name: t.Name, Scopes: scopes, Prefix: t.Prefix,
		ExpiresAt: utcPtr(t.ExpiresAt), LastUsedAt: utcPtr(t.LastUsedAt), RevokedAt: utcPtr(t.RevokedAt), CreatedAt: t.CreatedAt.UTC()}
}

// tokenCreatedJSON is a new token with its secret, shown in this answer only.
type tokenCreatedJSON struct {
	tokenJSON
	Token string `json:"token"`
}

type tokenCreateRequest struct {
	Name   string           `json:"name"`
	Scopes []incident.Scope `json:"scopes"`
	// ExpiresAt or ExpiresInDays (not both); neither: the token does not expire.
	ExpiresAt     *timeValue `json:"expires_at"`
	ExpiresInDays *int       `json:"expires_in_days"`
}

// listOwnTokens handles GET /tokens: the caller's tokens.
func (s *server) listOwnTokens(c *gin.Context) { s.renderTokens(c, principalOf(c).User.ID) }

// listUserTokens handles GET /users/:id/tokens (admins).
func (s *server) listUserTokens(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if _, err := s.svc.User(c.Request.Context(), id); err != nil {
		s.renderError(c, err)
		return
	}
	s.renderTokens(c, id)
}

func (s *server) renderTokens(c *gin.Context, userID int64) {
	ts, err := s.svc.Tokens(c.Request.Context(), userID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]tokenJSON, len(ts))
	for i, t := range ts {
		out[i] = toTokenJSON(t)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// createOwnToken handles POST /tokens: a token for the caller.
func (s *server) createOwnToken(c *gin.Context) { s.createToken(c, principalOf(c).User.ID) }

// createUserToken handles POST /users/:id/tokens (admins): a token for
// someone else, such as a service account for CI.
func (s *server) createUserToken(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.createToken(c, id)
}

func (s *server) createToken(c *gin.Context, userID int64) {
	var req tokenCreateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	in := app.NewToken{UserID: userID, Name: req.Name, Scopes: req.Scopes}
	if req.ExpiresAt != nil {
		in.ExpiresAt = req.ExpiresAt.ptr()
	}
	if req.ExpiresInDays != nil {
		if *req.ExpiresInDays == 0 {
			s.renderError(c, incident.Invalid("expires_in_days", "must be from 1 to 3650"))
			return
		}
		in.ExpiresInDays = *req.ExpiresInDays
	}
	t, secret, err := s.svc.CreateToken(c.Request.Context(), in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	created(c, APIPrefix+"/tokens/"+formatID(t.ID), tokenCreatedJSON{tokenJSON: toTokenJSON(t), Token: secret})
}

// revokeToken handles DELETE /tokens/:id: the caller's own token, or any
// token for an admin. Someone else's token is not found for others, so ids
// do not reveal which tokens exist.
func (s *server) revokeToken(c *gin.Context) {
	id, err := idParam(c, "id", "token")
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	p := principalOf(c)
	t, err := s.svc.Token(ctx, id)
	if err == nil && t.UserID != p.User.ID && p.User.Role != incident.RoleAdmin {
		err = incident.NotFound("token", c.Param("id"))
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	if t, err = s.svc.RevokeToken(ctx, id); err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toTokenJSON(t))
}
