package redmine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls issues through Redmine's REST API with an API key (sent
// as X-Redmine-API-Key). The zero values of its optional fields take the
// defaults.
type Client struct {
	// BaseURL is the Redmine root, https://redmine.example.com (with a sub
	// path if Redmine is served under one).
	BaseURL string
	// Key is the API key; it is never put in errors.
	Key string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// MaxRetries is how often one request is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait caps one rate-limit wait (default 1 minute).
	MaxWait time.Duration

	// wait sleeps for d or until ctx is done; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the Redmine at baseURL.
func NewClient(baseURL, key string) *Client {
	return &Client{BaseURL: baseURL, Key: key}
}

// Pull reads each issue of keys ("4711", "#4711", "proj#4711" or an issue
// URL) with its journals and attachments, names the status and priority
// ids of its journals from /issue_statuses.json and
// /enumerations/issue_priorities.json (read once; a Redmine that refuses
// them, as some do for non-admins, leaves the ids as "#3"), and hands
// sink its events. Pulling needs ids: Redmine has no cheap "everything
// changed in a window" that includes journals, so from and to are left to
// the import's window.
func (c *Client) Pull(ctx context.Context, keys []string, from, to *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("redmine: URL is required")
	}
	if len(keys) == 0 {
		return errors.New("redmine: give the issues to pull (--id 4711)")
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		id, err := IssueID(k)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	statuses, err := c.lookup(ctx, "/issue_statuses.json", "issue_statuses")
	if err != nil {
		return err
	}
	priorities, err := c.lookup(ctx, "/enumerations/issue_priorities.json", "issue_priorities")
	if err != nil {
		return err
	}
	env := envelope{Statuses: statuses, Priorities: priorities, BaseURL: alertjson.Text(c.BaseURL)}
	for _, id := range ids {
		var ans struct {
			Issue json.RawMessage `json:"issue"`
		}
		q := url.Values{"include": {"journals,attachments"}}
		if err := c.get(ctx, "/issues/"+url.PathEscape(id)+".json", q, "issue #"+id, &ans); err != nil {
			return err
		}
		if len(ans.Issue) == 0 {
			return fmt.Errorf("redmine: GET /issues/%s.json: the answer holds no issue", id)
		}
		a := answer{raw: ans.Issue, lookups: newLookups(env)}
		evs, err := a.events(importers.Options{})
		if err != nil {
			reject(sink, "issue #"+id, 1, "issue", err)
			continue
		}
		for _, e := range evs {
			if err := sink.Event(e.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}

// IssueID reads an issue id from what users and stored ticket keys give:
// "4711", "#4711", "proj#4711" or ".../issues/4711".
func IssueID(key string) (string, error) {
	s := strings.TrimSpace(key)
	if i := strings.LastIndex(s, "/issues/"); i >= 0 {
		s = s[i+len("/issues/"):]
		s = strings.TrimSuffix(strings.SplitN(s, "?", 2)[0], ".json")
	}
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Errorf("redmine: %q is not an issue id (want 4711 or #4711)", key)
	}
	return s, nil
}

// lookup reads an id/name list; 401, 403 and 404 give no names, not an
// error, so a key that may read issues but not the lists still pulls.
func (c *Client) lookup(ctx context.Context, path, key string) ([]named, error) {
	var ans map[string]json.RawMessage
	err := c.get(ctx, path, nil, path, &ans)
	var re *apiclient.StatusError
	if errors.As(err, &re) && re.Status != http.StatusUnauthorized {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []named
	if raw := ans[key]; len(raw) > 0 {
		if err := alertjson.Decode(raw, &out); err != nil {
			return nil, fmt.Errorf("redmine: GET %s: %w", path, err)
		}
	}
	return out, nil
}

// get sends one GET, retrying after 429 answers, and decodes a 2xx answer
// into out.
func (c *Client) get(ctx context.Context, path string, q url.Values, what string, out any) error {
	endpoint := strings.TrimRight(c.BaseURL, "/") + path
	if len(q) > 0 {
		endpoint += "?" + q.Encode()
	}
	g := apiclient.Getter{
		Vendor:   "redmine",
		NotFound: importers.ErrRemoteNotFound,
		Retrier:  apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Sleep: c.wait},
		Auth:     func(req *http.Request) { req.Header.Set("X-Redmine-API-Key", c.Key) },
		Secret:   c.Key,
		KeyHint:  "give a Redmine API key (My account → API access key) in HINDSIGHT_REDMINE_KEY, and check that the REST API is enabled",
		Message:  message,
	}
	return g.Get(ctx, endpoint, path, what, out)
}

// message reads Redmine's error answer: {"errors": ["…"]} for 422, and
// mostly an empty or HTML body otherwise.
func message(_ *http.Response, body []byte) string {
	var e struct {
		Errors []string `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return strings.Join(e.Errors, "; ")
}
