package opsgenie

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
)

// maxResponse caps one API answer.
const maxResponse = 64 << 20

// Client pulls alerts and their logs through OpsGenie's Alert API v2 with
// an API integration key. The zero values of its optional fields take the
// defaults.
type Client struct {
	// BaseURL is the API root: https://api.opsgenie.com, or
	// https://api.eu.opsgenie.com for EU accounts.
	BaseURL string
	// Token is the API key, sent as "GenieKey <key>"; it is never put in errors.
	Token string
	// AppURL is the web app alert links point into; derived from BaseURL
	// when empty (the EU API links to the EU app).
	AppURL string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// Limit is the page size (default 100, OpsGenie's maximum).
	Limit int
	// MaxRetries is how often one request is retried after a 429 (default 5).
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

func (c *Client) appURL() string {
	if c.AppURL != "" {
		return c.AppURL
	}
	if u, err := url.Parse(c.BaseURL); err == nil && strings.HasPrefix(u.Host, "api.eu.") {
		return "https://app.eu.opsgenie.com"
	}
	return DefaultAppURL
}

// Pull reads the alerts in ids (alert ids, or tiny ids: all digits), or
// without ids every alert created in [from, to] (nil ends are open), each
// with its logs, and hands their events to sink as the file importer reads
// {"alert":…,"logs":[…]}. Alerts created before the window whose
// activity falls in it are not listed: name them with ids.
func (c *Client) Pull(ctx context.Context, ids []string, from, to *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("opsgenie: API URL is required")
	}
	var alerts []json.RawMessage
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			return errors.New("opsgenie: alert id must not be empty")
		}
		q := url.Values{"identifierType": {"id"}}
		if isDigits(id) {
			q.Set("identifierType", "tiny")
		}
		var one struct {
			Data json.RawMessage `json:"data"`
		}
		if err := c.get(ctx, "/v2/alerts/"+url.PathEscape(id), q, "alert "+id, &one); err != nil {
			return err
		}
		alerts = append(alerts, one.Data)
	}
	if len(ids) == 0 {
		got, err := c.list(ctx, from, to)
		if err != nil {
			return err
		}
		alerts = got
	}
	imp := Importer{AppURL: c.appURL()}
	for i, raw := range alerts {
		al, err := decodeAlert(raw, "data")
		var fe *fieldError
		if errors.As(err, &fe) {
			sink.Reject(importers.Rejection{File: "alerts", Line: i + 1, Field: fe.Field, Reason: fe.Reason})
			continue
		}
		logs, err := c.logs(ctx, al.ID)
		if err != nil {
			return err
		}
		var out []importers.Alert
		var bad []badPart
		if len(logs) == 0 {
			out, err = alertAlerts(al, "alert", imp.AppURL)
			if errors.As(err, &fe) {
				sink.Reject(importers.Rejection{File: "alert " + al.ID, Field: fe.Field, Reason: fe.Reason})
				continue
			}
		} else {
			out, bad = logsAlerts(al, logs, "logs", imp.AppURL)
		}
		for _, b := range bad {
			sink.Reject(importers.Rejection{File: "alert " + al.ID + " logs", Line: b.index, Field: b.Field, Reason: b.Reason})
		}
		if err := emit(out, sink); err != nil {
			return err
		}
	}
	return nil
}

// list reads the alerts created in [from, to], oldest first, by offset.
func (c *Client) list(ctx context.Context, from, to *time.Time) ([]json.RawMessage, error) {
	var conds []string
	if from != nil {
		conds = append(conds, "createdAt>="+strconv.FormatInt(from.UnixMilli(), 10))
	}
	if to != nil {
		conds = append(conds, "createdAt<="+strconv.FormatInt(to.UnixMilli(), 10))
	}
	limit := c.limit()
	var out []json.RawMessage
	for offset := 0; ; {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}, "sort": {"createdAt"}, "order": {"asc"}}
		if len(conds) > 0 {
			q.Set("query", strings.Join(conds, " AND "))
		}
		var page struct {
			Data   []json.RawMessage `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.get(ctx, "/v2/alerts", q, "alerts", &page); err != nil {
			return nil, err
		}
		out = append(out, page.Data...)
		if len(page.Data) < limit || page.Paging.Next == "" {
			return out, nil
		}
		offset += len(page.Data)
	}
}

// logs reads an alert's logs, oldest first, following paging.next's
// offset (OpsGenie pages logs by an opaque offset, not a count). Only the
// offset is taken from the link: the key goes to BaseURL alone.
func (c *Client) logs(ctx context.Context, alertID string) ([]json.RawMessage, error) {
	var out []json.RawMessage
	offset := ""
	for pages := 0; ; pages++ {
		q := url.Values{"identifierType": {"id"}, "limit": {strconv.Itoa(c.limit())}, "order": {"asc"}, "direction": {"next"}}
		if offset != "" {
			q.Set("offset", offset)
		}
		var page struct {
			Data   []json.RawMessage `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.get(ctx, "/v2/alerts/"+url.PathEscape(alertID)+"/logs", q, "alert "+alertID, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Data...)
		next := ""
		if u, err := url.Parse(page.Paging.Next); err == nil && page.Paging.Next != "" {
			next = u.Query().Get("offset")
		}
		if len(page.Data) == 0 || next == "" || next == offset || pages > 10000 {
			return out, nil
		}
		offset = next
	}
}

func (c *Client) limit() int {
	if c.Limit > 0 {
		return c.Limit
	}
	return 100
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// get sends one GET, retrying after 429 answers, and decodes a 2xx answer
// into out; what names the thing asked for in errors.
func (c *Client) get(ctx context.Context, path string, q url.Values, what string, out any) error {
	retries := c.MaxRetries
	if retries <= 0 {
		retries = 5
	}
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	endpoint := strings.TrimRight(c.BaseURL, "/") + path + "?" + q.Encode()
	name := "GET " + path
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err != nil {
			return fmt.Errorf("opsgenie: %s: %w", name, err)
		}
		req.Header.Set("Authorization", "GenieKey "+c.Token)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("opsgenie: %s: %w", name, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			d := min(retryAfter(resp.Header, time.Now()), maxWait)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if attempt >= retries {
				return fmt.Errorf("opsgenie: %s: still rate limited after %d retries", name, retries)
			}
			if err := c.sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			var e struct {
				Message string `json:"message"`
			}
			_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
			msg := strings.TrimSpace(e.Message)
			if msg == "" {
				msg = http.StatusText(resp.StatusCode)
			}
			switch resp.StatusCode {
			case http.StatusUnauthorized:
				return fmt.Errorf("opsgenie: %s: 401 %s: the API key was refused; give an API integration key with read access", name, msg)
			case http.StatusForbidden:
				return fmt.Errorf("opsgenie: %s: 403 %s: the API key may not read %s", name, msg, what)
			case http.StatusNotFound:
				return fmt.Errorf("opsgenie: %s: 404 %s: %s not found", name, msg, what)
			}
			return fmt.Errorf("opsgenie: %s: %d %s", name, resp.StatusCode, msg)
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
			return fmt.Errorf("opsgenie: %s: decode answer: %w", name, err)
		}
		return nil
	}
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.wait != nil {
		return c.wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfter reads Retry-After in seconds or as an HTTP date; OpsGenie
// often sends none (only X-RateLimit-State: THROTTLED), then one second.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	return time.Second
}
