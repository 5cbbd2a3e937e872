package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/notify"
)

// remindCmd prints the reminder digests that would go out now, or sends
// them once (--send), from the data dir.
type remindCmd struct {
	DryRun bool `name:"dry-run" help:"Print the digests that would go out now, send nothing (the default)."`
	Send   bool `help:"Send the digests once now, honouring the throttle (HINDSIGHT_REMINDER_TEST_MODE=true prints instead)."`
}

// Run builds (and with --send, sends) the digests.
func (c remindCmd) Run(e *env) error {
	if c.Send && c.DryRun {
		return usageError{fmt.Errorf("--send and --dry-run exclude each other")}
	}
	if err := e.setup(); err != nil {
		return err
	}
	opts, err := reminderOptions(e, e.stdout)
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
	a.SetReminders(opts)
	run, err := a.RunReminders(e.ctx, !c.Send)
	if err != nil {
		return err
	}
	printReminderRun(e.stdout, run, opts.DueSoonDays)
	return nil
}

// printReminderRun writes a run as Markdown-ish text.
func printReminderRun(w io.Writer, run app.ReminderRun, dueSoonDays int) {
	for _, warn := range run.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	if len(run.Digests) == 0 {
		fmt.Fprintln(w, "No action is overdue or due soon: no reminder to send.")
		return
	}
	for _, d := range run.Digests {
		state := ""
		switch {
		case d.Throttled:
			state = " (throttled: already reminded within the throttle window)"
		case d.Status != "":
			state = " (" + d.Status + ")"
			if d.Error != "" {
				state = " (error: " + d.Error + ")"
			}
		}
		fmt.Fprintf(w, "## %s → %s%s\n\n%s\n", d.Channel, d.Recipient, state, strings.TrimSpace(d.Text(dueSoonDays)))
		fmt.Fprintln(w)
	}
	if run.DryRun {
		fmt.Fprintf(w, "%d digest(s) would go out now (%d throttled). Nothing was sent: use --send.\n", len(run.Digests)-run.Throttled, run.Throttled)
		return
	}
	fmt.Fprintf(w, "%d sent, %d failed, %d throttled.\n", run.Sent, run.Failed, run.Throttled)
}

// reminderOptions turns the configuration into the app's reminder options;
// test mode prints to out.
func reminderOptions(e *env, out io.Writer) (app.ReminderOptions, error) {
	c := e.cfg
	hooks, err := c.ReminderTeamWebhookMap()
	if err != nil {
		return app.ReminderOptions{}, err
	}
	mails, err := c.ReminderTeamEmailMap()
	if err != nil {
		return app.ReminderOptions{}, err
	}
	o := app.ReminderOptions{
		DueSoonDays: c.ReminderDueSoonDays, Throttle: c.ReminderThrottle, TestMode: c.ReminderTestMode, Out: out,
		PublicURL: c.PublicURL, SlackWebhook: c.ReminderSlackWebhook, TeamWebhooks: hooks, TeamEmails: mails,
	}
	if c.ReminderThrottle == 0 {
		o.Throttle = -1 // HINDSIGHT_REMINDER_THROTTLE=0: no throttle
	}
	if c.SMTPAddr != "" {
		o.SMTP = &notify.SMTP{Addr: c.SMTPAddr, User: c.SMTPUser, Password: c.SMTPPassword, From: c.SMTPFrom,
			TLS: strings.ToLower(strings.TrimSpace(c.SMTPTLS))}
	}
	return o, nil
}

// startReminders runs the reminder job on one replica at a time until ctx
// ends or stop is called, when a channel or test mode is configured. stop
// ends the job and waits for it to give its lease back, so another replica
// takes over at once instead of after the lease expires.
func startReminders(ctx context.Context, e *env, a *app.App) (stop func()) {
	opts, err := reminderOptions(e, nil)
	if err != nil { // validated at start; kept for safety
		e.log.Error("Reminders are off", "error", err)
		return func() {}
	}
	if e.cfg.ReminderTestMode {
		opts.Out = e.stdout
	}
	// Set even when off: the admin page's preview uses the public URL and
	// the due-soon window.
	a.SetReminders(opts)
	if !e.cfg.RemindersOn() {
		e.log.Info("Reminders are off: no Slack webhook or SMTP server configured, and test mode is off")
		return func() {}
	}
	if e.cfg.PublicURL == "" {
		e.log.Warn("HINDSIGHT_PUBLIC_URL is not set: links in reminders are relative paths")
	}
	e.log.Info("Reminders", "interval", e.cfg.ReminderInterval.String(), "due_soon_days", e.cfg.ReminderDueSoonDays,
		"throttle", e.cfg.ReminderThrottle.String(), "test_mode", e.cfg.ReminderTestMode)
	return startJob(ctx, a, app.ReminderJob, e.cfg.ReminderInterval, a.RemindersJob)
}
