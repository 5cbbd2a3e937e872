package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls issues, their comments and events through GitHub's REST
// API. The zero values of its optional fields take the defaults.
type Client struct {
	// BaseURL is the API root: https://api.github.com, or
	// https://HOST/api/v3 for GitHub Enterprise Server.
	BaseURL string
	// Token is a personal access or app token; it is never put in errors.
	// Public repositories can be read without one.
	Token string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// MaxRetries is how often one request is retried when rate limited (default 5).
	MaxRetries int
	// MaxWait caps one rate-limit wait (default 1 minute).
	MaxWait time.Duration

	// wait sleeps for d or until ctx is done; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the API at baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// keyRe reads owner/repo#12.
var keyRe = regexp.MustCompile(`^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)#([0-9]+)$`)

// ParseKey reads an issue key "owner/repo#12" or an issue's web or API
// URL into owner, repo and number.
func ParseKey(key string) (owner, repo, number string, err error) {
	key = strings.TrimSpace(key)
	if m := keyRe.FindStringSubmatch(key); m != nil {
		return m[1], m[2], m[3], nil
	}
	if r, n := repoOf(key); r != "" {
		if _, err := strconv.ParseUint(n, 10, 64); err == nil {
			o, rp, _ := strings.Cut(r, "/")
			return o, rp, n, nil
		}
	}
	return "", "", "", fmt.Errorf("github: %q is not an issue: want owner/repo#12 or the issue's URL", key)
}

// Pull reads each issue in ids (owner/repo#12) with its comments and
// events and hands them to sink as ticket events; the window is left to
// the import. Without ids there is nothing to read.
func (c *Client) Pull(ctx context.Context, ids []string, _, _ *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("github: API URL is required")
	}
	if len(ids) == 0 {
		return errors.New("github: give the issues to pull with --id owner/repo#12")
	}
	for _, id := range ids {
		owner, repo, n, err := ParseKey(id)
		if err != nil {
			return err
		}
		path := "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/issues/" + n
		what := "issue " + owner + "/" + repo + "#" + n
		var issue any
		if _, err := c.get(ctx, c.endpoint(path), path, what, &issue); err != nil {
			return err
		}
		comments, err := c.list(ctx, path+"/comments", what)
		if err != nil {
			return err
		}
		events, err := c.list(ctx, path+"/events", what)
		if err != nil {
			return err
		}
		o := alertjson.Object{"issue": issue, "comments": comments, "events": events}
		evs, err := combined(o, sub(o, "issue"))
		var fe *alertjson.FieldError
		if errors.As(err, &fe) {
			sink.Reject(importers.Rejection{File: what, Line: 1, Field: fe.Field, Reason: fe.Reason})
			continue
		} else if err != nil {
			return err
		}
		for _, t := range evs {
			if err := sink.Event(t.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Client) endpoint(path string) string {
	return strings.TrimRight(c.BaseURL, "/") + path
}

// list reads every page of a list, following Link rel="next".
func (c *Client) list(ctx context.Context, path, what string) ([]any, error) {
	next := c.endpoint(path) + "?per_page=100"
	var all []any
	for pages := 0; next != ""; pages++ {
		if pages >= 1000 {
			return nil, fmt.Errorf("github: GET %s: more than 1000 pages", path)
		}
		var page []any
		h, err := c.get(ctx, next, path, what, &page)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		next = nextLink(h.Get("Link"), c.BaseURL)
	}
	return all, nil
}

// linkRe reads one entry of a Link header.
var linkRe = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?next"?`)

// nextLink is the rel="next" URL of a Link header, when it points at the
// API's own host (a page link never leaves it; the token must not).
func nextLink(h, base string) string {
	m := linkRe.FindStringSubmatch(h)
	if m == nil {
		return ""
	}
	u, err1 := url.Parse(m[1])
	b, err2 := url.Parse(base)
	if err1 != nil || err2 != nil || u.Host != b.Host || u.Scheme != b.Scheme {
		return ""
	}
	return m[1]
}

// get sends one GET and decodes a 2xx answer into out.
func (c *Client) get(ctx context.Context, endpoint, path, what string, out any) (http.Header, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	limited := *hc
	limited.Transport = rateLimited{next: hc.Transport}
	g := apiclient.Getter{
		Vendor:   "github",
		NotFound: importers.ErrRemoteNotFound,
		Retrier:  apiclient.Retrier{HTTP: &limited, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Fallback: resetWait, Sleep: c.wait},
		Auth: func(req *http.Request) {
			if c.Token != "" {
				req.Header.Set("Authorization", "Bearer "+c.Token)
			}
			req.Header.Set("Accept", "application/vnd.github+json")
			req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		},
		Secret:  c.Token,
		KeyHint: "give a token that may read the repository (HINDSIGHT_GITHUB_TOKEN)",
		Message: func(_ *http.Response, body []byte) string {
			var e struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(body, &e)
			return e.Message
		},
		UseNumber: true,
	}
	return g.Fetch(ctx, endpoint, path, what, out)
}

// rateLimited turns GitHub's rate-limit 403 (x-ratelimit-remaining: 0, or
// a secondary limit with Retry-After) into the 429 the retrier waits on.
type rateLimited struct{ next http.RoundTripper }

func (t rateLimited) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.next
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusForbidden &&
		(resp.Header.Get("X-Ratelimit-Remaining") == "0" || resp.Header.Get("Retry-After") != "") {
		resp.StatusCode, resp.Status = http.StatusTooManyRequests, "429 Too Many Requests"
	}
	return resp, err
}

// resetWait is how long a rate-limited answer without Retry-After asks
// to wait: until x-ratelimit-reset (Unix seconds), else a minute.
func resetWait(h http.Header) time.Duration {
	if s, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Ratelimit-Reset")), 10, 64); err == nil {
		return max(time.Until(time.Unix(s, 0)), time.Second)
	}
	return time.Minute
}
