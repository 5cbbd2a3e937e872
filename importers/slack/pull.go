package slack

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
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/importers"

	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// DefaultBaseURL is Slack's Web API.
const DefaultBaseURL = "https://slack.com/api"

// Client pulls a channel's messages through Slack's Web API
// (conversations.history, conversations.replies, users.info,
// conversations.info) and emits the same events as the export parser.
// The token is sent in the Authorization header only and never appears in
// errors. A Client caches user names and may be reused for several pulls.
type Client struct {
	// BaseURL is the API root, DefaultBaseURL unless a test points it at a
	// fake.
	BaseURL string
	// HTTP sends the requests; http.DefaultClient when nil.
	HTTP *http.Client
	// MaxRetries bounds the retries of one request answered 429.
	MaxRetries int
	// MaxWait is the longest Retry-After the client waits out; a longer one
	// fails the pull (resumable, see PullError).
	MaxWait time.Duration
	// PageSize is the limit asked of each page.
	PageSize int

	token string
	mu    sync.Mutex
	users map[string]string
}

// NewClient returns a client for the Web API that authenticates with token
// (a bot or user token with the channels:history, groups:history and
// users:read scopes).
func NewClient(token string) *Client {
	return &Client{BaseURL: DefaultBaseURL, MaxRetries: 5, MaxWait: 2 * time.Minute, PageSize: 200, token: token, users: map[string]string{}}
}

// APIError is an answer of Slack with ok:false.
type APIError struct {
	Method string // e.g. "conversations.history"
	Code   string // Slack's error code, e.g. "channel_not_found"
}

func (e *APIError) Error() string {
	return "slack: " + e.Method + " failed: " + e.Code
}

// PullError is a pull that stopped part way. Events already handed to the
// sink stay valid; to resume, call PullFrom with Cursor (the history page
// that was being read; "" is the first page). Because history runs newest
// first, LastTS (the oldest message ts fully handled, thread included) can
// also serve as the new window's end. Re-emitted events carry the same
// ExternalID and are deduplicated on store.
type PullError struct {
	Channel string
	Cursor  string
	LastTS  string
	Err     error
}

func (e *PullError) Error() string {
	return fmt.Sprintf("slack: pull of %s stopped (resume with cursor %q, last ts %q): %v", e.Channel, e.Cursor, e.LastTS, e.Err)
}

// Unwrap returns the cause.
func (e *PullError) Unwrap() error { return e.Err }

// Pull emits every message of channelID posted in [from, to] (a zero time
// leaves that end open), with the full threads of those that have replies.
func (c *Client) Pull(ctx context.Context, channelID string, from, to time.Time, sink importers.Sink) error {
	return c.PullFrom(ctx, channelID, from, to, "", sink)
}

// PullFrom is Pull starting at the history page cursor, as a PullError
// reports it.
func (c *Client) PullFrom(ctx context.Context, channelID string, from, to time.Time, cursor string, sink importers.Sink) error {
	if strings.TrimSpace(channelID) == "" {
		return errors.New("slack: pull: channel is required (an id such as C0123ABCD)")
	}
	conv := conversation{ID: channelID}
	var info struct {
		Channel conversation `json:"channel"`
	}
	switch err := c.call(ctx, "conversations.info", url.Values{"channel": {channelID}}, &info); {
	case err == nil:
		conv.Name = info.Channel.Name
	case isAPIError(err, "missing_scope"):
		// The name is a nicety; the events still carry the channel id.
	default:
		return &PullError{Channel: channelID, Cursor: cursor, Err: err}
	}
	cv := &converter{
		user:    func(id string) (string, error) { return c.userName(ctx, id) },
		channel: func(id string) string { return "" },
	}
	p := &puller{c: c, conv: cv, ch: conv, sink: sink}
	if err := p.history(ctx, from, to, cursor); err != nil {
		return &PullError{Channel: channelID, Cursor: p.cursor, LastTS: p.lastTS, Err: err}
	}
	return nil
}

// puller is one pull in progress.
type puller struct {
	c      *Client
	conv   *converter
	ch     conversation
	sink   importers.Sink
	cursor string
	lastTS string
}

type page struct {
	Messages []message `json:"messages"`
	HasMore  bool      `json:"has_more"`
	Meta     struct {
		NextCursor string `json:"next_cursor"`
	} `json:"response_metadata"`
}

func (p *puller) history(ctx context.Context, from, to time.Time, cursor string) error {
	q := url.Values{"channel": {p.ch.ID}, "inclusive": {"true"}, "limit": {strconv.Itoa(p.c.pageSize())}}
	if !from.IsZero() {
		q.Set("oldest", slackTS(from))
	}
	if !to.IsZero() {
		q.Set("latest", slackTS(to))
	}
	p.cursor = cursor
	for {
		if p.cursor != "" {
			q.Set("cursor", p.cursor)
		}
		var pg page
		if err := p.c.call(ctx, "conversations.history", q, &pg); err != nil {
			return err
		}
		for i := range pg.Messages {
			m := &pg.Messages[i]
			if err := p.emit(m); err != nil {
				return err
			}
			if m.ReplyCount > 0 && m.ThreadTS != "" {
				if err := p.replies(ctx, m.ThreadTS); err != nil {
					return err
				}
			}
			p.lastTS = m.TS
		}
		if pg.Meta.NextCursor == "" {
			return nil
		}
		p.cursor = pg.Meta.NextCursor
	}
}

// replies emits a thread's replies; the parent, which Slack repeats first,
// was emitted from history already.
func (p *puller) replies(ctx context.Context, threadTS string) error {
	q := url.Values{"channel": {p.ch.ID}, "ts": {threadTS}, "limit": {strconv.Itoa(p.c.pageSize())}}
	for {
		var pg page
		if err := p.c.call(ctx, "conversations.replies", q, &pg); err != nil {
			return err
		}
		for i := range pg.Messages {
			if m := &pg.Messages[i]; m.TS != threadTS {
				if err := p.emit(m); err != nil {
					return err
				}
			}
		}
		if pg.Meta.NextCursor == "" {
			return nil
		}
		q.Set("cursor", pg.Meta.NextCursor)
	}
}

// emit converts one message; one Slack will not let us read (no ts) is
// rejected, naming the API method as the file.
func (p *puller) emit(m *message) error {
	e, err := p.conv.event(p.ch, m)
	var bad *badField
	if errors.As(err, &bad) {
		p.sink.Reject(importers.Rejection{File: "slack:" + p.ch.ID, Field: bad.field, Reason: bad.reason})
		return nil
	}
	if err != nil {
		return err
	}
	return p.sink.Event(e)
}

// userName resolves a user id through users.info, once per id.
func (c *Client) userName(ctx context.Context, id string) (string, error) {
	c.mu.Lock()
	name, ok := c.users[id]
	c.mu.Unlock()
	if ok {
		return name, nil
	}
	var res struct {
		User user `json:"user"`
	}
	err := c.call(ctx, "users.info", url.Values{"user": {id}}, &res)
	switch {
	case isAPIError(err, "user_not_found"), isAPIError(err, "bot_not_found"):
		name = importers.Users{}.Name(id)
	case err != nil:
		return "", err
	default:
		name = importers.Users{id: res.User.displayName()}.Name(id)
	}
	c.mu.Lock()
	c.users[id] = name
	c.mu.Unlock()
	return name, nil
}

// call GETs one API method, waiting out 429 answers as Retry-After asks,
// and decodes the answer into v.
func (c *Client) call(ctx context.Context, method string, q url.Values, v any) error {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u := strings.TrimRight(base, "/") + "/" + method + "?" + q.Encode()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("slack: %s: %w", method, err)
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		hc := c.HTTP
		if hc == nil {
			hc = http.DefaultClient
		}
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("slack: %s: %w", method, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			wait := retryAfter(resp.Header.Get("Retry-After"))
			drain(resp)
			if attempt >= c.MaxRetries {
				return fmt.Errorf("slack: %s: still rate limited (429) after %d retries", method, attempt)
			}
			if c.MaxWait > 0 && wait > c.MaxWait {
				return fmt.Errorf("slack: %s: rate limited (429) for %s, longer than the %s the client waits", method, wait, c.MaxWait)
			}
			if err := apiclient.Sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}
		return decodeAnswer(method, resp, v)
	}
}

func decodeAnswer(method string, resp *http.Response, v any) error {
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack: %s: HTTP %s", method, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("slack: %s: reading the answer: %w", method, err)
	}
	var status struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &status); err != nil {
		return fmt.Errorf("slack: %s: the answer is not JSON: %w", method, err)
	}
	if !status.OK {
		if status.Error == "" {
			status.Error = "unknown_error"
		}
		return &APIError{Method: method, Code: status.Error}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("slack: %s: unexpected answer: %w", method, err)
	}
	return nil
}

func isAPIError(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// retryAfter reads Retry-After in seconds; a missing or odd value waits
// one second.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return time.Second
	}
	return time.Duration(n) * time.Second
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

// slackTS writes t as Slack's "seconds.micros".
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

func (c *Client) pageSize() int {
	if c.PageSize <= 0 || c.PageSize > 1000 {
		return 200
	}
	return c.PageSize
}
