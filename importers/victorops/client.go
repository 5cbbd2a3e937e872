package victorops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

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
	endpoint := strings.TrimRight(c.BaseURL, "/") + path
	what := "victorops: GET " + strings.SplitN(path, "?", 2)[0]
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = 2 * time.Minute
	}
	r := apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: maxWait, Fallback: aMinute, Sleep: c.wait}
	resp, err := r.Do(ctx, what, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-VO-Api-Id", c.APIID)
		req.Header.Set("X-VO-Api-Key", c.APIKey)
		req.Header.Set("Accept", "application/json")
		return req, nil
	}, c.APIKey, c.APIID)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %d %s", what, resp.StatusCode, c.errorText(resp.StatusCode, apiclient.ErrorBody(resp.Body)))
	}
	if err := apiclient.DecodeAnswer(resp.Body, out); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// aMinute is the wait of a 429 without Retry-After: the reporting API
// allows one call a minute.
func aMinute(http.Header) time.Duration { return time.Minute }

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
		msg = string(body)
	}
	msg = apiclient.Snippet(apiclient.Redact(msg, c.APIKey, c.APIID), 300)
	return alertjson.FirstOf(msg, http.StatusText(status))
}
