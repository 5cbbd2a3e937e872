package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/hindsightrca/hindsight/internal/apiclient"
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

	// closedStatuses caches /issue_statuses.json (status id → closes
	// issues), read for Redmine before 5.1, whose issues do not say.
	mu             sync.Mutex
	closedStatuses map[int]bool
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
	issue := map[string]any{"subject": apiclient.Snippet(t.Title, 255), "description": t.Description}
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
// issues (status.is_closed); for older versions that comes from
// /issue_statuses.json (read once, again for a status it did not list).
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
		closed, err := r.statusCloses(ctx, is.Status.ID)
		if err != nil {
			return Remote{}, err
		}
		out.Closed = closed
	}
	if out.Closed {
		out.ClosedAt = parseTime(is.ClosedOn)
		out.WontDo = wontDo(is.Status.Name)
	}
	return out, nil
}

// statusCloses reports whether the status with that id closes issues.
func (r *RedmineClient) statusCloses(ctx context.Context, id int) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if closed, ok := r.closedStatuses[id]; ok {
		return closed, nil
	}
	var ans struct {
		IssueStatuses []struct {
			ID       int  `json:"id"`
			IsClosed bool `json:"is_closed"`
		} `json:"issue_statuses"`
	}
	if err := r.c.do(ctx, http.MethodGet, "/issue_statuses.json", nil, &ans, "the issue statuses"); err != nil {
		return false, err
	}
	r.closedStatuses = make(map[int]bool, len(ans.IssueStatuses))
	for _, st := range ans.IssueStatuses {
		r.closedStatuses[st.ID] = st.IsClosed
	}
	closed, ok := r.closedStatuses[id]
	if !ok {
		return false, fmt.Errorf("redmine: issue status %d is not in /issue_statuses.json", id)
	}
	return closed, nil
}

type redmineIssue struct {
	ID     int `json:"id"`
	Status struct {
		ID       int    `json:"id"`
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
