package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/search"
)

// searchCmd searches past incidents.
type searchCmd struct {
	Query    []string `arg:"" optional:"" help:"What to look for: words, \"phrases\", -excluded, OR, service:s3, tag:…, after:2024-01-01 … (a query may start with an exclusion: search -aws config)."`
	Service  []string `help:"Only incidents of this service (repeatable)." placeholder:"SERVICE"`
	Severity []string `help:"Only this severity, e.g. SEV1 (repeatable)." placeholder:"SEV"`
	Status   []string `help:"Only this status (repeatable)." placeholder:"STATUS"`
	Tag      []string `help:"Only incidents with this tag (repeatable)." placeholder:"TAG"`
	Team     []string `help:"Only incidents of this team (repeatable)." placeholder:"TEAM"`
	Category []string `help:"Only incidents with a root cause of this category (repeatable)." placeholder:"CATEGORY"`
	After    string   `help:"Only incidents from this day on." placeholder:"YYYY-MM-DD"`
	Before   string   `help:"Only incidents before this day." placeholder:"YYYY-MM-DD"`
	Sort     string   `help:"relevance (default with words), newest (default without) or oldest." placeholder:"ORDER"`
	Limit    int      `help:"Incidents per page (default 10, at most 100)." placeholder:"N"`
	Cursor   string   `help:"Continue a list (the value printed after \"more:\")." placeholder:"CURSOR"`
	JSON     bool     `name:"json" help:"Print the API's JSON answer."`
	Server   string   `help:"Ask this running server (env HINDSIGHT_SERVER_URL) instead of the data dir's index." placeholder:"URL"`
}

// request is the search the flags describe.
func (c searchCmd) request() (search.Request, error) {
	req := search.Request{Q: strings.TrimSpace(strings.Join(c.Query, " ")), Sort: c.Sort, Limit: c.Limit, Cursor: c.Cursor,
		Filters: search.Filters{Services: c.Service, Severities: c.Severity, Statuses: c.Status, Tags: c.Tag,
			Teams: c.Team, Categories: c.Category}}
	switch c.Sort {
	case "", search.SortRelevance, search.SortNewest, search.SortOldest:
	default:
		return req, usageError{fmt.Errorf("--sort %q: want relevance, newest or oldest", c.Sort)}
	}
	if c.Limit < 0 || c.Limit > search.MaxLimit {
		return req, usageError{fmt.Errorf("--limit %d: want 1 to %d", c.Limit, search.MaxLimit)}
	}
	for _, d := range []struct {
		flag, value string
		dst         **time.Time
	}{{"--after", c.After, &req.Filters.After}, {"--before", c.Before, &req.Filters.Before}} {
		if d.value == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.value)
		if err != nil {
			return req, usageError{fmt.Errorf("%s %q: want a date as YYYY-MM-DD", d.flag, d.value)}
		}
		*d.dst = &t
	}
	return req, nil
}

// searchParams is req as the query string of GET /api/v1/search.
func searchParams(req search.Request) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", req.Q)
	set("sort", req.Sort)
	set("cursor", req.Cursor)
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	f := req.Filters
	for k, vs := range map[string][]string{"service": f.Services, "severity": f.Severities, "status": f.Statuses,
		"tag": f.Tags, "team": f.Teams, "category": f.Categories} {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	if f.After != nil {
		q.Set("after", f.After.Format(time.DateOnly))
	}
	if f.Before != nil {
		q.Set("before", f.Before.Format(time.DateOnly))
	}
	return q
}

// Run searches, through the server or the data dir's index.
func (c searchCmd) Run(e *env) error {
	req, err := c.request()
	if err != nil {
		return err
	}
	t, err := e.openSearchTarget(c.Server)
	if err != nil {
		return err
	}
	defer t.close()
	var body []byte
	if t.api != nil {
		if body, err = t.api.do(e.ctx, "GET", "/search", searchParams(req), nil); err != nil {
			return err
		}
	} else {
		if err := t.current(e); err != nil {
			return err
		}
		res, err := t.app.Search(e.ctx, req)
		if err != nil {
			return err
		}
		// Empty lists as the API writes them, so --json reads the same.
		if res.Items == nil {
			res.Items = []search.Hit{}
		}
		if res.Facets == nil {
			res.Facets = map[string][]search.Count{}
		}
		if body, err = json.Marshal(res); err != nil {
			return err
		}
	}
	if c.JSON {
		return printJSON(e.stdout, body)
	}
	var res search.Result
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("read the search answer: %w", err)
	}
	return renderResult(e.stdout, res, isTerminal(e.stdout))
}

// similarCmd lists the past incidents most like one incident or a text.
type similarCmd struct {
	Ref    string `arg:"" optional:"" name:"incident" help:"Incident key or id (INC-42 or 42)."`
	Text   string `help:"Text to match instead of an incident, e.g. a pasted alert; - reads it from standard input." placeholder:"TEXT"`
	Limit  int    `default:"5" help:"How many incidents."`
	JSON   bool   `name:"json" help:"Print the API's JSON answer."`
	Server string `help:"Ask this running server (env HINDSIGHT_SERVER_URL) instead of the data dir's index." placeholder:"URL"`
}

// maxSimilarText is the most text similar --text takes (the API's limit).
const maxSimilarText = 100_000

// Run finds similar incidents, through the server or the data dir's index.
func (c similarCmd) Run(e *env) error {
	text := c.Text
	switch {
	case c.Ref == "" && text == "":
		return usageError{errors.New("name an incident (hindsight similar INC-42) or give --text (--text - reads standard input)")}
	case c.Ref != "" && text != "":
		return usageError{errors.New("give an incident or --text, not both")}
	case c.Limit < 1 || c.Limit > search.MaxSimilar:
		return usageError{fmt.Errorf("--limit %d: want 1 to %d", c.Limit, search.MaxSimilar)}
	}
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, maxSimilarText+1))
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		text = string(b)
	}
	if c.Ref == "" && strings.TrimSpace(text) == "" {
		return usageError{errors.New("--text: the text is empty")}
	}
	if len(text) > maxSimilarText {
		return usageError{fmt.Errorf("--text: at most %d bytes", maxSimilarText)}
	}
	t, err := e.openSearchTarget(c.Server)
	if err != nil {
		return err
	}
	defer t.close()
	var body []byte
	if t.api != nil {
		if c.Ref != "" {
			q := url.Values{"limit": {strconv.Itoa(c.Limit)}}
			body, err = t.api.do(e.ctx, "GET", "/incidents/"+url.PathEscape(c.Ref)+"/similar", q, nil)
		} else {
			body, err = t.api.do(e.ctx, "POST", "/similar", nil, map[string]any{"text": text, "limit": c.Limit})
		}
		if err != nil {
			return err
		}
	} else {
		if err := t.current(e); err != nil {
			return err
		}
		var sims []app.SimilarIncident
		if c.Ref != "" {
			sims, err = t.app.Similar(e.ctx, c.Ref, c.Limit)
		} else {
			sims, err = t.app.SimilarText(e.ctx, text, c.Limit)
		}
		if err != nil {
			return err
		}
		if sims == nil {
			sims = []app.SimilarIncident{}
		}
		for i := range sims {
			if sims[i].Reasons == nil {
				sims[i].Reasons = []search.Reason{}
			}
		}
		if body, err = json.Marshal(struct {
			Items []app.SimilarIncident `json:"items"`
		}{sims}); err != nil {
			return err
		}
	}
	if c.JSON {
		return printJSON(e.stdout, body)
	}
	var res struct {
		Items []app.SimilarIncident `json:"items"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("read the similar-incidents answer: %w", err)
	}
	return renderSimilar(e.stdout, res.Items)
}

// reindexCmd rebuilds the search index from the database.
type reindexCmd struct {
	Server string `help:"Ask this running server (env HINDSIGHT_SERVER_URL) to rebuild its index." placeholder:"URL"`
	Wait   bool   `help:"With a server: wait until its rebuild is done, showing progress."`
}

// Run rebuilds through the running server, or here when no server holds
// the index.
func (c reindexCmd) Run(e *env) error {
	t, err := e.openSearchTarget(c.Server)
	if err != nil {
		return err
	}
	defer t.close()
	if t.api != nil {
		return c.viaServer(e, t.api)
	}
	start := time.Now()
	fmt.Fprintf(e.stderr, "Rebuilding the search index %s from %s…\n", e.cfg.SearchIndexDir(), e.databaseName())
	if err := t.rebuild(e); err != nil {
		return err
	}
	el := time.Since(start)
	n := t.ix.Status().Documents
	fmt.Fprintf(e.stdout, "Indexed %d incident(s) in %s (%.0f/s).\n", n, el.Round(time.Millisecond), float64(n)/max(el.Seconds(), 1e-3))
	return nil
}

// reindexPoll is how often reindex --wait asks the server how far it is.
const reindexPoll = 200 * time.Millisecond

// viaServer asks the server to rebuild and, with --wait, follows it.
func (c reindexCmd) viaServer(e *env, api *apiClient) error {
	status := func() (search.Status, error) {
		var st search.Status
		b, err := api.do(e.ctx, "GET", "/search/status", nil, nil)
		if err == nil {
			if err = json.Unmarshal(b, &st); err != nil {
				err = fmt.Errorf("read the index status: %w", err)
			}
		}
		return st, err
	}
	var before search.Status
	if c.Wait {
		var err error
		if before, err = status(); err != nil {
			return err
		}
	}
	if _, err := api.do(e.ctx, "POST", "/search/reindex", nil, nil); err != nil {
		return err
	}
	if !c.Wait {
		fmt.Fprintf(e.stdout, "The server at %s is rebuilding its search index; the current one answers until the new one is ready.\n", api.base)
		return nil
	}
	// Done when a rebuild finished after we asked (the server counts them);
	// one already running when we asked finishes first, then ours.
	asked := time.Now()
	var bar *countBar
	for {
		st, err := status()
		if err != nil {
			return err
		}
		switch {
		case st.Building:
			if st.BuildTotal > 0 {
				if bar == nil {
					bar = newCountBar(e.stderr, int(st.BuildTotal), time.Now)
					bar.verb, bar.noun = "index", "incidents"
				}
				bar.total = int(max(st.BuildTotal, st.BuildDone))
				bar.update(int(st.BuildDone))
			}
		case st.Rebuilds >= before.Rebuilds+1 && !st.Pending:
			if bar != nil {
				bar.done()
			}
			fmt.Fprintf(e.stdout, "The server at %s rebuilt its search index: %d incident(s) in about %s.\n",
				api.base, st.Documents, time.Since(asked).Round(100*time.Millisecond))
			return nil
		case st.RebuildError != "" && st.RebuildError != before.RebuildError:
			if bar != nil {
				bar.done()
			}
			return fmt.Errorf("the server could not rebuild its search index (it will try again): %s", st.RebuildError)
		}
		select {
		case <-e.ctx.Done():
			return e.ctx.Err()
		case <-time.After(reindexPoll):
		}
	}
}

// printJSON writes an API answer indented, as it came.
func printJSON(w io.Writer, body []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		return fmt.Errorf("the answer is not JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// searchValueFlags and searchBoolFlags are the flags of `hindsight search`
// (and the global ones), for searchArgs.
var (
	searchValueFlags = map[string]bool{"--service": true, "--severity": true, "--status": true, "--tag": true,
		"--team": true, "--category": true, "--after": true, "--before": true, "--sort": true, "--limit": true,
		"--cursor": true, "--server": true, "--data-dir": true, "--token": true}
	searchBoolFlags = map[string]bool{"--json": true, "--help": true, "-h": true}
)

// searchArgs lets a query start with an exclusion: in `hindsight search
// -aws config` the "-aws" is the query's, not a flag. The known flags are
// kept in front and everything else goes after "--", so kong reads it as
// the query. Arguments that already hold "--" are left as they are.
func searchArgs(args []string) []string {
	at := -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--data-dir" || a == "--token" {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		if a == "search" {
			at = i
		}
		break
	}
	if at < 0 || slices.Contains(args[at+1:], "--") {
		return args
	}
	out := append([]string(nil), args[:at+1]...)
	var query []string
	rest := args[at+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		name, _, hasValue := strings.Cut(a, "=")
		switch {
		case searchBoolFlags[a]:
			out = append(out, a)
		case searchValueFlags[name] && hasValue:
			out = append(out, a)
		case searchValueFlags[a] && i+1 < len(rest):
			out = append(out, a, rest[i+1])
			i++
		default:
			query = append(query, a)
		}
	}
	if len(query) == 0 {
		return out
	}
	return append(append(out, "--"), query...)
}
