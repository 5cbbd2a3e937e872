package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// RedmineConfig is a Redmine server.
type RedmineConfig struct {
	// URL is the Redmine root (with its sub path, if any).
	URL string
	// Key is a user's API key (sent as X-Redmine-API-Key).
	Key string
	// Project is the id or identifier of the project new issues go to;
	// empty: issues can only be linked.
	Project string
	// TrackerID is the tracker of new issues (0: the project's default).
	TrackerID int
	// HTTP is the client to use (default: one with DefaultTimeout).
	HTTP *http.Client
}

// RedmineClient talks to Redmine's REST API.
type RedmineClient struct {
	cfg RedmineConfig
	c   caller
}

// NewRedmine returns a Redmine client.
func NewRedmine(cfg RedmineConfig) *RedmineClient {
	c := newCaller(Redmine, cfg.URL, cfg.HTTP)
	c.secret = cfg.Key
	c.keyHint = "check HINDSIGHT_REDMINE_KEY (and that the REST API is enabled in Redmine's settings)"
	c.auth = func(r *http.Request) { r.Header.Set("X-Redmine-API-Key", cfg.Key) }
	c.message = redmineMessage
	return &RedmineClient{cfg: cfg, c: c}
}

// System is "redmine".
func (r *RedmineClient) System() string { return Redmine }

// CanCreate reports whether a project is set.
func (r *RedmineClient) CanCreate() bool { return r.cfg.Project != "" }

// URL is the issue's page.
func (r *RedmineClient) URL(key string) string { return r.c.base + "/issues/" + redmineID(key) }

// Create files t as an issue of the project.
func (r *RedmineClient) Create(ctx context.Context, t Ticket) (Ref, error) {
	if !r.CanCreate() {
		return Ref{}, ErrCannotCreate
	}
	issue := map[string]any{"subject": snippet(t.Title, 255), "description": t.Description}
	if n, err := strconv.Atoi(r.cfg.Project); err == nil {
		issue["project_id"] = n
	} else {
		issue["project_id"] = r.cfg.Project
	}
	if r.cfg.TrackerID > 0 {
		issue["tracker_id"] = r.cfg.TrackerID
	}
	var ans struct {
		Issue redmineIssue `json:"issue"`
	}
	if err := r.c.do(ctx, http.MethodPost, "/issues.json", map[string]any{"issue": issue}, &ans, "project "+r.cfg.Project); err != nil {
		return Ref{}, err
	}
	if ans.Issue.ID == 0 {
		return Ref{}, fmt.Errorf("redmine: POST /issues.json: the answer has no issue id")
	}
	key := strconv.Itoa(ans.Issue.ID)
	return Ref{Key: key, URL: r.URL(key), Status: ans.Issue.Status.Name}, nil
}

// Status reads the issue. Redmine 5.1+ says whether its status closes
// issues (status.is_closed); older versions are judged by closed_on.
func (r *RedmineClient) Status(ctx context.Context, key string) (Remote, error) {
	id := redmineID(key)
	if _, err := strconv.Atoi(id); err != nil {
		return Remote{}, fmt.Errorf("redmine: %q is not an issue number", key)
	}
	var ans struct {
		Issue redmineIssue `json:"issue"`
	}
	if err := r.c.do(ctx, http.MethodGet, "/issues/"+id+".json", nil, &ans, "issue #"+id); err != nil {
		return Remote{}, err
	}
	is := ans.Issue
	out := Remote{Status: is.Status.Name, URL: r.URL(id)}
	if is.Status.IsClosed != nil {
		out.Closed = *is.Status.IsClosed
	} else {
		out.Closed = is.ClosedOn != ""
	}
	if out.Closed {
		out.ClosedAt = parseTime(is.ClosedOn)
		out.WontDo = wontDo(is.Status.Name)
	}
	return out, nil
}

type redmineIssue struct {
	ID     int `json:"id"`
	Status struct {
		Name     string `json:"name"`
		IsClosed *bool  `json:"is_closed"`
	} `json:"status"`
	ClosedOn string `json:"closed_on"`
}

// redmineID takes "4711", "#4711" or "proj#4711" to "4711".
func redmineID(key string) string {
	key = strings.TrimSpace(key)
	if i := strings.LastIndexByte(key, '#'); i >= 0 {
		key = key[i+1:]
	}
	return key
}

// redmineMessage reads {"errors": ["Subject cannot be blank", ...]}.
func redmineMessage(body []byte) string {
	var e struct {
		Errors []string `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return strings.Join(e.Errors, "; ")
}
