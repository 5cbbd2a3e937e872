package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
)

// recordPullFlags are the flags of pulls from alert and ticket APIs: the
// vendor ids to read (incidents, alerts) or, without ids, everything in
// the window.
type recordPullFlags struct {
	Incident    string   `required:"" help:"Hindsight incident key or id to pull into (INC-7)." placeholder:"INC-7"`
	ID          []string `name:"id" help:"Vendor incident, alert or ticket id to pull (repeatable). Without: everything in the window, or for ticket trackers the incident's tickets pulled or imported before." placeholder:"ID"`
	From        string   `help:"Pull records at or after this time (RFC 3339 or 2006-01-02 15:04, UTC). Default: incident start - 1h." placeholder:"TIME"`
	To          string   `help:"Pull records at or before this time. Default: incident resolution + 1h." placeholder:"TIME"`
	DryRun      bool     `name:"dry-run" help:"Pull and count, show the first events, write nothing."`
	SkipInvalid bool     `name:"skip-invalid" help:"Store the readable records when some cannot be read."`
}

// ticketSystems are the sources whose pulls refresh an incident's linked
// tickets when no --id is given.
var ticketSystems = map[string]bool{"jira": true, "redmine": true, "bugzilla": true, "mantis": true, "github": true, "statuspage": true}

// recordPull reads the vendor's records: by ids when ids is not empty,
// else the window [from, to] (nil ends are open).
type recordPull func(ctx context.Context, ids []string, from, to *time.Time, sink importers.Sink) error

// pull runs one pull as one import batch and prints the summary. Tokens
// stay inside the clients: nothing here prints them.
func (f recordPullFlags) pull(e *env, source string, pull recordPull) error {
	flags := pullFlags{Incident: f.Incident, From: f.From, To: f.To, DryRun: f.DryRun, SkipInvalid: f.SkipInvalid}
	opts, err := flags.options()
	if err != nil {
		return usageError{err}
	}
	for _, id := range f.ID {
		if strings.TrimSpace(id) == "" {
			return usageError{fmt.Errorf("--id: must not be empty")}
		}
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	// A ticket's follow-up work goes on after the incident: no window
	// unless one is asked for.
	opts.OpenWindow = ticketSystems[source]
	refreshing := len(f.ID) == 0 && ticketSystems[source]
	if refreshing {
		// Without ids a ticket pull refreshes the tickets the incident was
		// built from.
		links, err := a.Links(e.ctx, f.Incident, source)
		if err != nil {
			return err
		}
		for _, l := range links {
			f.ID = append(f.ID, l.Key)
		}
		if len(f.ID) == 0 {
			return usageError{fmt.Errorf("%s has no %s tickets yet: name them with --id", f.Incident, source)}
		}
	}
	bar := newProgress(e.stderr, time.Now)
	opts.Progress = bar.update
	run := func(ctx context.Context, from, to *time.Time, sink importers.Sink) error {
		what := "everything"
		if len(f.ID) > 0 {
			what = strings.Join(f.ID, ", ")
		}
		fmt.Fprintf(e.stderr, "pull: reading %s: %s, %s\n", source, what, windowText(from, to))
		if !refreshing {
			return pull(ctx, f.ID, from, to, sink)
		}
		// Refreshing the linked tickets: one deleted or made private since
		// must not keep the others from being pulled.
		for _, id := range f.ID {
			err := pull(ctx, []string{id}, from, to, sink)
			if errors.Is(err, importers.ErrRemoteNotFound) {
				fmt.Fprintf(e.stderr, "pull: %s %s is gone or hidden at the source, skipped: %v\n", source, id, err)
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	rep, err := a.PullRecords(e.ctx, f.Incident, source, f.ID, run, opts)
	bar.done()
	if err != nil {
		return importFailure(e.stderr, err)
	}
	printReport(e.stdout, "Pulled", rep.Batch.FileName, f.Incident, rep)
	return nil
}
