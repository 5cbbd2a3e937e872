package zabbix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/internal/apiclient"
)

// Client pulls problems and their updates from the Zabbix JSON-RPC API
// (POST <frontend>/api_jsonrpc.php) with an API token.
//
// Zabbix 6.4 and later take the token as "Authorization: Bearer <token>";
// 5.4 to 6.2 only read it from the request's "auth" field, which 7.2
// refuses. The client sends the header and, when the server answers that
// the call is not authorised, sends the call again once with the "auth"
// field and keeps doing so (AuthMode "" — the default); AuthMode "header"
// or "body" fixes one way.
type Client struct {
	// BaseURL is the Zabbix frontend, e.g. https://zabbix.example.com or
	// https://example.com/zabbix (or the api_jsonrpc.php address itself).
	BaseURL string
	// Token is the API token; it is never put in errors.
	Token string
	// AuthMode is "", "header" or "body" (see the type's doc).
	AuthMode string
	// HTTP is the client to use; http.DefaultClient when nil.
	HTTP *http.Client
	// PageSize is how many events one call asks for (default 500).
	PageSize int
	// MaxRetries is how often one call is retried after a 429 (default 5).
	MaxRetries int
	// MaxWait is the longest rate-limit wait accepted (default 2 minutes).
	MaxWait time.Duration

	authInBody bool
	nextID     int
	// wait sleeps for d or until ctx is done; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client for the Zabbix frontend at baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// eventParams are what every event.get call of a pull selects.
func eventParams() map[string]any {
	return map[string]any{
		"output":             "extend",
		"source":             0,
		"object":             0,
		"selectAcknowledges": "extend",
		"selectTags":         "extend",
		"selectHosts":        []string{"hostid", "host", "name"},
	}
}

// Pull reads problems and hands their events to sink: the problem events
// ids names (with event.get eventids), or without ids every trigger
// problem that was open at some time in [from, to] (event.get value 1 with
// problem_time_from/problem_time_till; a nil end is open). Zabbix has no
// cursor: pages are asked for in event id order, each starting after the
// last id of the one before (eventid_from), which stays correct while new
// problems arrive. The recovery events of the problems that ended are then
// read by id, so each problem gives its trigger, its resolve and one event
// per update (acknowledge, message, severity change, close, suppress).
func (c *Client) Pull(ctx context.Context, ids []string, from, to *time.Time, sink importers.Sink) error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return errors.New("zabbix: base URL is required")
	}
	var events []alertjson.Object
	if len(ids) > 0 {
		for start := 0; start < len(ids); start += c.pageSize() {
			chunk := ids[start:min(start+c.pageSize(), len(ids))]
			params := eventParams()
			params["eventids"] = chunk
			page, err := c.events(ctx, params)
			if err != nil {
				return err
			}
			events = append(events, page...)
		}
	} else {
		till := time.Now()
		if to != nil {
			till = *to
		}
		var since int64
		if from != nil {
			since = from.Unix()
		}
		cursor := ""
		for {
			params := eventParams()
			params["value"] = 1
			params["problem_time_from"] = since
			params["problem_time_till"] = till.Unix()
			params["sortfield"] = []string{"eventid"}
			params["sortorder"] = "ASC"
			params["limit"] = c.pageSize()
			if cursor != "" {
				params["eventid_from"] = cursor
			}
			page, err := c.events(ctx, params)
			if err != nil {
				return err
			}
			events = append(events, page...)
			if len(page) < c.pageSize() {
				break
			}
			last, err := strconv.ParseUint(page[len(page)-1].Str("eventid"), 10, 64)
			if err != nil {
				return fmt.Errorf("zabbix: event.get: event id %q is not a number; cannot page on", page[len(page)-1].Str("eventid"))
			}
			cursor = strconv.FormatUint(last+1, 10)
		}
	}
	recs, err := c.recoveries(ctx, events)
	if err != nil {
		return err
	}
	var b apiBatch
	seen := map[string]bool{}
	for _, list := range [][]alertjson.Object{events, recs} {
		for _, e := range list {
			if id := e.Str("eventid"); !seen[id] {
				seen[id] = true
				b.add(e, 0, "event "+id)
			}
		}
	}
	p := &parser{file: "zabbix " + c.endpoint(), loc: time.UTC, baseURL: c.BaseURL, sink: sink}
	return p.api(ctx, b)
}

// recoveries reads the OK events that ended the problems among events.
func (c *Client) recoveries(ctx context.Context, events []alertjson.Object) ([]alertjson.Object, error) {
	have := map[string]bool{}
	for _, e := range events {
		have[e.Str("eventid")] = true
	}
	var want []string
	for _, e := range events {
		if r := e.Str("r_eventid"); r != "" && r != "0" && !have[r] {
			have[r] = true
			want = append(want, r)
		}
	}
	var out []alertjson.Object
	for start := 0; start < len(want); start += c.pageSize() {
		params := map[string]any{
			"output":   []string{"eventid", "clock", "ns", "value", "objectid"},
			"source":   0,
			"object":   0,
			"eventids": want[start:min(start+c.pageSize(), len(want))],
		}
		page, err := c.events(ctx, params)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
	}
	return out, nil
}

// events calls event.get.
func (c *Client) events(ctx context.Context, params map[string]any) ([]alertjson.Object, error) {
	var raw []map[string]any
	if err := c.call(ctx, "event.get", params, &raw); err != nil {
		return nil, err
	}
	out := make([]alertjson.Object, len(raw))
	for i, r := range raw {
		out[i] = alertjson.Object(r)
	}
	return out, nil
}

func (c *Client) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	return 500
}

// endpoint is the api_jsonrpc.php address.
func (c *Client) endpoint() string {
	u := strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	if strings.HasSuffix(u, ".php") {
		return u
	}
	return u + "/api_jsonrpc.php"
}

// rpcAnswer is a JSON-RPC answer.
type rpcAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// call sends one JSON-RPC request, retrying after 429 answers and once
// with the token in the body when the header was not understood, and
// decodes the result into out.
func (c *Client) call(ctx context.Context, method string, params any, out any) error {
	mode := strings.ToLower(strings.TrimSpace(c.AuthMode))
	switch mode {
	case "", "header", "body":
	default:
		return fmt.Errorf("zabbix: auth mode %q: want header or body", c.AuthMode)
	}
	inBody := mode == "body" || (mode == "" && c.authInBody)
	ans, err := c.send(ctx, method, params, inBody)
	if err != nil {
		return err
	}
	if ans.Error != nil && mode == "" && !inBody && authError(ans.Error.Message+" "+ans.Error.Data) {
		// Zabbix before 6.4 ignores the Authorization header.
		retry, err := c.send(ctx, method, params, true)
		if err != nil {
			return err
		}
		if retry.Error == nil {
			c.authInBody = true
		}
		ans = retry
	}
	if ans.Error != nil {
		e := &RPCError{Code: ans.Error.Code, Message: ans.Error.Message, Data: ans.Error.Data}
		return fmt.Errorf("zabbix: %s: %w", method, e)
	}
	if len(ans.Result) == 0 {
		return fmt.Errorf("zabbix: %s: the answer has neither result nor error", method)
	}
	if err := json.Unmarshal(ans.Result, out); err != nil {
		return fmt.Errorf("zabbix: %s: decode result: %w", method, err)
	}
	return nil
}

// authError reports whether an error answer says the call was not
// authorised.
func authError(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "not authori") || strings.Contains(s, "session terminated") || strings.Contains(s, "re-login") ||
		strings.Contains(s, "not authenticated") || strings.Contains(s, "authorization")
}

func (c *Client) send(ctx context.Context, method string, params any, inBody bool) (rpcAnswer, error) {
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = 2 * time.Minute
	}
	c.nextID++
	req := map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": c.nextID}
	if inBody {
		req["auth"] = c.Token
	}
	body, err := json.Marshal(req)
	if err != nil {
		return rpcAnswer{}, fmt.Errorf("zabbix: %s: %w", method, err)
	}
	name := "zabbix: " + method
	r := apiclient.Retrier{HTTP: c.HTTP, MaxRetries: c.MaxRetries, MaxWait: maxWait, Sleep: c.wait}
	resp, err := r.Do(ctx, name, func() (*http.Request, error) {
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		hr.Header.Set("Content-Type", "application/json-rpc")
		hr.Header.Set("Accept", "application/json")
		if !inBody {
			hr.Header.Set("Authorization", "Bearer "+c.Token)
		}
		return hr, nil
	}, c.Token)
	if err != nil {
		return rpcAnswer{}, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, apiclient.MaxAnswer))
	resp.Body.Close()
	if err != nil {
		return rpcAnswer{}, fmt.Errorf("%s: read answer: %w", name, err)
	}
	var ans rpcAnswer
	jsonErr := json.Unmarshal(data, &ans)
	if resp.StatusCode/100 != 2 {
		msg := http.StatusText(resp.StatusCode)
		if jsonErr == nil && ans.Error != nil {
			msg = (&RPCError{Code: ans.Error.Code, Message: ans.Error.Message, Data: ans.Error.Data}).Error()
		} else if t := apiclient.Snippet(string(data), 200); t != "" {
			msg += ": " + t
		}
		return rpcAnswer{}, fmt.Errorf("%s: HTTP %d %s", name, resp.StatusCode, apiclient.Redact(msg, c.Token))
	}
	if jsonErr != nil {
		return rpcAnswer{}, fmt.Errorf("%s: the answer is not JSON-RPC (is %s the Zabbix frontend?): %v", name, c.endpoint(), jsonErr)
	}
	return ans, nil
}
