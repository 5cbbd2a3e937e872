package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// DefaultTimeout bounds one request to a tracker.
const DefaultTimeout = 30 * time.Second

// maxAnswer caps a tracker's 2xx answer; maxErrorBody what is read of an
// error answer.
const (
	maxAnswer    = 8 << 20
	maxErrorBody = 64 << 10
)

// StatusError is a tracker's non-2xx answer.
type StatusError = apiclient.StatusError

// caller sends one vendor's requests: credentials on each, a timeout,
// bounded reads, and errors that carry the vendor's message but never the
// credentials.
type caller struct {
	vendor string
	base   string
	http   *http.Client
	auth   func(*http.Request)
	secret string
	// keyHint says which settings to check after a 401.
	keyHint string
	// message reads the vendor's error text from an error answer.
	message func(body []byte) string
}

func newCaller(vendor, base string, hc *http.Client) caller {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	// Go drops Authorization on a redirect to another host, but not the
	// vendors' own key headers (X-Redmine-API-Key, X-BUGZILLA-API-KEY):
	// follow redirects on the same host only.
	c := *hc
	c.CheckRedirect = sameHostRedirect(vendor)
	return caller{vendor: vendor, base: strings.TrimRight(strings.TrimSpace(base), "/"), http: &c}
}

// sameHostRedirect refuses a redirect to another host (and more than 5).
func sameHostRedirect(vendor string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return fmt.Errorf("%s: too many redirects", vendor)
		}
		if req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("%s: redirected to another host (%s), where the credentials are not sent; set the tracker's URL to where it lives", vendor, req.URL.Host)
		}
		return nil
	}
}

// do sends method path with in as JSON (when not nil) and decodes a 2xx
// answer into out (when not nil). what names the object in a 404. A 429
// is sent again once, after the Retry-After the tracker asks for (at most
// maxRetryWait): a rate limit is not a sync failure worth showing.
func (c caller) do(ctx context.Context, method, path string, in, out any, what string) error {
	// Errors name the path without its query: shorter, and what a person
	// needs to recognise the call.
	shown, _, _ := strings.Cut(path, "?")
	name := c.vendor + ": " + method + " " + shown
	var payload []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		payload = b
	}
	var resp *http.Response
	for attempt := 0; ; attempt++ {
		var err error
		if resp, err = c.send(ctx, method, path, payload); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", name, ctx.Err())
			}
			return fmt.Errorf("%s: %s", name, apiclient.Redact(err.Error(), c.secret))
		}
		if resp.StatusCode != http.StatusTooManyRequests || attempt > 0 {
			break
		}
		wait, ok := apiclient.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			wait = time.Second
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if wait > maxRetryWait {
			return &StatusError{Status: http.StatusTooManyRequests,
				Err: fmt.Errorf("%s: 429 Too Many Requests: rate limited for %s; the next sync tries again", name, wait)}
		}
		if err := apiclient.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return &StatusError{Status: resp.StatusCode, Err: c.refused(name, resp, b, what)}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	lr := &io.LimitedReader{R: resp.Body, N: maxAnswer + 1}
	if err := json.NewDecoder(lr).Decode(out); err != nil {
		if lr.N <= 0 {
			return fmt.Errorf("%s: the answer is larger than %d MiB", name, maxAnswer>>20)
		}
		return fmt.Errorf("%s: the answer is not the JSON expected: %w", name, err)
	}
	return nil
}

// maxRetryWait is the longest rate-limit wait do sits out.
const maxRetryWait = 10 * time.Second

// send sends one request with the credentials.
func (c caller) send(ctx context.Context, method, path string, payload []byte) (*http.Response, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "hindsight-ticket-sync")
	if c.auth != nil {
		c.auth(req)
	}
	return c.http.Do(req)
}

// refused turns an error answer into an error naming the status and the
// vendor's message.
func (c caller) refused(name string, resp *http.Response, body []byte, what string) error {
	msg := ""
	if c.message != nil && isJSON(resp, body) {
		msg = c.message(body)
	}
	msg = apiclient.Snippet(apiclient.Redact(msg, c.secret), 300)
	status := fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: %s: the credentials were refused; %s%s", name, status, c.keyHint, suffix(msg))
	case http.StatusForbidden:
		return fmt.Errorf("%s: %s: the account may not do this%s", name, status, suffix(msg))
	case http.StatusNotFound:
		return fmt.Errorf("%s: %s: %s not found%s", name, status, what, suffix(msg))
	}
	if msg == "" {
		return fmt.Errorf("%s: %s", name, status)
	}
	return fmt.Errorf("%s: %s: %s", name, status, msg)
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return " (" + msg + ")"
}

func isJSON(resp *http.Response, body []byte) bool {
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return true
	}
	t := bytes.TrimSpace(body)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// parseTime reads the time formats trackers write: RFC 3339 and Jira's
// "2006-01-02T15:04:05.000-0700". The result is UTC; nil when s is empty
// or not a time.
func parseTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			u := t.UTC()
			return &u
		}
	}
	return nil
}
