package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// actionsCmd lists the open corrective actions, by default those of every
// incident; --overdue keeps the ones past their due date.
type actionsCmd struct {
	Overdue bool   `help:"Only actions still open after their due date."`
	Owner   string `help:"Only actions of this owner (case-insensitive)." placeholder:"OWNER"`
	Team    string `help:"Only actions of this team (case-insensitive)." placeholder:"TEAM"`
	JSON    bool   `name:"json" help:"Print JSON instead of a table."`
	Server  string `help:"Ask this running server (env HINDSIGHT_SERVER_URL) instead of the data dir." placeholder:"URL"`
}

// actionRow is one line of the list.
type actionRow struct {
	IncidentKey string         `json:"incident_key"`
	Title       string         `json:"title"`
	Owner       string         `json:"owner"`
	Team        string         `json:"team"`
	Status      string         `json:"status"`
	DueDate     *incident.Date `json:"due_date"`
	DaysOverdue int            `json:"days_overdue"`
}

// Run lists the actions, from the server when one is named, else from the
// data dir (which sees every incident).
func (c actionsCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	loc, err := e.cfg.Location()
	if err != nil {
		return usageError{err}
	}
	f := incident.ActionFilter{
		Statuses: []incident.ActionStatus{incident.ActionOpen, incident.ActionInProgress},
		Owner:    c.Owner, Team: c.Team, Overdue: c.Overdue, Limit: incident.MaxLimit,
	}
	server := e.serverURL(c.Server)
	var rows []actionRow
	if server != "" {
		rows, err = c.fromServer(e, server, f, loc)
	} else {
		rows, err = c.fromDataDir(e, f, loc)
	}
	if err != nil {
		return err
	}
	if c.JSON {
		if rows == nil {
			rows = []actionRow{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "INCIDENT\tTITLE\tOWNER\tTEAM\tDUE\tDAYS OVERDUE")
	for _, r := range rows {
		due, late := "-", ""
		if r.DueDate != nil {
			due = r.DueDate.String()
		}
		if r.DaysOverdue > 0 {
			late = strconv.Itoa(r.DaysOverdue)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.IncidentKey, r.Title, r.Owner, r.Team, due, late)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d action(s)\n", len(rows))
	return nil
}

// fromDataDir pages through the data dir's actions.
func (c actionsCmd) fromDataDir(e *env, f incident.ActionFilter, loc *time.Location) ([]actionRow, error) {
	s, err := e.openStore()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	today := a.Today()
	var out []actionRow
	for {
		p, err := a.Actions(e.ctx, f)
		if err != nil {
			return nil, err
		}
		for _, act := range p.Items {
			out = append(out, toActionRow(act, act.Overdue(today), today))
		}
		if p.NextCursor == "" {
			return out, nil
		}
		if f.Cursor, err = incident.DecodeCursor(p.NextCursor); err != nil {
			return nil, err
		}
	}
}

// toActionRow is a line of the list; days overdue counts from the due date
// to today, at least 1 for an action judged overdue (a server may be a day
// ahead of this machine).
func toActionRow(a incident.CorrectiveAction, overdue bool, today incident.Date) actionRow {
	r := actionRow{IncidentKey: a.IncidentKey, Title: a.Title, Owner: a.Owner, Team: a.Team,
		Status: string(a.Status), DueDate: a.DueDate}
	if overdue && a.DueDate != nil {
		r.DaysOverdue = max(1, incident.DaysBetween(*a.DueDate, today))
	}
	return r
}

// fromServer pages through GET /actions of a running server, which shows
// what the token's user may see and judges "overdue" in its own time zone.
func (c actionsCmd) fromServer(e *env, server string, f incident.ActionFilter, loc *time.Location) ([]actionRow, error) {
	cl, err := newAPIClient(server, e.cfg.Token)
	if err != nil {
		return nil, usageError{err}
	}
	q := url.Values{"status": {"open,in_progress"}, "limit": {strconv.Itoa(f.Limit)}}
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.Owner != "" {
		q.Set("owner", f.Owner)
	}
	if f.Team != "" {
		q.Set("team", f.Team)
	}
	today := incident.DateOf(time.Now().In(loc))
	var out []actionRow
	for {
		b, err := cl.do(e.ctx, "GET", "/actions", q, nil)
		if err != nil {
			return nil, err
		}
		var page struct {
			Items []struct {
				IncidentKey string         `json:"incident_key"`
				Title       string         `json:"title"`
				Owner       string         `json:"owner"`
				Team        string         `json:"team"`
				Status      string         `json:"status"`
				DueDate     *incident.Date `json:"due_date"`
				Overdue     bool           `json:"overdue"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, fmt.Errorf("GET /actions: %w", err)
		}
		for _, it := range page.Items {
			a := incident.CorrectiveAction{IncidentKey: it.IncidentKey, Title: it.Title, Owner: it.Owner, Team: it.Team,
				Status: incident.ActionStatus(it.Status), DueDate: it.DueDate}
			out = append(out, toActionRow(a, it.Overdue, today))
		}
		if page.NextCursor == "" {
			return out, nil
		}
		q.Set("cursor", page.NextCursor)
	}
}
