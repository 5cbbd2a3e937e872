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
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

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
		var fe *alertjson.FieldError
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
	endpoint := strings.TrimRight(c.BaseURL, "/") + path + "?" + q.Encode()
	name := "opsgenie: GET " + path
	// OpsGenie's 429s often carry no Retry-After (only
	// X-RateLimit-State: THROTTLED): the Retrier then waits one second.
	r := apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Sleep: c.wait}
	resp, err := r.Do(ctx, name, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "GenieKey "+c.Token)
		req.Header.Set("Accept", "application/json")
		return req, nil
	}, c.Token)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
		return apiclient.Refused(name, resp.StatusCode, e.Message, what, "give an API integration key with read access")
	}
	if err := apiclient.DecodeAnswer(resp.Body, out); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
