package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/config"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/tickets"
)

// ticketsCmd is "hindsight tickets": ticket sync by hand.
type ticketsCmd struct {
	Sync    ticketsSyncCmd    `cmd:"" help:"Read every linked ticket now: closed tickets close their actions (and file the incident policy's tickets)."`
	Create  ticketsCreateCmd  `cmd:"" help:"File a ticket for a corrective action (or link an existing one with --key)."`
	Systems ticketsSystemsCmd `cmd:"" help:"List the configured ticket systems."`
}

// ticketOptions builds ticket sync from the configuration: a tracker
// whose URL and credentials are set is read; its HINDSIGHT_TICKET_*
// target (project, repository, product) lets tickets be created there.
func ticketOptions(cfg config.Config) app.TicketOptions {
	var cs []tickets.Client
	if cfg.TicketConfigured(tickets.Jira) {
		cs = append(cs, tickets.NewJira(tickets.JiraConfig{URL: cfg.JiraURL, User: cfg.JiraUser, Token: cfg.JiraToken,
			Project: cfg.TicketJiraProject, IssueType: cfg.TicketJiraIssueType}))
	}
	if cfg.TicketConfigured(tickets.Redmine) {
		cs = append(cs, tickets.NewRedmine(tickets.RedmineConfig{URL: cfg.RedmineURL, Key: cfg.RedmineKey,
			Project: cfg.TicketRedmineProject, TrackerID: cfg.TicketRedmineTrackerID}))
	}
	if cfg.TicketConfigured(tickets.Bugzilla) {
		cs = append(cs, tickets.NewBugzilla(tickets.BugzillaConfig{URL: cfg.BugzillaURL, Key: cfg.BugzillaKey,
			Product: cfg.TicketBugzillaProduct, Component: cfg.TicketBugzillaComponent, Version: cfg.TicketBugzillaVersion}))
	}
	if cfg.TicketConfigured(tickets.Mantis) {
		cs = append(cs, tickets.NewMantis(tickets.MantisConfig{URL: cfg.MantisURL, Token: cfg.MantisToken,
			Project: cfg.TicketMantisProject, Category: cfg.TicketMantisCategory}))
	}
	if cfg.TicketConfigured(tickets.GitHub) {
		cs = append(cs, tickets.NewGitHub(tickets.GitHubConfig{APIURL: cfg.GitHubAPIURL, Token: cfg.GitHubToken, Repo: cfg.TicketGitHubRepo}))
	}
	return app.TicketOptions{
		Registry:      tickets.NewRegistry(cs...),
		IncidentAfter: cfg.TicketIncidentAfter, IncidentSystem: cfg.TicketIncidentSystem,
		PublicURL: cfg.PublicURL,
	}
}

// ticketsApp opens the data dir's store and an app with ticket sync.
func (e *env) ticketsApp() (*app.App, func(), error) {
	s, err := e.openStore()
	if err != nil {
		return nil, nil, err
	}
	loc, _ := e.cfg.Location()
	return app.New(s, app.Options{Logger: e.log, Location: loc, Tickets: ticketOptions(e.cfg)}), func() { s.Close() }, nil
}

type ticketsSyncCmd struct {
	Server string `help:"Ask this running server (env HINDSIGHT_SERVER_URL; admin token) instead of the data dir." placeholder:"URL"`
	JSON   bool   `name:"json" help:"Print the report as JSON."`
}

// Run runs one round of ticket sync and prints what it did. Tickets that
// could not be read are counted and their errors kept on their actions;
// the exit status is 1 when any failed, so a cron job notices.
func (c ticketsSyncCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	var rep app.TicketSyncReport
	if server := e.serverURL(c.Server); server != "" {
		cl, err := newAPIClient(server, e.cfg.Token)
		if err != nil {
			return usageError{err}
		}
		b, err := cl.do(e.ctx, "POST", "/tickets/sync", nil, struct{}{})
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			return fmt.Errorf("POST /tickets/sync: %w", err)
		}
	} else {
		a, done, err := e.ticketsApp()
		if err != nil {
			return err
		}
		defer done()
		if len(a.TicketSystems()) == 0 {
			return usageError{errors.New("no ticket system is configured: set e.g. HINDSIGHT_JIRA_URL and HINDSIGHT_JIRA_TOKEN (see README, Ticket sync)")}
		}
		if rep, err = a.SyncTickets(e.ctx); err != nil {
			return err
		}
	}
	if c.JSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%d ticket(s) checked, %d action(s) closed, %d failed", rep.Checked, rep.Closed, rep.Failed)
		if rep.Skipped > 0 {
			fmt.Fprintf(e.stdout, ", %d skipped (tracker unreachable or rate-limiting)", rep.Skipped)
		}
		fmt.Fprintln(e.stdout)
		if rep.IncidentTickets+rep.IncidentFailed > 0 {
			fmt.Fprintf(e.stdout, "%d incident ticket(s) filed, %d failed\n", rep.IncidentTickets, rep.IncidentFailed)
		}
		for _, f := range rep.Failures {
			what := f.IncidentKey
			if f.ActionID != 0 {
				what = fmt.Sprintf("action %d (%s)", f.ActionID, f.IncidentKey)
			}
			fmt.Fprintf(e.stdout, "failed: %s %s %s: %s\n", what, f.System, f.Key, f.Error)
		}
	}
	if rep.Failed+rep.IncidentFailed+rep.Skipped > 0 {
		return errors.New("some tickets could not be read or filed (listed above; also shown on the actions in the UI and in GET /api/v1/actions/{id})")
	}
	return nil
}

type ticketsCreateCmd struct {
	Action int64  `arg:"" help:"The corrective action's id."`
	System string `required:"" help:"The tracker: jira, redmine, bugzilla, mantis or github."`
	Key    string `help:"Link this existing ticket (OPS-12, 4711, owner/repo#7) instead of filing a new one." placeholder:"KEY"`
	// ConfirmRestricted is needed to file a ticket for an action of a restricted incident.
	ConfirmRestricted bool   `name:"confirm-restricted" help:"The incident is restricted and the action's title and description may go to the tracker."`
	Server            string `help:"Ask this running server (env HINDSIGHT_SERVER_URL) instead of the data dir." placeholder:"URL"`
}

// Run files (or links) the ticket and prints its key and URL.
func (c ticketsCreateCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if c.Action <= 0 {
		return usageError{errors.New("the action id must be a positive number")}
	}
	var (
		key, url, status string
		err              error
	)
	if server := e.serverURL(c.Server); server != "" {
		key, url, status, err = c.viaServer(e, server)
	} else {
		key, url, status, err = c.viaDataDir(e)
	}
	if err != nil {
		return err
	}
	verb := "Created"
	if c.Key != "" {
		verb = "Linked"
	}
	fmt.Fprintf(e.stdout, "%s %s ticket %s for action %d: %s", verb, c.System, key, c.Action, url)
	if status != "" {
		fmt.Fprintf(e.stdout, " (%s)", status)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

func (c ticketsCreateCmd) viaDataDir(e *env) (key, url, status string, err error) {
	a, done, err := e.ticketsApp()
	if err != nil {
		return "", "", "", err
	}
	defer done()
	var act incident.CorrectiveAction
	if c.Key != "" {
		act, err = a.LinkActionTicket(e.ctx, c.Action, c.System, c.Key)
	} else {
		act, err = a.CreateActionTicket(e.ctx, c.Action, c.System, c.ConfirmRestricted)
	}
	if err != nil {
		return "", "", "", err
	}
	return act.TicketKey, act.TicketURL, act.TicketStatus, nil
}

func (c ticketsCreateCmd) viaServer(e *env, server string) (key, url, status string, err error) {
	cl, err := newAPIClient(server, e.cfg.Token)
	if err != nil {
		return "", "", "", usageError{err}
	}
	b, err := cl.do(e.ctx, "POST", "/actions/"+strconv.FormatInt(c.Action, 10)+"/ticket", nil,
		map[string]any{"system": c.System, "key": c.Key, "confirm_restricted": c.ConfirmRestricted})
	if err != nil {
		return "", "", "", err
	}
	var ans struct {
		Ticket *struct {
			Key    string `json:"key"`
			URL    string `json:"url"`
			Status string `json:"status"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(b, &ans); err != nil || ans.Ticket == nil {
		return "", "", "", fmt.Errorf("POST /actions/%d/ticket: the answer has no ticket", c.Action)
	}
	return ans.Ticket.Key, ans.Ticket.URL, ans.Ticket.Status, nil
}

type ticketsSystemsCmd struct{}

// Run lists the trackers this configuration enables.
func (ticketsSystemsCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	opts := ticketOptions(e.cfg)
	if len(opts.Registry.Names()) == 0 {
		fmt.Fprintln(e.stdout, "No ticket system is configured (set e.g. HINDSIGHT_JIRA_URL and HINDSIGHT_JIRA_TOKEN).")
		return nil
	}
	for _, n := range opts.Registry.Names() {
		target, vars := e.cfg.TicketTarget(n)
		if target == "" {
			target = "link only (set " + vars + " to create tickets)"
		}
		fmt.Fprintf(e.stdout, "%s\t%s\n", n, target)
	}
	if opts.IncidentAfter > 0 {
		fmt.Fprintf(e.stdout, "incident policy: a %s ticket for each incident not resolved after %s\n", opts.IncidentSystem, opts.IncidentAfter)
	}
	return nil
}

// startTicketSync runs ticket sync every HINDSIGHT_TICKET_SYNC_INTERVAL
// on one replica at a time; it is off without trackers. The returned stop
// ends the job and waits until its lease is given back, so another replica
// can take the job over at once instead of when the lease expires.
func startTicketSync(ctx context.Context, e *env, a *app.App) (stop func()) {
	systems := a.TicketSystems()
	if len(systems) == 0 {
		e.log.Info("Ticket sync is off: no ticket system configured")
		return func() {}
	}
	names := make([]string, len(systems))
	for i, s := range systems {
		names[i] = s.Name
	}
	e.log.Info("Ticket sync", "systems", strings.Join(names, ","), "interval", e.cfg.TicketSyncInterval.String(),
		"incident_after", e.cfg.TicketIncidentAfter.String(), "incident_system", e.cfg.TicketIncidentSystem)
	return startJob(ctx, a, "ticket-sync", e.cfg.TicketSyncInterval, a.TicketSyncTick)
}
