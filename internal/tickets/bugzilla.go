package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// BugzillaConfig is a Bugzilla 5 server.
type BugzillaConfig struct {
	// URL is the Bugzilla root (https://bugzilla.example.com).
	URL string
	// Key is an API key (sent as X-BUGZILLA-API-KEY).
	Key string
	// Product and Component place new bugs; both are needed to create.
	Product   string
	Component string
	// Version is the product version of new bugs (default "unspecified").
	Version string
	// HTTP is the client to use (default: one with DefaultTimeout).
	HTTP *http.Client
}

// BugzillaClient talks to Bugzilla's REST API (/rest).
type BugzillaClient struct {
	cfg BugzillaConfig
	c   caller
}

// NewBugzilla returns a Bugzilla client.
func NewBugzilla(cfg BugzillaConfig) *BugzillaClient {
	if cfg.Version == "" {
		cfg.Version = "unspecified"
	}
	c := newCaller(Bugzilla, cfg.URL, cfg.HTTP)
	c.secret = cfg.Key
	c.keyHint = "check HINDSIGHT_BUGZILLA_KEY"
	c.auth = func(r *http.Request) { r.Header.Set("X-BUGZILLA-API-KEY", cfg.Key) }
	c.message = bugzillaMessage
	return &BugzillaClient{cfg: cfg, c: c}
}

// System is "bugzilla".
func (b *BugzillaClient) System() string { return Bugzilla }

// CanCreate reports whether product and component are set.
func (b *BugzillaClient) CanCreate() bool { return b.cfg.Product != "" && b.cfg.Component != "" }

// URL is the bug's page.
func (b *BugzillaClient) URL(key string) string {
	return b.c.base + "/show_bug.cgi?id=" + url.QueryEscape(strings.TrimSpace(key))
}

// Create files t as a bug of the product and component.
func (b *BugzillaClient) Create(ctx context.Context, t Ticket) (Ref, error) {
	if !b.CanCreate() {
		return Ref{}, ErrCannotCreate
	}
	bug := map[string]any{
		"product": b.cfg.Product, "component": b.cfg.Component, "version": b.cfg.Version,
		"summary": apiclient.Snippet(t.Title, 255), "description": t.Description,
	}
	var ans struct {
		ID int `json:"id"`
	}
	if err := b.c.do(ctx, http.MethodPost, "/rest/bug", bug, &ans, "product "+b.cfg.Product); err != nil {
		return Ref{}, err
	}
	if ans.ID == 0 {
		return Ref{}, fmt.Errorf("bugzilla: POST /rest/bug: the answer has no bug id")
	}
	key := strconv.Itoa(ans.ID)
	return Ref{Key: key, URL: b.URL(key)}, nil
}

// Status reads the bug: is_open false means closed (RESOLVED, VERIFIED
// or CLOSED); WONTFIX, INVALID, DUPLICATE and WORKSFORME mean won't do.
// Bugzilla keeps no resolution date, so the time comes from the bug's
// history: the last change of its status to a closed one.
func (b *BugzillaClient) Status(ctx context.Context, key string) (Remote, error) {
	id := strings.TrimPrefix(strings.TrimSpace(key), "#")
	if _, err := strconv.Atoi(id); err != nil {
		return Remote{}, fmt.Errorf("bugzilla: %q is not a bug number", key)
	}
	q := url.Values{"include_fields": {"id,status,resolution,is_open,last_change_time"}}
	var ans struct {
		Bugs []struct {
			Status         string `json:"status"`
			Resolution     string `json:"resolution"`
			IsOpen         *bool  `json:"is_open"`
			LastChangeTime string `json:"last_change_time"`
		} `json:"bugs"`
	}
	if err := b.c.do(ctx, http.MethodGet, "/rest/bug/"+id+"?"+q.Encode(), nil, &ans, "bug "+id); err != nil {
		return Remote{}, err
	}
	if len(ans.Bugs) == 0 {
		return Remote{}, fmt.Errorf("bugzilla: GET /rest/bug/%s: the answer has no bug", id)
	}
	bug := ans.Bugs[0]
	out := Remote{Status: strings.TrimSpace(bug.Status + " " + bug.Resolution), URL: b.URL(id)}
	if bug.IsOpen != nil {
		out.Closed = !*bug.IsOpen
	} else {
		out.Closed = bug.Resolution != ""
	}
	if !out.Closed {
		return out, nil
	}
	out.WontDo = wontDo(bug.Resolution)
	at, err := b.closedAt(ctx, id)
	if err != nil {
		return Remote{}, err
	}
	if at == nil {
		at = parseTime(bug.LastChangeTime)
	}
	out.ClosedAt = at
	return out, nil
}

// closedAt finds when the bug's status last changed to a closed one.
func (b *BugzillaClient) closedAt(ctx context.Context, id string) (*time.Time, error) {
	var ans struct {
		Bugs []struct {
			History []struct {
				When    string `json:"when"`
				Changes []struct {
					FieldName string `json:"field_name"`
					Added     string `json:"added"`
				} `json:"changes"`
			} `json:"history"`
		} `json:"bugs"`
	}
	if err := b.c.do(ctx, http.MethodGet, "/rest/bug/"+id+"/history", nil, &ans, "bug "+id); err != nil {
		return nil, err
	}
	var at *time.Time
	for _, bug := range ans.Bugs {
		for _, h := range bug.History {
			for _, ch := range h.Changes {
				if ch.FieldName == "bug_status" || ch.FieldName == "status" {
					switch ch.Added {
					case "RESOLVED", "VERIFIED", "CLOSED":
						at = parseTime(h.When)
					default:
						at = nil // reopened since
					}
				}
			}
		}
	}
	return at, nil
}

// bugzillaMessage reads {"error": true, "code": 51, "message": "..."}.
func bugzillaMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Message
}
