package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// JiraConfig is a Jira Cloud site or Data Center server.
type JiraConfig struct {
	// URL is the site, https://acme.atlassian.net.
	URL string
	// User is the account e-mail (Cloud basic auth with an API token);
	// empty sends Token as a Bearer personal access token (Data Center).
	User  string
	Token string
	// Project is the key of the project new tickets go to ("OPS"); empty:
	// tickets can only be linked, not created.
	Project string
	// IssueType names the type of new tickets (default "Task").
	IssueType string
	// HTTP is the client to use (default: one with DefaultTimeout).
	HTTP *http.Client
}

// JiraClient talks to Jira's REST API v2 (plain-text descriptions, which
// Cloud and Data Center both take).
type JiraClient struct {
	cfg JiraConfig
	c   caller
}

// NewJira returns a Jira client.
func NewJira(cfg JiraConfig) *JiraClient {
	if cfg.IssueType == "" {
		cfg.IssueType = "Task"
	}
	c := newCaller(Jira, cfg.URL, cfg.HTTP)
	c.secret = cfg.Token
	c.keyHint = "check HINDSIGHT_JIRA_USER and HINDSIGHT_JIRA_TOKEN"
	c.auth = func(r *http.Request) {
		if cfg.User != "" {
			r.SetBasicAuth(cfg.User, cfg.Token)
		} else {
			r.Header.Set("Authorization", "Bearer "+cfg.Token)
		}
	}
	c.message = jiraMessage
	return &JiraClient{cfg: cfg, c: c}
}

// System is "jira".
func (j *JiraClient) System() string { return Jira }

// CanCreate reports whether a project is set.
func (j *JiraClient) CanCreate() bool { return j.cfg.Project != "" }

// URL is the browse page of key.
func (j *JiraClient) URL(key string) string { return j.c.base + "/browse/" + url.PathEscape(key) }

// Create files t in the project as an issue of the configured type.
func (j *JiraClient) Create(ctx context.Context, t Ticket) (Ref, error) {
	if !j.CanCreate() {
		return Ref{}, ErrCannotCreate
	}
	fields := map[string]any{
		"project":     map[string]string{"key": j.cfg.Project},
		"issuetype":   map[string]string{"name": j.cfg.IssueType},
		"summary":     jiraSummary(t.Title),
		"description": t.Description,
	}
	if len(t.Labels) > 0 {
		// Jira labels cannot hold spaces.
		labels := make([]string, len(t.Labels))
		for i, l := range t.Labels {
			labels[i] = strings.Join(strings.Fields(l), "-")
		}
		fields["labels"] = labels
	}
	var ans struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	if err := j.c.do(ctx, http.MethodPost, "/rest/api/2/issue", map[string]any{"fields": fields}, &ans, "project "+j.cfg.Project); err != nil {
		return Ref{}, err
	}
	if ans.Key == "" {
		return Ref{}, errors.New("jira: POST /rest/api/2/issue: the answer has no issue key")
	}
	// A new issue's status is the workflow's first; reading it back costs a
	// request the first sync makes anyway.
	return Ref{Key: ans.Key, URL: j.URL(ans.Key)}, nil
}

// Status reads the issue's status, its category (done means closed), the
// resolution (won't do and its kin mean not done) and the resolution date.
func (j *JiraClient) Status(ctx context.Context, key string) (Remote, error) {
	key = strings.TrimSpace(key)
	q := url.Values{"fields": {"status,resolution,resolutiondate"}}
	var ans struct {
		Key    string `json:"key"`
		Fields struct {
			Status struct {
				Name           string `json:"name"`
				StatusCategory struct {
					Key string `json:"key"`
				} `json:"statusCategory"`
			} `json:"status"`
			Resolution *struct {
				Name string `json:"name"`
			} `json:"resolution"`
			ResolutionDate string `json:"resolutiondate"`
		} `json:"fields"`
	}
	path := "/rest/api/2/issue/" + url.PathEscape(key) + "?" + q.Encode()
	if err := j.c.do(ctx, http.MethodGet, path, nil, &ans, "issue "+key); err != nil {
		return Remote{}, err
	}
	f := ans.Fields
	r := Remote{Status: f.Status.Name, URL: j.URL(key), Closed: f.Status.StatusCategory.Key == "done"}
	if r.Closed {
		if f.Resolution != nil {
			r.WontDo = wontDo(f.Resolution.Name)
		}
		r.ClosedAt = parseTime(f.ResolutionDate)
	}
	return r, nil
}

// jiraSummary keeps a summary within Jira's 255 characters and one line.
func jiraSummary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 255 {
		s = string(r[:254]) + "…"
	}
	return s
}

// jiraMessage reads {"errorMessages": [...], "errors": {"field": "message"}}.
func jiraMessage(body []byte) string {
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
		Message       string            `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	parts := append([]string{}, e.ErrorMessages...)
	fields := make([]string, 0, len(e.Errors))
	for f := range e.Errors {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		parts = append(parts, f+": "+e.Errors[f])
	}
	if len(parts) == 0 && e.Message != "" {
		parts = append(parts, e.Message)
	}
	return strings.Join(parts, "; ")
}
