package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

type userCreateRequest struct {
	Email    string        `json:"email"`
	Name     string        `json:"name"`
	Role     incident.Role `json:"role"`
	Password string        `json:"password"`
}

// userCreatedJSON is a new user and, when the server made it, the one-time
// password (shown in this answer only).
type userCreatedJSON struct {
	User            userJSON `json:"user"`
	OneTimePassword string   `json:"one_time_password,omitempty"`
}

type userPatchRequest struct {
	Name     *string        `json:"name"`
	Role     *incident.Role `json:"role"`
	Disabled *bool          `json:"disabled"`
}

// listUsers handles GET /users.
func (s *server) listUsers(c *gin.Context) {
	us, err := s.svc.Users(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]userJSON, len(us))
	for i, u := range us {
		out[i] = toUserJSON(u)
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// createUser handles POST /users: a local account; without a password the
// server makes a one-time password that must be changed at sign-in.
func (s *server) createUser(c *gin.Context) {
	var req userCreateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	u, pw, err := s.svc.CreateUser(c.Request.Context(), app.NewUser{Email: req.Email, Name: req.Name, Role: req.Role, Password: req.Password})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	created(c, APIPrefix+"/users/"+formatID(u.ID), userCreatedJSON{User: toUserJSON(u), OneTimePassword: pw})
}

// getUser handles GET /users/:id.
func (s *server) getUser(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.renderError(c, err)
		return
	}
	u, err := s.svc.User(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(u))
}

// updateUser handles PATCH /users/:id: name, role, disabled.
func (s *server) updateUser(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req userPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	u, err := s.svc.UpdateUser(c.Request.Context(), id, incident.UserPatch{Name: req.Name, Role: req.Role, Disabled: req.Disabled})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(u))
}

// resetPassword handles POST /users/:id/reset-password: a new one-time
// password, shown in this answer only; the user's sessions end.
func (s *server) resetPassword(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.renderError(c, err)
		return
	}
	pw, err := s.svc.ResetPassword(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"one_time_password": pw})
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// truncateText cuts text a client chose before it is echoed or audited.
func truncateText(s string, n int) string {
	r := []rune(incident.CleanText(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
