package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// GitHubConfig is github.com or a GitHub Enterprise Server.
type GitHubConfig struct {
	// APIURL is https://api.github.com or https://HOST/api/v3.
	APIURL string
	// Token is a token allowed to write issues (sent as Bearer).
	Token string
	// Repo is "owner/name" where new issues go; empty: issues can only be
	// linked (by "owner/name#7").
	Repo string
	// HTTP is the client to use (default: one with DefaultTimeout).
	HTTP *http.Client
}

// GitHubClient talks to GitHub's REST API. Keys are "owner/name#7"; a bare
// "7" or "#7" means the configured repository.
type GitHubClient struct {
	cfg GitHubConfig
	c   caller
}

// NewGitHub returns a GitHub client.
func NewGitHub(cfg GitHubConfig) *GitHubClient {
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.github.com"
	}
	cfg.Repo = strings.Trim(strings.TrimSpace(cfg.Repo), "/")
	c := newCaller(GitHub, cfg.APIURL, cfg.HTTP)
	c.secret = cfg.Token
	c.keyHint = "check HINDSIGHT_GITHUB_TOKEN"
	c.auth = func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+cfg.Token)
		r.Header.Set("Accept", "application/vnd.github+json")
		r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	}
	c.message = githubMessage
	return &GitHubClient{cfg: cfg, c: c}
}

// System is "github".
func (g *GitHubClient) System() string { return GitHub }

// CanCreate reports whether a repository is set.
func (g *GitHubClient) CanCreate() bool { return g.cfg.Repo != "" }

// URL is the issue's page: github.com for the public API, the server's
// host for Enterprise (its API lives under /api/v3).
func (g *GitHubClient) URL(key string) string {
	repo, n, err := g.split(key)
	if err != nil {
		return ""
	}
	web := strings.TrimSuffix(g.c.base, "/api/v3")
	if web == "https://api.github.com" {
		web = "https://github.com"
	}
	return web + "/" + repo + "/issues/" + n
}

// Create files t as an issue of the repository.
func (g *GitHubClient) Create(ctx context.Context, t Ticket) (Ref, error) {
	if !g.CanCreate() {
		return Ref{}, ErrCannotCreate
	}
	body := map[string]any{"title": t.Title, "body": t.Description}
	if len(t.Labels) > 0 {
		body["labels"] = t.Labels
	}
	var ans githubIssue
	if err := g.c.do(ctx, http.MethodPost, "/repos/"+g.cfg.Repo+"/issues", body, &ans, "repository "+g.cfg.Repo); err != nil {
		return Ref{}, err
	}
	if ans.Number == 0 {
		return Ref{}, fmt.Errorf("github: POST /repos/%s/issues: the answer has no issue number", g.cfg.Repo)
	}
	key := g.cfg.Repo + "#" + strconv.Itoa(ans.Number)
	u := ans.HTMLURL
	if u == "" {
		u = g.URL(key)
	}
	return Ref{Key: key, URL: u, Status: ans.State}, nil
}

// Status reads the issue: state closed means closed, state_reason
// not_planned means won't do, closed_at is the time.
func (g *GitHubClient) Status(ctx context.Context, key string) (Remote, error) {
	repo, n, err := g.split(key)
	if err != nil {
		return Remote{}, err
	}
	var ans githubIssue
	if err := g.c.do(ctx, http.MethodGet, "/repos/"+repo+"/issues/"+n, nil, &ans, "issue "+repo+"#"+n); err != nil {
		return Remote{}, err
	}
	out := Remote{Status: ans.State, URL: ans.HTMLURL, Closed: ans.State == "closed"}
	if out.URL == "" {
		out.URL = g.URL(key)
	}
	if out.Closed {
		if ans.StateReason != "" {
			out.Status += " (" + strings.ReplaceAll(ans.StateReason, "_", " ") + ")"
		}
		out.WontDo = ans.StateReason == "not_planned"
		out.ClosedAt = parseTime(ans.ClosedAt)
	}
	return out, nil
}

// split reads "owner/name#7", "#7" or "7". Only issues of the configured
// repository are accepted: the token may read other, private ones, and an
// editor must not be able to probe them by linking.
func (g *GitHubClient) split(key string) (repo, number string, err error) {
	key = strings.TrimSpace(key)
	repo, number, ok := strings.Cut(key, "#")
	if !ok {
		repo, number = "", key
	}
	if repo == "" {
		repo = g.cfg.Repo
	}
	if _, perr := strconv.Atoi(number); perr != nil || repo == "" || strings.Count(repo, "/") != 1 {
		return "", "", fmt.Errorf("github: %q is not an issue (want owner/name#7)", key)
	}
	if g.cfg.Repo == "" {
		return "", "", fmt.Errorf("github: set HINDSIGHT_TICKET_GITHUB_REPO to link or create issues")
	}
	if !strings.EqualFold(repo, g.cfg.Repo) {
		return "", "", fmt.Errorf("github: only issues of %s can be linked (HINDSIGHT_TICKET_GITHUB_REPO), not %q", g.cfg.Repo, key)
	}
	return g.cfg.Repo, number, nil
}

type githubIssue struct {
	Number      int    `json:"number"`
	HTMLURL     string `json:"html_url"`
	State       string `json:"state"`
	StateReason string `json:"state_reason"`
	ClosedAt    string `json:"closed_at"`
}

// githubMessage reads {"message": "Validation Failed", "errors": [{"field", "code"} | {"message"}]}.
func githubMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
		Errors  []struct {
			Field   string `json:"field"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	parts := []string{}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	for _, x := range e.Errors {
		switch {
		case x.Message != "":
			parts = append(parts, x.Message)
		case x.Field != "":
			parts = append(parts, x.Field+": "+strings.ReplaceAll(x.Code, "_", " "))
		}
	}
	return strings.Join(parts, "; ")
}
