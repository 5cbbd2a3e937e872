package bugzilla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls bugs through Bugzilla's REST API (Bugzilla 5 and later,
// bugzilla.mozilla.org) with an API key, sent as X-BUGZILLA-API-KEY. The
// zero values of its optional fields take the defaults.
type Client struct {
	// BaseURL is the Bugzilla root, https://bugzilla.example.com (the one
	// show_bug.cgi lives under; /rest is added).
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

// NewClient returns a client for the Bugzilla at baseURL.
func NewClient(baseURL, key string) *Client {
	return &Client{BaseURL: baseURL, Key: key}
}

// alias is what Bugzilla accepts as a bug alias.
var alias = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

// BugID reads a bug id or alias from what users and stored ticket keys
// give: "123", "Bug 123", "bug123" or a show_bug.cgi URL.
func BugID(key string) (string, error) {
	s := strings.TrimSpace(key)
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		s = u.Query().Get("id")
	}
	if l := strings.ToLower(s); strings.HasPrefix(l, "bug") && len(s) > 3 && strings.Trim(strings.TrimSpace(s[3:]), "0123456789") == "" {
		s = strings.TrimSpace(s[3:])
	}
	if !alias.MatchString(s) {
		return "", fmt.Errorf("bugzilla: %q is not a bug id (want 123 or Bug 123)", key)
	}
	return s, nil
}

// Pull reads each bug of keys with its comments and history
// (GET /rest/bug/{id}, …/comment, …/history) and hands sink its events.
// Pulling needs ids; from and to are left to the import's window.
func (c *Client) Pull(ctx context.Context, keys []string, from, to *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("bugzilla: URL is required")
	}
	if len(keys) == 0 {
		return errors.New("bugzilla: give the bugs to pull (--id 123)")
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		id, err := BugID(k)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	set := newBugSet()
	for _, id := range ids {
		rec, err := c.bug(ctx, id)
		if err != nil {
			return err
		}
		if err := set.add(rec, 1); err != nil {
			var fe *alertjson.FieldError
			if !errors.As(err, &fe) {
				fe = alertjson.DecodeError("", err)
			}
			sink.Reject(importers.Rejection{File: "bug " + id, Line: 1, Field: fe.Field, Reason: fe.Reason})
		}
	}
	return set.emit(importers.Options{}, func(_ int, f *alertjson.FieldError) {
		sink.Reject(importers.Rejection{File: "bugzilla pull", Line: 1, Field: f.Field, Reason: f.Reason})
	}, sink)
}

// bug reads the three answers of one bug into a combined record.
func (c *Client) bug(ctx context.Context, id string) (json.RawMessage, error) {
	what := "bug " + id
	var bugAns struct {
		Bugs []json.RawMessage `json:"bugs"`
	}
	if err := c.get(ctx, "/rest/bug/"+url.PathEscape(id), what, &bugAns); err != nil {
		return nil, err
	}
	if len(bugAns.Bugs) == 0 {
		return nil, fmt.Errorf("bugzilla: GET /rest/bug/%s: the answer holds no bug", id)
	}
	var head struct {
		ID alertjson.Text `json:"id"`
	}
	_ = json.Unmarshal(bugAns.Bugs[0], &head)
	num := head.ID.String() // the numeric id, when id was an alias
	var comAns struct {
		Bugs map[string]struct {
			Comments json.RawMessage `json:"comments"`
		} `json:"bugs"`
	}
	if err := c.get(ctx, "/rest/bug/"+url.PathEscape(id)+"/comment", what, &comAns); err != nil {
		return nil, err
	}
	var histAns struct {
		Bugs []struct {
			History json.RawMessage `json:"history"`
		} `json:"bugs"`
	}
	if err := c.get(ctx, "/rest/bug/"+url.PathEscape(id)+"/history", what, &histAns); err != nil {
		return nil, err
	}
	rec := map[string]json.RawMessage{"bug": bugAns.Bugs[0]}
	if cs, ok := comAns.Bugs[num]; ok && len(cs.Comments) > 0 {
		rec["comments"] = cs.Comments
	} else if cs, ok := comAns.Bugs[id]; ok && len(cs.Comments) > 0 {
		rec["comments"] = cs.Comments
	}
	if len(histAns.Bugs) > 0 && len(histAns.Bugs[0].History) > 0 {
		rec["history"] = histAns.Bugs[0].History
	}
	base, _ := json.Marshal(strings.TrimRight(c.BaseURL, "/"))
	rec["base_url"] = base
	return json.Marshal(rec)
}

// apiError is Bugzilla's error answer.
type apiError struct {
	Error   bool           `json:"error"`
	Code    alertjson.Text `json:"code"`
	Message string         `json:"message"`
}

// keyCodes are the Bugzilla error codes of a refused or missing login.
var keyCodes = map[string]bool{"306": true, "410": true, "32000": true}

// get sends one GET, retrying after 429 answers, and decodes a 2xx answer
// into out. Bugzilla reports errors as {"error": true, "code", "message"},
// sometimes with a 200.
func (c *Client) get(ctx context.Context, path, what string, out any) error {
	endpoint := strings.TrimRight(c.BaseURL, "/") + path
	g := apiclient.Getter{
		Vendor:   "bugzilla",
		NotFound: importers.ErrRemoteNotFound,
		Retrier:  apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Sleep: c.wait},
		Auth:     func(req *http.Request) { req.Header.Set("X-BUGZILLA-API-KEY", c.Key) },
		Secret:   c.Key,
	}
	name := g.Name(path)
	resp, err := g.Send(ctx, endpoint, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if resp.StatusCode/100 == 2 {
		if err := apiclient.DecodeAnswer(resp.Body, &raw); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	} else {
		raw = apiclient.ErrorBody(resp.Body)
	}
	var e apiError
	_ = json.Unmarshal(raw, &e)
	msg := apiclient.Redact(e.Message, c.Key)
	if resp.StatusCode/100 != 2 || e.Error {
		hint := "give a Bugzilla API key (Preferences → API Keys) in HINDSIGHT_BUGZILLA_KEY"
		if keyCodes[e.Code.String()] && resp.StatusCode != http.StatusUnauthorized {
			return fmt.Errorf("%s: %d %s: the API key was refused; %s", name, resp.StatusCode, apiclient.Snippet(msg, 300), hint)
		}
		return apiclient.Refused(name, resp.StatusCode, apiclient.Snippet(msg, 300), what, hint)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", name, err)
	}
	return nil
}
