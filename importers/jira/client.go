package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls issues from Jira's REST API v2: by key with their
// comments, changelog and worklogs, or by a JQL query. Jira Cloud takes
// an account e-mail and API token (basic auth); Jira Data Center a
// personal access token (bearer) when User is empty.
type Client struct {
	// BaseURL is the site, e.g. https://acme.atlassian.net.
	BaseURL string
	// User is the account e-mail for Cloud; empty sends Token as bearer.
	User string
	// Token is the API or personal access token; never put in errors.
	Token string
	// PageSize is the page size of searches and paged lists (default 100).
	PageSize int
	// Retrier sends requests again after 429 answers.
	Retrier apiclient.Retrier
}

// NewClient returns a client for the site at baseURL.
func NewClient(baseURL, user, token string) *Client {
	return &Client{BaseURL: baseURL, User: user, Token: token}
}

// Pull reads the issues named by keys and those jql finds, each with all
// its comments, changelog and worklogs, and hands their events to sink.
func (c *Client) Pull(ctx context.Context, keys []string, jql string, sink importers.Sink) error {
	if len(keys) == 0 && strings.TrimSpace(jql) == "" {
		return errors.New("jira: give issue keys or a JQL query")
	}
	for _, key := range keys {
		key = strings.TrimSpace(key)
		var issue map[string]any
		q := url.Values{"expand": {"changelog,renderedFields"}, "fields": {"*all"}}
		if err := c.get(ctx, "/rest/api/2/issue/"+url.PathEscape(key), q, "issue "+key, &issue); err != nil {
			return err
		}
		if err := c.emit(ctx, issue, sink); err != nil {
			return err
		}
	}
	if strings.TrimSpace(jql) != "" {
		return c.search(ctx, jql, "*all", "changelog", func(issue map[string]any) error { return c.emit(ctx, issue, sink) })
	}
	return nil
}

// Keys returns the keys of the issues jql finds, in the search's order.
func (c *Client) Keys(ctx context.Context, jql string) ([]string, error) {
	var keys []string
	err := c.search(ctx, jql, "key", "", func(issue map[string]any) error {
		if k := alertjson.Object(issue).Str("key"); k != "" {
			keys = append(keys, k)
		}
		return nil
	})
	return keys, err
}

// search runs jql through /rest/api/2/search/jql (token paging), or the
// older /rest/api/2/search (startAt paging) where the new one is missing,
// and hands each issue to each.
func (c *Client) search(ctx context.Context, jql, fields, expand string, each func(map[string]any) error) error {
	query := func() url.Values {
		q := url.Values{"jql": {jql}, "fields": {fields}, "maxResults": {strconv.Itoa(c.pageSize())}}
		if expand != "" {
			q.Set("expand", expand)
		}
		return q
	}
	token := ""
	for page := 0; ; page++ {
		q := query()
		if token != "" {
			q.Set("nextPageToken", token)
		}
		var ans struct {
			Issues        []map[string]any `json:"issues"`
			NextPageToken string           `json:"nextPageToken"`
			IsLast        *bool            `json:"isLast"`
		}
		err := c.get(ctx, "/rest/api/2/search/jql", q, "the JQL search", &ans)
		var se *apiclient.StatusError
		if page == 0 && errors.As(err, &se) && se.Status == http.StatusNotFound {
			return c.searchOld(ctx, query(), each)
		}
		if err != nil {
			return err
		}
		for _, is := range ans.Issues {
			if err := each(is); err != nil {
				return err
			}
		}
		if ans.NextPageToken == "" || ans.NextPageToken == token || ans.IsLast != nil && *ans.IsLast || len(ans.Issues) == 0 {
			return nil
		}
		token = ans.NextPageToken
	}
}

// searchOld pages /rest/api/2/search by startAt (Jira Data Center).
func (c *Client) searchOld(ctx context.Context, q url.Values, each func(map[string]any) error) error {
	for start := 0; ; {
		q.Set("startAt", strconv.Itoa(start))
		var ans struct {
			Issues []map[string]any `json:"issues"`
			Total  int              `json:"total"`
		}
		if err := c.get(ctx, "/rest/api/2/search", q, "the JQL search", &ans); err != nil {
			return err
		}
		for _, is := range ans.Issues {
			if err := each(is); err != nil {
				return err
			}
		}
		start += len(ans.Issues)
		if len(ans.Issues) == 0 || start >= ans.Total {
			return nil
		}
	}
}

// emit completes an issue's truncated lists and hands its events to sink.
func (c *Client) emit(ctx context.Context, issue map[string]any, sink importers.Sink) error {
	o := alertjson.Object(issue)
	key := o.Str("key")
	if key == "" {
		return errors.New("jira: the API answered an issue without a key")
	}
	if err := c.complete(ctx, o, key); err != nil {
		return err
	}
	r := &collector{}
	if err := r.issue(o, ""); err != nil {
		return fmt.Errorf("jira: issue %s: %w", key, err)
	}
	for _, rej := range r.rejects {
		sink.Reject(importers.Rejection{File: "jira:" + key, Line: 1, Field: rej.Field, Reason: rej.Reason})
	}
	for _, e := range r.events {
		if err := sink.Event(e.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}

// complete fetches the rest of comments, changelog and worklogs when the
// issue answer holds only their first page.
func (c *Client) complete(ctx context.Context, o alertjson.Object, key string) error {
	base := "/rest/api/2/issue/" + url.PathEscape(key)
	fields, _ := alertjson.AsObject(o["fields"])
	if cm, ok := alertjson.AsObject(fields["comment"]); ok {
		list, err := c.rest(ctx, cm.List("comments"), total(cm), base+"/comment", "comments", "comments of "+key)
		if err != nil {
			return err
		}
		cm["comments"] = list
	}
	if wl, ok := alertjson.AsObject(fields["worklog"]); ok {
		list, err := c.rest(ctx, wl.List("worklogs"), total(wl), base+"/worklog", "worklogs", "worklogs of "+key)
		if err != nil {
			return err
		}
		wl["worklogs"] = list
	}
	if cl, ok := alertjson.AsObject(o["changelog"]); ok {
		list, err := c.rest(ctx, cl.List("histories"), total(cl), base+"/changelog", "values", "changelog of "+key)
		if err != nil {
			return err
		}
		cl["histories"] = list
	}
	return nil
}

func total(o alertjson.Object) int {
	n, _ := strconv.Atoi(o.Str("total"))
	return n
}

// rest pages path from len(have) until it holds total items; items are
// under listKey in each answer. Items are deduplicated by id and sorted
// by it, as pages of a changing list may overlap.
func (c *Client) rest(ctx context.Context, have []any, total int, path, listKey, what string) ([]any, error) {
	if len(have) >= total {
		return have, nil
	}
	seen := map[string]bool{}
	for _, it := range have {
		if o, ok := alertjson.AsObject(it); ok {
			seen[o.Str("id")] = true
		}
	}
	for start := len(have); start < total; {
		var ans map[string]any
		q := url.Values{"startAt": {strconv.Itoa(start)}, "maxResults": {strconv.Itoa(c.pageSize())}}
		if err := c.get(ctx, path, q, "the "+what, &ans); err != nil {
			return nil, err
		}
		page := alertjson.Object(ans).List(listKey)
		if len(page) == 0 {
			break
		}
		for _, it := range page {
			if o, ok := alertjson.AsObject(it); ok && !seen[o.Str("id")] {
				seen[o.Str("id")] = true
				have = append(have, it)
			}
		}
		start += len(page)
	}
	sort.SliceStable(have, func(i, j int) bool { return idLess(have[i], have[j]) })
	return have, nil
}

func idLess(a, b any) bool {
	ao, _ := alertjson.AsObject(a)
	bo, _ := alertjson.AsObject(b)
	x, errX := strconv.ParseInt(ao.Str("id"), 10, 64)
	y, errY := strconv.ParseInt(bo.Str("id"), 10, 64)
	if errX != nil || errY != nil {
		return false
	}
	return x < y
}

func (c *Client) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	return 100
}

// get sends GET path?q and decodes the JSON answer into out.
func (c *Client) get(ctx context.Context, path string, q url.Values, what string, out any) error {
	base := strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if base == "" {
		return errors.New("jira: no site URL (set HINDSIGHT_JIRA_URL)")
	}
	g := apiclient.Getter{
		Vendor:   "jira",
		NotFound: importers.ErrRemoteNotFound,
		Retrier:  c.Retrier,
		Auth: func(req *http.Request) {
			if c.User != "" {
				req.SetBasicAuth(c.User, c.Token)
			} else {
				req.Header.Set("Authorization", "Bearer "+c.Token)
			}
		},
		Secret:    c.Token,
		KeyHint:   "set HINDSIGHT_JIRA_TOKEN (with HINDSIGHT_JIRA_USER for Jira Cloud)",
		Message:   func(_ *http.Response, body []byte) string { return errorText(body) },
		UseNumber: true,
	}
	return g.Get(ctx, base+path+"?"+q.Encode(), path, what, out)
}

// errorText reads Jira's error answer: {"errorMessages":[…],"errors":{…}}.
func errorText(b []byte) string {
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
		Message       string            `json:"message"`
	}
	if json.Unmarshal(b, &e) != nil {
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("<")) {
			return "" // an HTML error page: the status says enough
		}
		return apiclient.Snippet(string(b), 200)
	}
	parts := append([]string{}, e.ErrorMessages...)
	keys := make([]string, 0, len(e.Errors))
	for k := range e.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+": "+e.Errors[k])
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	return apiclient.Snippet(strings.Join(parts, "; "), 300)
}
