package statuspage

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

// Client pulls incidents: with a token through the manage API
// (https://api.statuspage.io/v1, "Authorization: OAuth <key>"), without
// one from a public status page's /api/v2/incidents.json (BaseURL is then
// the page, https://status.example.com).
type Client struct {
	// BaseURL is the API root or, without a token, the public page.
	BaseURL string
	// Token is the API key; it is never put in errors.
	Token string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// MaxRetries is how often one request is retried when rate limited (default 5).
	MaxRetries int
	// MaxWait caps one rate-limit wait (default 1 minute).
	MaxWait time.Duration

	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// Pull reads the incidents in ids and hands their updates to sink. With a
// token each id is PAGE_ID/INCIDENT_ID, or PAGE_ID for all the page's
// incidents; without one the public page's recent incidents are read and
// ids (INCIDENT_ID or PAGE_ID/INCIDENT_ID) pick among them.
func (c *Client) Pull(ctx context.Context, ids []string, _, _ *time.Time, sink importers.Sink) error {
	base := strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if base == "" {
		return errors.New("statuspage: API URL is required")
	}
	if c.Token == "" {
		if strings.Contains(base, "api.statuspage.io") {
			return errors.New("statuspage: without a token, set HINDSIGHT_STATUSPAGE_API_URL to the public status page (https://status.example.com)")
		}
		return c.public(ctx, base, ids, sink)
	}
	if len(ids) == 0 {
		return errors.New("statuspage: give --id PAGE_ID/INCIDENT_ID (or PAGE_ID for all its incidents)")
	}
	for _, id := range ids {
		page, inc, _ := strings.Cut(strings.Trim(strings.TrimSpace(id), "/"), "/")
		if page == "" || strings.Contains(inc, "/") {
			return fmt.Errorf("statuspage: %q: want PAGE_ID/INCIDENT_ID or PAGE_ID", id)
		}
		path := "/v1/pages/" + url.PathEscape(page) + "/incidents"
		if inc != "" {
			var v any
			if err := c.get(ctx, base+path+"/"+url.PathEscape(inc), path+"/"+inc, "incident "+id, &v); err != nil {
				return err
			}
			if err := c.emit(v, "incident "+id, 1, sink); err != nil {
				return err
			}
			continue
		}
		for n := 1; ; n++ {
			var list []any
			if err := c.get(ctx, base+path+"?per_page=100&page="+strconv.Itoa(n), path, "page "+page, &list); err != nil {
				return err
			}
			for i, v := range list {
				if err := c.emit(v, "page "+page, (n-1)*100+i+1, sink); err != nil {
					return err
				}
			}
			if len(list) < 100 || n >= 100 {
				break
			}
		}
	}
	return nil
}

// public reads the public page's incidents.json, keeping those in ids.
func (c *Client) public(ctx context.Context, base string, ids []string, sink importers.Sink) error {
	var v any
	if err := c.get(ctx, base+"/api/v2/incidents.json", "/api/v2/incidents.json", "the status page's incidents", &v); err != nil {
		return err
	}
	o, _ := alertjson.AsObject(v)
	want := map[string]bool{}
	for _, id := range ids {
		id = strings.Trim(strings.TrimSpace(id), "/")
		want[id[strings.LastIndex(id, "/")+1:]] = true
	}
	found := map[string]bool{}
	for i, it := range o.List("incidents") {
		inc, ok := alertjson.AsObject(it)
		if !ok || len(want) > 0 && !want[inc.Str("id")] {
			continue
		}
		found[inc.Str("id")] = true
		inc["page_id"] = alertjson.FirstOf(inc.Str("page_id"), sub(o, "page").Str("id"))
		if err := c.emit(it, "the status page's incidents", i+1, sink); err != nil {
			return err
		}
	}
	for id := range want {
		if !found[id] {
			return fmt.Errorf("statuspage: incident %s is not among the status page's recent incidents", id)
		}
	}
	return nil
}

// emit hands the events of one incident to sink, rejecting it whole when
// it cannot be read.
func (c *Client) emit(v any, what string, line int, sink importers.Sink) error {
	o, ok := alertjson.AsObject(v)
	if !ok {
		sink.Reject(importers.Rejection{File: what, Line: line, Reason: "not an incident object"})
		return nil
	}
	evs, err := readIncident(o, "", "")
	var fe *alertjson.FieldError
	if errors.As(err, &fe) {
		sink.Reject(importers.Rejection{File: what, Line: line, Field: fe.Field, Reason: fe.Reason})
		return nil
	} else if err != nil {
		return err
	}
	return emit(evs, sink)
}

// get sends one GET and decodes a 2xx answer into out.
func (c *Client) get(ctx context.Context, endpoint, path, what string, out any) error {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	limited := *hc
	limited.Transport = enhanceCalm{next: hc.Transport}
	g := apiclient.Getter{
		Vendor:   "statuspage",
		NotFound: importers.ErrRemoteNotFound,
		Retrier:  apiclient.Retrier{HTTP: &limited, MaxRetries: c.MaxRetries, MaxWait: c.MaxWait, CapWait: true, Sleep: c.wait},
		Auth: func(req *http.Request) {
			if c.Token != "" {
				req.Header.Set("Authorization", "OAuth "+c.Token)
			}
		},
		Secret:    c.Token,
		KeyHint:   "give a Statuspage API key (HINDSIGHT_STATUSPAGE_TOKEN)",
		Message:   message,
		UseNumber: true,
	}
	return g.Get(ctx, endpoint, path, what, out)
}

// message reads Statuspage's error answer: {"error": "…" or ["…"]} or
// {"message": "…"}.
func message(_ *http.Response, body []byte) string {
	var e struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	msg := alertjson.FirstOf(alertjson.ValueText(e.Error), e.Message)
	if l, ok := e.Error.([]any); ok && msg == "" && len(l) > 0 {
		msg = alertjson.ValueText(l[0])
	}
	return msg
}

// enhanceCalm turns Statuspage's rate-limit 420 into the 429 the retrier
// waits on.
type enhanceCalm struct{ next http.RoundTripper }

func (t enhanceCalm) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.next
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err == nil && resp.StatusCode == 420 {
		resp.StatusCode, resp.Status = http.StatusTooManyRequests, "429 Too Many Requests"
	}
	return resp, err
}
