// Package apiclient holds the HTTP plumbing the alert pull clients
// (OpsGenie, PagerDuty, Splunk On-Call, Zabbix), the ticket pull clients
// (Bugzilla, GitHub, Jira, Mantis, Redmine, Statuspage) and the ticket
// sync clients (internal/tickets) share: sending a request again after 429
// answers as the server asks, within a bounded wait, and error texts that
// never carry the credentials. It uses the standard library only.
package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxAnswer caps one API answer.
const MaxAnswer = 64 << 20

// maxErrorBody caps what is read of an error answer or a drained 429.
const maxErrorBody = 1 << 16

// Retrier sends requests and sends them again after 429 answers. The zero
// values of its fields take the defaults.
type Retrier struct {
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// MaxRetries is how often one request is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait is the longest rate-limit wait (default 1 minute).
	MaxWait time.Duration
	// CapWait waits MaxWait when the server asks for longer; without it
	// such an answer is an error.
	CapWait bool
	// Fallback is the wait a 429 without Retry-After asks for (a vendor's
	// reset header, or its known rate); one second when nil.
	Fallback func(http.Header) time.Duration
	// Sleep waits for d or until ctx is done; a timer when nil (tests
	// replace it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Do sends the request build makes (a new one for each attempt) until the
// answer is not a 429, and returns that answer; the caller closes its
// body. name prefixes errors ("opsgenie: GET /v2/alerts"); a cancelled ctx
// is returned as ctx.Err(). Transport errors are passed through Redact
// with secrets.
func (r Retrier) Do(ctx context.Context, name string, build func() (*http.Request, error), secrets ...string) (*http.Response, error) {
	retries := r.MaxRetries
	if retries <= 0 {
		retries = 5
	}
	maxWait := r.MaxWait
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	hc := r.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	for attempt := 0; ; attempt++ {
		req, err := build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if text := Redact(err.Error(), secrets...); text != err.Error() {
				return nil, fmt.Errorf("%s: %s", name, text)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			return resp, nil
		}
		d := r.retryAfter(resp.Header, time.Now())
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if attempt >= retries {
			return nil, fmt.Errorf("%s: still rate limited after %d retries", name, retries)
		}
		if d > maxWait {
			if !r.CapWait {
				return nil, fmt.Errorf("%s: rate limited for %s, longer than %s", name, d, maxWait)
			}
			d = maxWait
		}
		if err := r.sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

func (r Retrier) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// Sleep waits for d, or until ctx is done (then its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfter reads Retry-After, else the Fallback.
func (r Retrier) retryAfter(h http.Header, now time.Time) time.Duration {
	if d, ok := RetryAfter(h.Get("Retry-After"), now); ok {
		return d
	}
	if r.Fallback != nil {
		return r.Fallback(h)
	}
	return time.Second
}

// RetryAfter reads the value of a Retry-After header, in seconds or as an
// HTTP date (then the wait from now, never negative); ok is false when v is
// empty or neither.
func RetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// DecodeAnswer decodes a 2xx answer's JSON into out, reading at most
// MaxAnswer bytes.
func DecodeAnswer(body io.Reader, out any) error {
	if err := json.NewDecoder(io.LimitReader(body, MaxAnswer)).Decode(out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// ErrorBody reads the start of an error answer.
func ErrorBody(body io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	return b
}

// Refused is the error for a non-2xx answer to a read: the status, the
// API's message (the status text when empty), and for 401, 403 and 404
// what to do about it. keyHint says which key to give after a 401 ("give a
// REST API key"); what names what was asked for ("alert 42").
func Refused(name string, status int, msg, what, keyHint string) error {
	if msg = strings.TrimSpace(msg); msg == "" {
		msg = http.StatusText(status)
	}
	switch status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: 401 %s: the API key was refused; %s", name, msg, keyHint)
	case http.StatusForbidden:
		return fmt.Errorf("%s: 403 %s: the API key may not read %s", name, msg, what)
	case http.StatusNotFound:
		return fmt.Errorf("%s: 404 %s: %s not found", name, msg, what)
	}
	return fmt.Errorf("%s: %d %s", name, status, msg)
}

// Redact replaces each secret in s by "[redacted]". Secrets shorter than
// four bytes are left: replacing them would garble the text and hide
// nothing.
func Redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// Snippet is the start of an error text on one line, at most n runes.
func Snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// Getter sends the GETs of a ticket pull client (Bugzilla, GitHub, Jira,
// Mantis, Redmine, Statuspage): one request with the credentials and Accept:
// application/json through Retrier, a non-2xx answer turned into a
// *StatusError that names what was asked for and never carries Secret,
// and a 2xx answer decoded.
type Getter struct {
	// Vendor prefixes errors ("redmine").
	Vendor string
	// Retrier sends the requests.
	Retrier Retrier
	// Auth sets the credentials on each request, and any header the API
	// wants beside them (it may replace Accept); none when nil.
	Auth func(*http.Request)
	// Secret is redacted from errors.
	Secret string
	// KeyHint says which key to give after a 401 (see Refused).
	KeyHint string
	// Message reads the API's message from the start of an error answer;
	// it is redacted and cut to one line here. The status text when nil or
	// empty.
	Message func(resp *http.Response, body []byte) string
	// UseNumber decodes JSON numbers as json.Number.
	UseNumber bool
	// NotFound is the error a 404, 410 or 403 answer matches with
	// errors.Is (the importers' ErrRemoteNotFound); none when nil.
	NotFound error
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Status int
	Err    error
	// NotFound is the error a 404, 410 or 403 matches with errors.Is; none
	// when nil.
	NotFound error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// Is makes a 404, 410 or 403 match NotFound.
func (e *StatusError) Is(target error) bool {
	return e.NotFound != nil && target == e.NotFound && (e.Status == 404 || e.Status == 410 || e.Status == 403)
}

// Name is the error prefix of a GET of path ("redmine: GET /issues/1.json").
func (g Getter) Name(path string) string { return g.Vendor + ": GET " + path }

// Send sends one GET of endpoint (path names it in errors) and returns
// the answer that is not a 429, whatever its status; the caller closes
// its body.
func (g Getter) Send(ctx context.Context, endpoint, path string) (*http.Response, error) {
	return g.Retrier.Do(ctx, g.Name(path), func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		if g.Auth != nil {
			g.Auth(req)
		}
		return req, nil
	}, g.Secret)
}

// Get sends one GET of endpoint and decodes a 2xx answer into out; what
// names what was asked for ("issue 42") in a refusal.
func (g Getter) Get(ctx context.Context, endpoint, path, what string, out any) error {
	_, err := g.Fetch(ctx, endpoint, path, what, out)
	return err
}

// Fetch is Get that also returns the 2xx answer's header (for paging
// links).
func (g Getter) Fetch(ctx context.Context, endpoint, path, what string, out any) (http.Header, error) {
	name := g.Name(path)
	resp, err := g.Send(ctx, endpoint, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body := ErrorBody(resp.Body)
		msg := ""
		if g.Message != nil {
			msg = Snippet(Redact(g.Message(resp, body), g.Secret), 300)
		}
		return nil, &StatusError{Status: resp.StatusCode, Err: Refused(name, resp.StatusCode, msg, what, g.KeyHint), NotFound: g.NotFound}
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, MaxAnswer))
	if g.UseNumber {
		dec.UseNumber()
	}
	if err := dec.Decode(out); err != nil {
		return nil, fmt.Errorf("%s: decode answer: %w", name, err)
	}
	return resp.Header, nil
}
