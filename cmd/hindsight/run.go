package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/alecthomas/kong"
	"github.com/hindsightrca/hindsight/internal/config"
)

// cli is the command line. Flags override the HINDSIGHT_* environment.
type cli struct {
	DataDir  string `name:"data-dir" help:"Directory for the embedded database and the search index (env HINDSIGHT_DATA_DIR; default ./hindsight-data)." placeholder:"DIR"`
	APIToken string `name:"token" help:"API token sent to a running server. Prefer env HINDSIGHT_TOKEN_FILE (or HINDSIGHT_TOKEN): an argument shows in ps and shell history." placeholder:"TOKEN"`

	Serve   serveCmd   `cmd:"" help:"Serve the API and the browser UI."`
	Migrate migrateCmd `cmd:"" help:"Apply database migrations and exit."`
	Version versionCmd `cmd:"" help:"Print the version and exit."`
	Export  exportCmd  `cmd:"" help:"Export an incident's RCA as Markdown, HTML, PDF or JSON."`
	Import  importCmd  `cmd:"" help:"Import incidents from files."`
	Pull    pullCmd    `cmd:"" help:"Pull chat history or alerts from a tool's API into an incident's timeline."`
	Hook    hookCmd    `cmd:"" help:"Manage webhook integrations (live alerts under /api/v1/hooks)."`
	Alerts  alertsCmd  `cmd:"" help:"Work the alert inbox: list, attach, open an incident, dismiss."`
	Actions actionsCmd `cmd:"" help:"List open corrective actions (--overdue: past their due date)."`
	Tickets ticketsCmd `cmd:"" help:"Ticket sync: file a tracker ticket for an action, or read every linked ticket now."`
	Remind  remindCmd  `cmd:"" help:"Reminder digests of due-soon and overdue actions: print them (--dry-run, the default) or send once (--send)."`
	Report  reportCmd  `cmd:"" help:"Management reports: hindsight report monthly --month 2026-10."`
	Search  searchCmd  `cmd:"" help:"Search past incidents (the data dir's index, or a running server's)."`
	Similar similarCmd `cmd:"" help:"List the past incidents most like one incident or a pasted text."`
	Reindex reindexCmd `cmd:"" help:"Rebuild the search index from the database (through the running server when one holds it)."`
	User    userCmd    `cmd:"" help:"Manage accounts: create, list, set-role, disable, enable, reset-password."`
	Token   tokenCmd   `cmd:"" help:"Manage API tokens: create (printed once), list, revoke."`
}

// env is what every command gets: streams, settings and a logger.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	cfg    config.Config
	log    *slog.Logger
}

// exitCode is how kong's help/--version ask to end the process without
// os.Exit, so run stays testable.
type exitCode int

// run parses args and runs one command; it returns the process exit code.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) (code int) {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("hindsight"),
		kong.Description("Hindsight: post-mortems and root-cause analysis your team learns from."),
		kong.Writers(stdout, stderr),
		kong.UsageOnError(),
		kong.Exit(func(n int) { panic(exitCode(n)) }),
	)
	if err != nil {
		fmt.Fprintln(stderr, "hindsight:", err)
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			n, ok := r.(exitCode)
			if !ok {
				panic(r)
			}
			code = int(n)
		}
	}()
	kctx, err := parser.Parse(searchArgs(args))
	if err != nil {
		fmt.Fprintln(stderr, "hindsight:", err)
		return 2
	}
	cfg, err := config.Load(environ)
	if err != nil {
		fmt.Fprintln(stderr, "hindsight:", err)
		return 2
	}
	if c.DataDir != "" {
		cfg.DataDir = c.DataDir
	}
	if c.APIToken != "" {
		cfg.Token = c.APIToken
	}
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, cfg: cfg}
	if err := kctx.Run(e); err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(stderr, "hindsight:", err)
			return 2
		}
		if e.log != nil {
			e.log.Error("Stopped", "error", err)
		} else {
			fmt.Fprintln(stderr, "hindsight:", err)
		}
		return 1
	}
	return 0
}

// usageError is a mistake in flags or settings (exit code 2).
type usageError struct{ error }

// setup validates the settings and builds the logger.
func (e *env) setup() error {
	if err := e.cfg.Validate(); err != nil {
		return usageError{err}
	}
	level, _ := e.cfg.Level()
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if e.cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(e.stderr, opts)
	} else {
		h = slog.NewTextHandler(e.stderr, opts)
	}
	e.log = slog.New(h)
	return nil
}

type versionCmd struct{}

// Run prints the version.
func (versionCmd) Run(e *env) error {
	fmt.Fprintln(e.stdout, "hindsight", version)
	return nil
}

// ensureDataDir creates the data directory, readable by its owner only.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	return nil
}
