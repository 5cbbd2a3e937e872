package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// searchTarget is where the search, similar and reindex commands get their
// answers: a running server over HTTP (api set), or the data dir's index
// opened by this process (ix, app and src set).
type searchTarget struct {
	api *apiClient

	ix    *search.Index
	store *store.Store
	app   *app.App
	src   search.Source
	// bar shows a rebuild's progress on stderr; made on its first report.
	bar *countBar
}

// openSearchTarget chooses where to ask. A server named by --server or
// HINDSIGHT_SERVER_URL is asked over HTTP. Otherwise the data dir's index
// is opened here; when a running server holds it, the server that recorded
// its address in the index directory is asked instead.
func (e *env) openSearchTarget(server string) (*searchTarget, error) {
	if err := e.setup(); err != nil {
		return nil, err
	}
	if server = e.serverURL(server); server != "" {
		c, err := newAPIClient(server, e.cfg.Token)
		if err != nil {
			return nil, usageError{err}
		}
		return &searchTarget{api: c}, nil
	}
	t := &searchTarget{}
	dir := e.cfg.SearchIndexDir()
	if err := ensureDataDir(e.cfg.DataDir); err != nil {
		return nil, err
	}
	ix, err := search.Open(dir, search.Options{Logger: e.log, PollInterval: e.cfg.IndexPollInterval,
		Progress: func(done, total int) { t.progress(e, done, total) }})
	if errors.Is(err, search.ErrLocked) {
		u := runningServer(e)
		if u == "" {
			return nil, fmt.Errorf("the search index %s is held by another process that left no address in %s/%s; "+
				"ask the server with --server URL (or HINDSIGHT_SERVER_URL), or stop the other process", dir, dir, serverFile)
		}
		c, err := newAPIClient(u, e.cfg.Token)
		if err != nil {
			return nil, fmt.Errorf("the search index is held by another process and its recorded address is unusable: %w", err)
		}
		fmt.Fprintf(e.stderr, "The search index is in use; asking the running server at %s\n", c.base)
		return &searchTarget{api: c}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	t.ix = ix
	s, err := e.openStore()
	if err != nil {
		ix.Close()
		return nil, err
	}
	loc, _ := e.cfg.Location() // validated in setup
	t.store = s
	t.app = app.New(s, app.Options{Logger: e.log, Location: loc, Search: ix})
	t.src = t.app.SearchSource()
	return t, nil
}

// close releases the index and the database.
func (t *searchTarget) close() {
	if t.ix != nil {
		_ = t.ix.Close()
	}
	if t.store != nil {
		t.store.Close()
	}
}

// progress draws a rebuild's progress.
func (t *searchTarget) progress(e *env, done, total int) {
	if t.bar == nil {
		t.bar = newCountBar(e.stderr, total, time.Now)
		t.bar.verb, t.bar.noun = "index", "incidents"
	}
	t.bar.total = max(total, done)
	t.bar.update(done)
}

// endProgress finishes the bar's line, if one was drawn.
func (t *searchTarget) endProgress() {
	if t.bar != nil {
		t.bar.done()
		t.bar = nil
	}
}

// rebuild builds the index anew from the database, then applies the changes
// made meanwhile.
func (t *searchTarget) rebuild(e *env) error {
	err := t.ix.Rebuild(e.ctx, t.src)
	t.endProgress()
	if err != nil {
		return err
	}
	return t.catchUp(e)
}

// catchUp applies every change the index has not seen.
func (t *searchTarget) catchUp(e *env) error {
	for {
		n, err := t.ix.CatchUp(e.ctx, t.src)
		if err != nil {
			return fmt.Errorf("update the search index: %w", err)
		}
		if n < catchUpRound {
			return nil
		}
	}
}

// catchUpRound is how many changes one CatchUp applies at most; a full round
// means more may be waiting.
const catchUpRound = 2000

// current brings the index this process opened up to date before it
// answers: built from the database when there is none (or of an old
// mapping, or ahead of the database — another database), else caught up
// with the change feed.
func (t *searchTarget) current(e *env) error {
	st := t.ix.Status()
	need, why := !st.Ready, "there is none yet"
	if st.Ready && st.Stale {
		need, why = true, "its format changed"
	}
	if !need {
		last, err := t.src.LastSeq(e.ctx)
		if err != nil {
			return fmt.Errorf("read the change feed: %w", err)
		}
		if st.Seq > last {
			need, why = true, "it was built from another database"
		}
	}
	if need {
		fmt.Fprintf(e.stderr, "Building the search index from the database (%s)…\n", why)
		return t.rebuild(e)
	}
	return t.catchUp(e)
}

// apiClient talks to a running Hindsight server.
type apiClient struct {
	base string // scheme://host[:port][/prefix], no trailing slash
	hc   *http.Client
	// token is the API token sent as Authorization: Bearer (--token,
	// HINDSIGHT_TOKEN, HINDSIGHT_TOKEN_FILE).
	token string
}

// maxAPIResponse bounds what the CLI reads from a server.
const maxAPIResponse = 64 << 20

func newAPIClient(raw, token string) (*apiClient, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http(s)://host:port", raw)
	}
	return &apiClient{base: raw, hc: &http.Client{Timeout: time.Minute}, token: strings.TrimSpace(token)}, nil
}

// do sends one request to path (under /api/v1) and returns the body of a
// 2xx answer; any other answer becomes an error carrying the API's message.
func (c *apiClient) do(ctx context.Context, method, path string, q url.Values, body any) ([]byte, error) {
	u := c.base + "/api/v1" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the server at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if len(b) > maxAPIResponse {
		return nil, fmt.Errorf("%s %s: the answer is larger than %d bytes", method, path, maxAPIResponse)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized && c.token == "":
		return nil, fmt.Errorf("the server at %s needs an API token: pass --token or set HINDSIGHT_TOKEN "+
			"(create one with: hindsight token create --user <email> --name cli)", c.base)
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("the server at %s refused the API token (unknown, expired or revoked): %w", c.base, apiError(resp.Status, b))
	case resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("the server at %s does not allow this with that token (role or scope): %w", c.base, apiError(resp.Status, b))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, apiError(resp.Status, b)
	}
	return b, nil
}

// apiError turns an error answer into the error shown: the API's message
// and field messages when the body is the API's {"error": {…}}, else the
// status and the start of the body.
func apiError(status string, b []byte) error {
	var body struct {
		Error *struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil || body.Error == nil || body.Error.Message == "" {
		text := termLine(string(b))
		if text == "" {
			return fmt.Errorf("server answered %s", status)
		}
		return fmt.Errorf("server answered %s: %s", status, truncate(text, 200))
	}
	msg := termLine(body.Error.Message)
	if len(body.Error.Fields) > 0 {
		keys := make([]string, 0, len(body.Error.Fields))
		for k := range body.Error.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, termLine(k)+" "+termLine(body.Error.Fields[k]))
		}
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	if body.Error.Code != "" {
		msg += " [" + termLine(body.Error.Code) + "]"
	}
	return errors.New(msg)
}
