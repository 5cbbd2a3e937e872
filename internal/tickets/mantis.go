package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// MantisConfig is a MantisBT 2.x server.
type MantisConfig struct {
	// URL is the MantisBT root (https://mantis.example.com).
	URL string
	// Token is an API token (sent as the Authorization header).
	Token string
	// Project is the id or name of the project new issues go to; empty:
	// issues can only be linked.
	Project string
	// Category of new issues (default "General").
	Category string
	// HTTP is the client to use (default: one with DefaultTimeout).
	HTTP *http.Client
}

// MantisClient talks to MantisBT's REST API (/api/rest).
type MantisClient struct {
	cfg MantisConfig
	c   caller
}

// NewMantis returns a MantisBT client.
func NewMantis(cfg MantisConfig) *MantisClient {
	if cfg.Category == "" {
		cfg.Category = "General"
	}
	c := newCaller(Mantis, cfg.URL, cfg.HTTP)
	c.secret = cfg.Token
	c.keyHint = "check HINDSIGHT_MANTIS_TOKEN"
	c.auth = func(r *http.Request) { r.Header.Set("Authorization", cfg.Token) }
	c.message = mantisMessage
	return &MantisClient{cfg: cfg, c: c}
}

// System is "mantis".
func (m *MantisClient) System() string { return Mantis }

// CanCreate reports whether a project is set.
func (m *MantisClient) CanCreate() bool { return m.cfg.Project != "" }

// URL is the issue's page.
func (m *MantisClient) URL(key string) string {
	return m.c.base + "/view.php?id=" + url.QueryEscape(strings.TrimPrefix(strings.TrimSpace(key), "#"))
}

// Create files t as an issue of the project.
func (m *MantisClient) Create(ctx context.Context, t Ticket) (Ref, error) {
	if !m.CanCreate() {
		return Ref{}, ErrCannotCreate
	}
	project := map[string]any{"name": m.cfg.Project}
	if n, err := strconv.Atoi(m.cfg.Project); err == nil {
		project = map[string]any{"id": n}
	}
	body := map[string]any{
		"summary": apiclient.Snippet(t.Title, 128), "description": t.Description,
		"category": map[string]string{"name": m.cfg.Category}, "project": project,
	}
	var ans struct {
		Issue mantisIssue `json:"issue"`
	}
	if err := m.c.do(ctx, http.MethodPost, "/api/rest/issues", body, &ans, "project "+m.cfg.Project); err != nil {
		return Ref{}, err
	}
	if ans.Issue.ID == 0 {
		return Ref{}, fmt.Errorf("mantis: POST /api/rest/issues: the answer has no issue id")
	}
	key := strconv.Itoa(ans.Issue.ID)
	return Ref{Key: key, URL: m.URL(key), Status: ans.Issue.Status.Name}, nil
}

// Status reads the issue: resolved and closed mean closed; a resolution
// such as "won't fix", "duplicate" or "unable to reproduce" means won't
// do. The time is the last status change to resolved or closed in the
// issue's history, else its last update.
func (m *MantisClient) Status(ctx context.Context, key string) (Remote, error) {
	id := strings.TrimPrefix(strings.TrimSpace(key), "#")
	if _, err := strconv.Atoi(id); err != nil {
		return Remote{}, fmt.Errorf("mantis: %q is not an issue number", key)
	}
	var ans struct {
		Issues []mantisIssue `json:"issues"`
	}
	if err := m.c.do(ctx, http.MethodGet, "/api/rest/issues/"+id, nil, &ans, "issue "+id); err != nil {
		return Remote{}, err
	}
	if len(ans.Issues) == 0 {
		return Remote{}, fmt.Errorf("mantis: GET /api/rest/issues/%s: the answer has no issue", id)
	}
	is := ans.Issues[0]
	out := Remote{Status: is.Status.Name, URL: m.URL(id), Closed: mantisClosed(is.Status.Name)}
	if !out.Closed {
		return out, nil
	}
	out.WontDo = wontDo(is.Resolution.Name)
	var at *time.Time
	for _, h := range is.History {
		if h.Field.Name == "status" {
			if mantisClosed(h.NewValue.Name) {
				at = parseTime(h.CreatedAt)
			} else {
				at = nil
			}
		}
	}
	if at == nil {
		at = parseTime(is.UpdatedAt)
	}
	out.ClosedAt = at
	return out, nil
}

func mantisClosed(status string) bool {
	s := strings.ToLower(status)
	return s == "resolved" || s == "closed"
}

type mantisIssue struct {
	ID     int `json:"id"`
	Status struct {
		Name string `json:"name"`
	} `json:"status"`
	Resolution struct {
		Name string `json:"name"`
	} `json:"resolution"`
	UpdatedAt string `json:"updated_at"`
	History   []struct {
		CreatedAt string `json:"created_at"`
		Field     struct {
			Name string `json:"name"`
		} `json:"field"`
		NewValue struct {
			Name string `json:"name"`
		} `json:"new_value"`
	} `json:"history"`
}

// mantisMessage reads {"message": "...", "code": 11, "localized": "..."}.
func mantisMessage(body []byte) string {
	var e struct {
		Message   string `json:"message"`
		Localized string `json:"localized"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if e.Message == "" {
		return e.Localized
	}
	return e.Message
}
