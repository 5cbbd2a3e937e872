package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/mattermost"
	"github.com/hindsightrca/hindsight/importers/slack"
	"github.com/hindsightrca/hindsight/internal/app"
)

// pullCmd pulls chat history from a tool's API into an incident's
// timeline, through the same pipeline as "hindsight import".
type pullCmd struct {
	Slack      pullSlackCmd      `cmd:"" help:"Pull Slack channels through the Web API (token: HINDSIGHT_SLACK_TOKEN or HINDSIGHT_SLACK_TOKEN_FILE)."`
	Mattermost pullMattermostCmd `cmd:"" help:"Pull Mattermost channels through the REST API (HINDSIGHT_MATTERMOST_URL and HINDSIGHT_MATTERMOST_TOKEN or _FILE)."`
	PagerDuty  pullPagerDutyCmd  `cmd:"" name:"pagerduty" help:"Pull PagerDuty incident log entries through the REST API, by --id or window (HINDSIGHT_PAGERDUTY_TOKEN or _FILE; HINDSIGHT_PAGERDUTY_API_URL)."`
	OpsGenie   pullOpsGenieCmd   `cmd:"" name:"opsgenie" help:"Pull OpsGenie alerts and their logs through the Alert API, by --id or window (HINDSIGHT_OPSGENIE_TOKEN or _FILE; HINDSIGHT_OPSGENIE_API_URL)."`
	Zabbix     pullZabbixCmd     `cmd:"" help:"Pull Zabbix problems, recoveries and updates through the JSON-RPC API (HINDSIGHT_ZABBIX_URL and HINDSIGHT_ZABBIX_TOKEN or _FILE)."`
	VictorOps  pullVictorOpsCmd  `cmd:"" name:"victorops" help:"Pull Splunk On-Call (VictorOps) incident history through the reporting API, by --id (incident number) or window (HINDSIGHT_VICTOROPS_API_ID, HINDSIGHT_VICTOROPS_API_KEY or _FILE; HINDSIGHT_VICTOROPS_API_URL)."`
	Jira       pullJiraCmd       `cmd:"" help:"Pull Jira issues with comments, changelog and worklogs through the REST API, by --id (issue key) or --jql (HINDSIGHT_JIRA_URL, HINDSIGHT_JIRA_TOKEN or _FILE; HINDSIGHT_JIRA_USER for Cloud)."`
	GitHub     pullGitHubCmd     `cmd:"" name:"github" help:"Pull GitHub issues with their comments and events through the REST API, by --id owner/repo#12 (HINDSIGHT_GITHUB_TOKEN or _FILE, optional for public repositories; HINDSIGHT_GITHUB_API_URL)."`
	Statuspage pullStatuspageCmd `cmd:"" name:"statuspage" help:"Pull Atlassian Statuspage incidents and their updates, by --id PAGE_ID/INCIDENT_ID with HINDSIGHT_STATUSPAGE_TOKEN (or _FILE), or from a public page set as HINDSIGHT_STATUSPAGE_API_URL without a token."`
	Mantis     pullMantisCmd     `cmd:"" name:"mantis" help:"Pull MantisBT issues with their notes and history through the REST API, by --id 42 (HINDSIGHT_MANTIS_URL and HINDSIGHT_MANTIS_TOKEN or _FILE)."`
	Redmine    pullRedmineCmd    `cmd:"" help:"Pull Redmine issues with their journals through the REST API, by --id (HINDSIGHT_REDMINE_URL and HINDSIGHT_REDMINE_KEY or _FILE)."`
	Bugzilla   pullBugzillaCmd   `cmd:"" help:"Pull Bugzilla bugs with their comments and history through the REST API, by --id (HINDSIGHT_BUGZILLA_URL and HINDSIGHT_BUGZILLA_KEY or _FILE)."`
}

// pullFlags are the flags every pull takes.
type pullFlags struct {
	Incident    string   `required:"" help:"Incident key or id (INC-7)." placeholder:"INC-7"`
	Channel     []string `required:"" help:"Channel id to pull (repeatable)." placeholder:"ID"`
	From        string   `help:"Pull messages at or after this time (RFC 3339 or 2006-01-02 15:04, UTC). Default: incident start - 1h." placeholder:"TIME"`
	To          string   `help:"Pull messages at or before this time. Default: incident resolution + 1h." placeholder:"TIME"`
	DryRun      bool     `name:"dry-run" help:"Pull and count, show the first events, write nothing."`
	SkipInvalid bool     `name:"skip-invalid" help:"Store the readable messages when some cannot be read."`
	Threads     bool     `help:"Keep whole threads that have any message in the window."`
}

// options turns the flags into import options, naming the bad flag.
func (f pullFlags) options() (app.ImportOptions, error) {
	var opts app.ImportOptions
	for _, fl := range []struct {
		name, value string
		dst         **time.Time
	}{{"--from", f.From, &opts.From}, {"--to", f.To, &opts.To}} {
		if fl.value == "" {
			continue
		}
		t, err := importers.ParseTime(fl.value, time.UTC)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", fl.name, err)
		}
		*fl.dst = &t
	}
	for _, ch := range f.Channel {
		if strings.TrimSpace(ch) == "" {
			return opts, errors.New("--channel: must not be empty")
		}
	}
	opts.DryRun, opts.SkipInvalid, opts.ThreadsTouchingWindow = f.DryRun, f.SkipInvalid, f.Threads
	return opts, nil
}

// channelPull pulls one channel in [from, to] (zero times are open).
type channelPull func(ctx context.Context, channel string, from, to time.Time, sink importers.Sink) error

// pull runs one pull of every channel as one import batch and prints the
// summary. Tokens stay inside the clients: nothing here prints them.
func (f pullFlags) pull(e *env, source string, pullChannel channelPull) error {
	opts, err := f.options()
	if err != nil {
		return usageError{err}
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	bar := newProgress(e.stderr, time.Now)
	opts.Progress = bar.update
	pull := func(ctx context.Context, from, to *time.Time, sink importers.Sink) error {
		for i, ch := range f.Channel {
			fmt.Fprintf(e.stderr, "pull: reading %s channel %s (%d of %d), %s\n", source, ch, i+1, len(f.Channel), windowText(from, to))
			if err := pullChannel(ctx, ch, value(from), value(to), sink); err != nil {
				return err
			}
		}
		return nil
	}
	rep, err := a.PullTimeline(e.ctx, f.Incident, source, f.Channel, pull, opts)
	bar.done()
	if err != nil {
		return importFailure(e.stderr, err)
	}
	printReport(e.stdout, "Pulled", rep.Batch.FileName, f.Incident, rep)
	return nil
}

// windowText describes a pull's window for progress lines.
func windowText(from, to *time.Time) string {
	end := func(t *time.Time, open string) string {
		if t == nil {
			return open
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "from " + end(from, "the beginning") + " to " + end(to, "now")
}

func value(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// pullSlackCmd is "hindsight pull slack".
type pullSlackCmd struct {
	pullFlags `embed:""`
	Cursor    string `help:"Resume a stopped pull of one channel at this history cursor (printed when a pull stops)." placeholder:"CURSOR"`
}

// Run pulls the channels from Slack's Web API.
func (c pullSlackCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.SlackToken == "" {
		return usageError{errors.New("pulling from Slack needs a token: set HINDSIGHT_SLACK_TOKEN or HINDSIGHT_SLACK_TOKEN_FILE")}
	}
	if c.Cursor != "" && len(c.Channel) != 1 {
		return usageError{errors.New("--cursor: resumes one channel; give exactly one --channel")}
	}
	client := slack.NewClient(e.cfg.SlackToken)
	client.BaseURL = e.cfg.SlackAPIURL
	var from, to time.Time // the window pulled, for the resume hint
	err := c.pull(e, "slack", func(ctx context.Context, ch string, f, t time.Time, sink importers.Sink) error {
		from, to = f, t
		return client.PullFrom(ctx, ch, f, t, c.Cursor, sink)
	})
	var pe *slack.PullError
	if errors.As(err, &pe) {
		printResume(e.stderr, c, pe, from, to)
	}
	return err
}

// printResume tells how to go on after a Slack pull stopped part way.
// Nothing was stored (one transaction), so the resumed pull reads the rest
// of the history from the cursor, and a second pull from the oldest
// message handled reads the newer part again.
func printResume(w io.Writer, c pullSlackCmd, pe *slack.PullError, from, to time.Time) {
	fmt.Fprintf(w, "The pull of %s stopped; nothing was written.\n", pe.Channel)
	if pe.Cursor == "" {
		fmt.Fprintln(w, "It stopped on the first page: run the same command again.")
		return
	}
	flag := func(name string, t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return " --" + name + " " + t.UTC().Format(time.RFC3339Nano)
	}
	cmd := "hindsight pull slack --incident " + c.Incident + " --channel " + pe.Channel
	fmt.Fprintf(w, "Resume the older messages with:\n  %s --cursor %s%s%s\n", cmd, pe.Cursor, flag("from", from), flag("to", to))
	if last, err := importers.ParseTime(pe.LastTS, time.UTC); err == nil {
		fmt.Fprintf(w, "then the newer ones with:\n  %s%s%s\n", cmd, flag("from", last), flag("to", to))
	}
	if len(c.Channel) > 1 {
		fmt.Fprintln(w, "and pull the other channels again without --cursor.")
	}
}

// pullMattermostCmd is "hindsight pull mattermost".
type pullMattermostCmd struct {
	pullFlags `embed:""`
}

// Run pulls the channels from the Mattermost server.
func (c pullMattermostCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.MattermostURL == "" || e.cfg.MattermostToken == "" {
		return usageError{errors.New("pulling from Mattermost needs HINDSIGHT_MATTERMOST_URL and a token: HINDSIGHT_MATTERMOST_TOKEN or HINDSIGHT_MATTERMOST_TOKEN_FILE")}
	}
	client := mattermost.NewClient(e.cfg.MattermostURL, e.cfg.MattermostToken)
	return c.pull(e, "mattermost", client.Pull)
}
