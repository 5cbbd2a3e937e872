package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls incident log entries through PagerDuty's REST API v2 with a
// REST API key. The zero values of its optional fields take the defaults.
type Client struct {
	// BaseURL is the API root, https://api.pagerduty.com (or the EU one).
	BaseURL string
	// Token is the REST API key; it is never put in errors.
	Token string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// Limit is the page size (default 100, PagerDuty's maximum).
	Limit int
	// MaxRetries is how often one request is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait caps one rate-limit wait (default 1 minute): a longer
	// Retry-After is cut to it and the request tried again.
	MaxWait time.Duration

	// wait sleeps for d or until ctx is done; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the API at baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// logPage is one page of a log entries list.
type logPage struct {
	LogEntries []json.RawMessage `json:"log_entries"`
	More       bool              `json:"more"`
}

// Pull reads the log entries of each incident in ids (all of them: the
// import's window filters), or without ids every log entry of the account
// created in [from, to] (nil ends are open), and hands them to sink as
// alert events. Incidents are expanded (include[]=incidents) so every
// event carries its incident's title, service and priority; entries that
// cannot be read are rejected and the rest kept.
func (c *Client) Pull(ctx context.Context, ids []string, from, to *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("pagerduty: API URL is required")
	}
	var all []importers.Alert
	q := url.Values{"is_overview": {"false"}, "include[]": {"channels", "incidents"}, "time_zone": {"UTC"}}
	if len(ids) == 0 {
		if from != nil {
			q.Set("since", from.UTC().Format(time.RFC3339))
		}
		if to != nil {
			q.Set("until", to.UTC().Format(time.RFC3339))
		}
		got, err := c.pages(ctx, "/log_entries", q, "log entries", sink)
		if err != nil {
			return err
		}
		all = got
	}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			return errors.New("pagerduty: incident id must not be empty")
		}
		got, err := c.pages(ctx, "/incidents/"+url.PathEscape(id)+"/log_entries", q, "incident "+id, sink)
		if err != nil {
			return err
		}
		all = append(all, got...)
	}
	return emit(all, sink)
}

// pages reads every page of a log entries list; what names it in errors
// and rejections.
func (c *Client) pages(ctx context.Context, path string, q url.Values, what string, sink importers.Sink) ([]importers.Alert, error) {
	limit := c.Limit
	if limit <= 0 {
		limit = 100
	}
	var out []importers.Alert
	for offset := 0; ; {
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(offset))
		var page logPage
		if err := c.get(ctx, path, q, what, &page); err != nil {
			return nil, err
		}
		for i, raw := range page.LogEntries {
			a, err := logAlert(raw, "log_entries["+strconv.Itoa(offset+i)+"]")
			var fe *alertjson.FieldError
			if errors.As(err, &fe) {
				sink.Reject(importers.Rejection{File: what, Line: offset + i + 1, Field: fe.Field, Reason: fe.Reason})
				continue
			}
			out = append(out, a)
		}
		if !page.More || len(page.LogEntries) == 0 {
			return out, nil
		}
		offset += len(page.LogEntries)
	}
}

// apiError is PagerDuty's error answer.
type apiError struct {
	Error struct {
		Message string   `json:"message"`
		Code    int      `json:"code"`
		Errors  []string `json:"errors"`
	} `json:"error"`
}

// get sends one GET, retrying after 429 answers, and decodes a 2xx answer
// into out.
func (c *Client) get(ctx context.Context, path string, q url.Values, what string, out any) error {
	endpoint := strings.TrimRight(c.BaseURL, "/") + path + "?" + q.Encode()
	name := "pagerduty: GET " + path
	r := apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Fallback: rateLimitReset, Sleep: c.wait}
	resp, err := r.Do(ctx, name, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Token token="+c.Token)
		req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
		return req, nil
	}, c.Token)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e apiError
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
		msg := strings.Join(append([]string{e.Error.Message}, e.Error.Errors...), " ")
		return apiclient.Refused(name, resp.StatusCode, msg, what, "give a REST API key (not an integration or routing key)")
	}
	if err := apiclient.DecodeAnswer(resp.Body, out); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// rateLimitReset is how long a 429 without Retry-After asks to wait:
// PagerDuty's ratelimit-reset (seconds), else one second.
func rateLimitReset(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Ratelimit-Reset"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}
