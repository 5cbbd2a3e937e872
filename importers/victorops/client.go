package victorops

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
)

// maxResponse caps one API answer.
const maxResponse = 64 << 20

// incidentsPath is the reporting API's incident history.
const incidentsPath = "/api-reporting/v2/incidents"

// Client pulls incident history from Splunk On-Call's reporting API
// (GET /api-reporting/v2/incidents) with an API id and key, sent as the
// X-VO-Api-Id and X-VO-Api-Key headers. The zero values of its optional
// fields take the defaults.
type Client struct {
	// BaseURL is the API's root, e.g. https://api.victorops.com.
	BaseURL string
	// APIID and APIKey authenticate; the key is never put in errors.
	APIID, APIKey string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// PerPage is the page size (default and maximum 100).
	PerPage int
	// MaxRetries is how often one request is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait is the longest rate-limit wait accepted (default 2 minutes);
	// the reporting API allows one call a minute, so a 429 without
	// Retry-After waits a minute.
	MaxWait time.Duration

	// wait sleeps for d or until ctx is done; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the API at baseURL.
func NewClient(baseURL, apiID, apiKey string) *Client {
	return &Client{BaseURL: baseURL, APIID: apiID, APIKey: apiKey}
}

// Pull reads incidents and hands their events to sink: the incidents
// numbered ids when ids is not empty (numbers or ranges such as "20:50",
// as the API's incidentNumber filter takes them), else those that started
// in [from, to] (nil ends are open). Incidents of every phase are read
// (the API's default is resolved ones only), page by page with offset and
// limit until total is reached. The events are those of an incident list
// file (see the package doc), so a pulled incident and an imported API
// answer dedupe.
func (c *Client) Pull(ctx context.Context, ids []string, from, to *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("victorops: API URL is required")
	}
	if c.APIID == "" || c.APIKey == "" {
		return errors.New("victorops: API id and key are required")
	}
	q := url.Values{"currentPhase": {"triggered,acknowledged,resolved"}}
	if len(ids) > 0 {
		var clean []string
		for _, id := range ids {
			id = strings.TrimPrefix(strings.TrimSpace(id), "#")
			if id != "" {
				clean = append(clean, id)
			}
		}
		q.Set("incidentNumber", strings.Join(clean, ","))
	} else {
		if from != nil {
			q.Set("startedAfter", from.UTC().Format(time.RFC3339))
		}
		if to != nil {
			q.Set("startedBefore", to.UTC().Format(time.RFC3339))
		}
	}
	per := c.PerPage
	if per <= 0 || per > 100 {
		per = 100
	}
	r := reader{}
	for offset := 0; ; {
		q.Set("offset", strconv.Itoa(offset))
		q.Set("limit", strconv.Itoa(per))
		var page struct {
			Incidents []json.RawMessage `json:"incidents"`
			Total     *int              `json:"total"`
		}
		if err := c.get(ctx, incidentsPath+"?"+q.Encode(), &page); err != nil {
			return err
		}
		for i, raw := range page.Incidents {
			alerts, problems := r.incident(raw, "incidents["+strconv.Itoa(i)+"]")
			for _, p := range problems {
				sink.Reject(importers.Rejection{File: "victorops " + incidentsPath, Line: offset + i + 1, Field: p.Field, Reason: p.Reason})
			}
			for _, a := range alerts {
				if err := sink.Event(a.Event(Source)); err != nil {
					return err
				}
			}
		}
		offset += len(page.Incidents)
		if len(page.Incidents) == 0 || (page.Total != nil && offset >= *page.Total) || (page.Total == nil && len(page.Incidents) < per) {
			return nil
		}
	}
}

// get sends one GET, retrying after 429 answers as the server asks, and
// decodes a 2xx answer into out.
func (c *Client) get(ctx context.Context, path string, out any) error {
	retries := c.MaxRetries
	if retries <= 0 {
		retries = 5
	}
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = 2 * time.Minute
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	endpoint := strings.TrimRight(c.BaseURL, "/") + path
	what := "GET " + strings.SplitN(path, "?", 2)[0]
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err != nil {
			return fmt.Errorf("victorops: %s: %w", what, err)
		}
		req.Header.Set("X-VO-Api-Id", c.APIID)
		req.Header.Set("X-VO-Api-Key", c.APIKey)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("victorops: %s: %w", what, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			d := retryAfter(resp.Header, time.Now())
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if attempt >= retries {
				return fmt.Errorf("victorops: %s: still rate limited after %d retries", what, retries)
			}
			if d > maxWait {
				return fmt.Errorf("victorops: %s: rate limited for %s, longer than %s", what, d, maxWait)
			}
			if err := c.sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			return fmt.Errorf("victorops: %s: %d %s", what, resp.StatusCode, c.errorText(resp.StatusCode, body))
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
			return fmt.Errorf("victorops: %s: decode answer: %w", what, err)
		}
		return nil
	}
}

// errorText is the API's error message ({"error": …} or {"message": …},
// else the body's text), without the credentials.
func (c *Client) errorText(status int, body []byte) string {
	var e struct {
		Error   alertjson.Text `json:"error"`
		Message alertjson.Text `json:"message"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = alertjson.FirstOf(e.Message.String(), e.Error.String())
	} else {
		msg = strings.Join(strings.Fields(string(body)), " ")
	}
	for _, secret := range []string{c.APIKey, c.APIID} {
		if len(secret) >= 4 {
			msg = strings.ReplaceAll(msg, secret, "[redacted]")
		}
	}
	if r := []rune(msg); len(r) > 300 {
		msg = string(r[:300]) + "…"
	}
	return alertjson.FirstOf(msg, http.StatusText(status))
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

// retryAfter reads how long to wait: Retry-After in seconds or as an HTTP
// date, else a minute (the reporting API's rate).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	return time.Minute
}
