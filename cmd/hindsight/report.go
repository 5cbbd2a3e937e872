package main

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/hindsightrca/hindsight/internal/app"
)

// reportCmd groups the management reports.
type reportCmd struct {
	Monthly reportMonthlyCmd `cmd:"" help:"The monthly review: incidents, time-to-x against the month before, RCAs, corrective actions and what is overdue."`
}

// reportMonthlyCmd prints the monthly review of one month, from the data
// dir or from a running server.
type reportMonthlyCmd struct {
	Month  string `help:"The month as YYYY-MM (default: the previous calendar month)." placeholder:"YYYY-MM"`
	Format string `help:"markdown (tables for the review), csv (one block per section) or json." enum:"markdown,csv,json" default:"markdown"`
	Server string `help:"Ask this running server (env HINDSIGHT_SERVER_URL) instead of the data dir." placeholder:"URL"`
}

// Run writes the report to stdout. A malformed month is refused before
// anything is opened.
func (c reportMonthlyCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	month := strings.TrimSpace(c.Month)
	if month != "" {
		if _, err := app.ParseMonth("--month", month); err != nil {
			return usageError{err}
		}
	}
	server := e.serverURL(c.Server)
	if server != "" {
		return c.fromServer(e, server, month)
	}
	loc, err := e.cfg.Location()
	if err != nil {
		return usageError{err}
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	r, err := a.MonthlyReport(e.ctx, month)
	if err != nil {
		return err
	}
	switch c.Format {
	case "csv":
		_, err = e.stdout.Write(r.CSV())
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	default:
		_, err = e.stdout.Write([]byte(r.Markdown()))
	}
	return err
}

// fromServer prints GET /reports/monthly of a running server in the asked
// format, as the server wrote it (it shows what the token's user may see).
func (c reportMonthlyCmd) fromServer(e *env, server, month string) error {
	cl, err := newAPIClient(server, e.cfg.Token)
	if err != nil {
		return usageError{err}
	}
	q := url.Values{"format": {c.Format}}
	if month != "" {
		q.Set("month", month)
	}
	b, err := cl.do(e.ctx, "GET", "/reports/monthly", q, nil)
	if err != nil {
		return err
	}
	if c.Format == "json" {
		// Indented like the data dir's answer.
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err = e.stdout.Write(b)
	return err
}
