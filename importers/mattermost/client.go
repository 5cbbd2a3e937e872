package mattermost

import (
	"bytes"
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
	"github.com/hindsightrca/hindsight/internal/incident"

	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// maxResponse caps one API answer.
const maxResponse = 64 << 20

// Client pulls channel history from a Mattermost server through the REST
// API v4 with a personal access or bot token. The zero values of its
// optional fields take the defaults.
type Client struct {
	// BaseURL is the server's address, e.g. https://chat.example.com.
	BaseURL string
	// Token is sent as a bearer token; it is never put in errors.
	Token string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// PerPage is the page size (default 200, Mattermost's maximum).
	PerPage int
	// MaxRetries is how often one request is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait is the longest rate-limit wait accepted (default 2 minutes);
	// a server asking for more is an error.
	MaxWait time.Duration

	// wait sleeps for d or until ctx is done; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the server at baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// apiPost is a post as the API returns it.
type apiPost struct {
	ID         string         `json:"id"`
	CreateAt   int64          `json:"create_at"`
	EditAt     int64          `json:"edit_at"`
	DeleteAt   int64          `json:"delete_at"`
	IsPinned   bool           `json:"is_pinned"`
	UserID     string         `json:"user_id"`
	RootID     string         `json:"root_id"`
	Message    string         `json:"message"`
	Type       string         `json:"type"`
	Props      map[string]any `json:"props"`
	ReplyCount int            `json:"reply_count"`
	Metadata   struct {
		Files []struct {
			Name string `json:"name"`
		} `json:"files"`
	} `json:"metadata"`
}

type postList struct {
	Order []string           `json:"order"`
	Posts map[string]apiPost `json:"posts"`
}

type apiUser struct {
	ID string `json:"id"`
	exportUser
}

type apiChannel struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

// Pull reads the posts of channelID created in [from, to] (a zero bound is
// open) and hands them to sink, newest first. It pages backwards with
// ?before=<post id>, which stays stable while people keep posting. Events
// are keyed by post id (see the package doc); replies carry their root post
// id as ThreadID and ParentID.
func (c *Client) Pull(ctx context.Context, channelID string, from, to time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("mattermost: base URL is required")
	}
	if strings.TrimSpace(channelID) == "" {
		return errors.New("mattermost: channel id is required")
	}
	var ch apiChannel
	if err := c.call(ctx, http.MethodGet, "/api/v4/channels/"+url.PathEscape(channelID), nil, &ch); err != nil {
		return err
	}
	users := map[string]string{}
	seen := map[string]bool{}
	before := ""
	for {
		q := url.Values{"per_page": {strconv.Itoa(c.perPage())}}
		if before != "" {
			q.Set("before", before)
		}
		var page postList
		if err := c.call(ctx, http.MethodGet, "/api/v4/channels/"+url.PathEscape(channelID)+"/posts?"+q.Encode(), nil, &page); err != nil {
			return err
		}
		var keep []apiPost
		done := len(page.Order) < c.perPage()
		for _, id := range page.Order {
			p, ok := page.Posts[id]
			if !ok || seen[id] {
				continue
			}
			seen[id] = true
			at := time.UnixMilli(p.CreateAt)
			if !from.IsZero() && at.Before(from) {
				done = true
				continue
			}
			if (!to.IsZero() && at.After(to)) || p.DeleteAt > 0 {
				continue
			}
			keep = append(keep, p)
		}
		if err := c.resolve(ctx, keep, users); err != nil {
			return err
		}
		for _, p := range keep {
			ev, ok := c.event(p, ch, channelID, users)
			if !ok {
				sink.Reject(importers.Rejection{File: "channel " + channelID, Field: "posts." + p.ID + ".message", Reason: "is empty and there are no files"})
				continue
			}
			if err := sink.Event(ev); err != nil {
				return err
			}
		}
		if done || len(page.Order) == 0 {
			return nil
		}
		before = page.Order[len(page.Order)-1]
	}
}

// resolve looks up the display names of the posts' authors not yet known.
func (c *Client) resolve(ctx context.Context, posts []apiPost, users map[string]string) error {
	var ids []string
	asked := map[string]bool{}
	for _, p := range posts {
		if _, ok := users[p.UserID]; !ok && p.UserID != "" && !asked[p.UserID] {
			asked[p.UserID] = true
			ids = append(ids, p.UserID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	body, _ := json.Marshal(ids)
	var got []apiUser
	if err := c.call(ctx, http.MethodPost, "/api/v4/users/ids", body, &got); err != nil {
		return err
	}
	for _, u := range got {
		users[u.ID] = displayName(u.exportUser)
	}
	for _, id := range ids {
		if _, ok := users[id]; !ok {
			// Deleted or invisible user: say so rather than show a bare id.
			users[id] = "unknown user " + id
		}
	}
	return nil
}

func (c *Client) event(p apiPost, ch apiChannel, channelID string, users map[string]string) (incident.TimelineEvent, bool) {
	body := importers.NormalizeText(p.Message)
	var files []string
	for _, f := range p.Metadata.Files {
		files = append(files, f.Name)
		body = strings.TrimSpace(body + "\n\n[attachment: " + f.Name + "]")
	}
	if body == "" {
		return incident.TimelineEvent{}, false
	}
	meta := map[string]any{"channel": ch.Name, "channel_id": channelID, "user_id": p.UserID}
	if ch.DisplayName != "" {
		meta["channel_display_name"] = ch.DisplayName
	}
	actor := users[p.UserID]
	if o, _ := p.Props["override_username"].(string); strings.TrimSpace(o) != "" {
		actor = strings.TrimSpace(o)
		meta["from_webhook"] = true
	}
	kind := incident.KindChat
	if strings.HasPrefix(p.Type, "system_") {
		kind = incident.KindNote
		meta["system"] = p.Type
	}
	if p.EditAt > 0 {
		meta["edited"] = true
	}
	if p.IsPinned {
		meta["pinned"] = true
	}
	if len(files) > 0 {
		meta["attachments"] = files
	}
	ev := incident.TimelineEvent{
		Source:         Source,
		Kind:           kind,
		OccurredAt:     time.UnixMilli(p.CreateAt).UTC(),
		OccurredAtText: strconv.FormatInt(p.CreateAt, 10),
		Actor:          actor,
		Body:           body,
		Link:           strings.TrimRight(c.BaseURL, "/") + "/_redirect/pl/" + url.PathEscape(p.ID),
		ExternalID:     p.ID,
		Metadata:       meta,
	}
	switch {
	case p.RootID != "":
		ev.ThreadID, ev.ParentID = p.RootID, p.RootID
	case p.ReplyCount > 0:
		ev.ThreadID = p.ID
	}
	return ev, true
}

func (c *Client) perPage() int {
	if c.PerPage > 0 {
		return c.PerPage
	}
	return 200
}

// call sends one request, retrying after 429 answers as the server asks,
// and decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, method, path string, body []byte, out any) error {
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
	what := method + " " + strings.SplitN(path, "?", 2)[0]
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("mattermost: %s: %w", what, err)
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("mattermost: %s: %w", what, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			d := retryAfter(resp.Header, time.Now())
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if attempt >= retries {
				return fmt.Errorf("mattermost: %s: still rate limited after %d retries", what, retries)
			}
			if d > maxWait {
				return fmt.Errorf("mattermost: %s: rate limited for %s, longer than %s", what, d, maxWait)
			}
			if err := c.sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			var e struct {
				ID      string `json:"id"`
				Message string `json:"message"`
			}
			_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
			msg := strings.TrimSpace(e.Message)
			if msg == "" {
				msg = http.StatusText(resp.StatusCode)
			}
			return fmt.Errorf("mattermost: %s: %d %s", what, resp.StatusCode, msg)
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
			return fmt.Errorf("mattermost: %s: decode answer: %w", what, err)
		}
		return nil
	}
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.wait != nil {
		return c.wait(ctx, d)
	}
	return apiclient.Sleep(ctx, d)
}

// retryAfter reads how long to wait: Retry-After in seconds or as an HTTP
// date, else Mattermost's X-Ratelimit-Reset (seconds until the limit
// resets), else one second.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d, ok := apiclient.RetryAfter(h.Get("Retry-After"), now); ok {
		return d
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Ratelimit-Reset"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}
