package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/notify"
	"github.com/hindsightrca/hindsight/internal/store"
)

// ReminderJob is the scheduled job's name (its lease in job_leases).
const ReminderJob = "reminders"

// The lease every send of reminders holds (the job's and a manual one),
// how long it lasts unless given back, and how long a send waits for it.
const (
	reminderSendLease = "reminders-send"
	reminderSendTTL   = 10 * time.Minute
	reminderSendWait  = 30 * time.Second
	// reminderRetention is how long the record of a sent digest is kept.
	reminderRetention = 180 * 24 * time.Hour
)

// ReminderOptions configures reminder digests (HINDSIGHT_REMINDER_*,
// HINDSIGHT_SMTP_*).
type ReminderOptions struct {
	// DueSoonDays: actions due within this many days are "due soon".
	// Default 7.
	DueSoonDays int
	// Throttle: a recipient gets at most one digest per channel within
	// this long. Zero: the default 24h; negative: no throttle.
	Throttle time.Duration
	// TestMode prints digests (to Out, else the log) instead of sending,
	// and records them with status test.
	TestMode bool
	// Out receives the digests test mode prints (nil: the log).
	Out io.Writer
	// PublicURL is where people reach the UI; links in digests start with
	// it. Empty: relative links, and a warning.
	PublicURL string
	// SlackWebhook is the default Slack incoming webhook: team digests of
	// teams without their own go there. A secret.
	SlackWebhook string
	// TeamWebhooks maps a team (case-insensitive) to its own webhook.
	TeamWebhooks map[string]string
	// TeamEmails maps a team to an e-mail address that gets its digest.
	TeamEmails map[string]string
	// SMTP sends e-mail digests (owners and team addresses); nil: none.
	SMTP *notify.SMTP
	// HTTPClient posts to Slack. Default: 15 s timeout.
	HTTPClient *http.Client
}

// Enabled reports whether reminders have anywhere to go (or test mode is on).
func (o ReminderOptions) Enabled() bool {
	return o.TestMode || o.SlackWebhook != "" || len(o.TeamWebhooks) > 0 || o.SMTP != nil
}

func (o ReminderOptions) withDefaults() ReminderOptions {
	if o.DueSoonDays <= 0 {
		o.DueSoonDays = 7
	}
	if o.Throttle == 0 {
		o.Throttle = 24 * time.Hour
	}
	return o
}

// reminderState is the App's reminder configuration and the lock that
// keeps a manual run and the scheduled one of this process apart.
type reminderState struct {
	mu   sync.RWMutex // guards opts
	run  sync.Mutex   // one run at a time in this process
	opts ReminderOptions
}

// SetReminders configures reminders (cmd does it once, at start).
func (a *App) SetReminders(o ReminderOptions) {
	a.reminders.mu.Lock()
	defer a.reminders.mu.Unlock()
	a.reminders.opts = o.withDefaults()
}

func (a *App) reminderOptions() ReminderOptions {
	a.reminders.mu.RLock()
	defer a.reminders.mu.RUnlock()
	return a.reminders.opts.withDefaults()
}

// ReminderSettings returns the reminder configuration in force, without
// secrets: what the admin page shows.
func (a *App) ReminderSettings() ReminderSettings {
	o := a.reminderOptions()
	s := ReminderSettings{
		Enabled: o.Enabled(), TestMode: o.TestMode, DueSoonDays: o.DueSoonDays, Throttle: o.Throttle,
		PublicURL: o.PublicURL, DefaultSlack: o.SlackWebhook != "", Email: o.SMTP != nil,
	}
	for t := range o.TeamWebhooks {
		s.SlackTeams = append(s.SlackTeams, t)
	}
	for t := range o.TeamEmails {
		s.EmailTeams = append(s.EmailTeams, t)
	}
	return s
}

// ReminderSettings describes the reminder configuration without secrets.
type ReminderSettings struct {
	Enabled, TestMode bool
	DueSoonDays       int
	Throttle          time.Duration
	PublicURL         string
	// DefaultSlack says a default webhook is set; SlackTeams and
	// EmailTeams name the teams with their own webhook or address.
	DefaultSlack           bool
	SlackTeams, EmailTeams []string
	// Email says SMTP is configured.
	Email bool
}

// ReminderRun is the outcome of one reminder pass.
type ReminderRun struct {
	At       time.Time
	DryRun   bool
	TestMode bool
	Digests  []ReminderDigest
	// Warnings are problems a person should fix (owners without an
	// address, no public URL).
	Warnings []string
	// Sent, Failed and Throttled count the digests by outcome.
	Sent, Failed, Throttled int
}

// RunReminders builds the digests of due-soon and overdue actions per owner
// and per team and, unless dryRun, sends those whose recipient was not
// reminded within the throttle window, recording each send (failures too,
// which are tried again at the next run). A dry run only shows them; with
// nothing configured it previews every channel.
func (a *App) RunReminders(ctx context.Context, dryRun bool) (ReminderRun, error) {
	a.reminders.run.Lock()
	defer a.reminders.run.Unlock()
	o := a.reminderOptions()
	now := a.Now()
	run := ReminderRun{At: now, DryRun: dryRun, TestMode: o.TestMode}
	if !dryRun && !o.Enabled() {
		return run, incident.Invalid("reminders", "no channel is configured: set HINDSIGHT_REMINDER_SLACK_WEBHOOK, HINDSIGHT_REMINDER_TEAM_WEBHOOKS or HINDSIGHT_SMTP_ADDR, or HINDSIGHT_REMINDER_TEST_MODE=true")
	}
	if !dryRun {
		// Every replica's sends (the job's and an admin's Send now) take
		// turns, so two never read the throttle before either recorded.
		release, err := a.holdLease(ctx, reminderSendLease, reminderSendTTL, reminderSendWait)
		if err != nil {
			return run, err
		}
		defer release()
	}
	digests, warnings, err := a.reminderDigests(ctx, o, !o.Enabled() || o.TestMode)
	if err != nil {
		return run, err
	}
	run.Warnings = warnings
	// Test mode throttles against what it printed, real sends against what
	// was sent: turning test mode off does not hold real digests back.
	counted := incident.ReminderSent
	if o.TestMode {
		counted = incident.ReminderTest
	}
	recent := map[[2]string]time.Time{}
	if o.Throttle > 0 {
		if recent, err = a.store.RemindedSince(ctx, now.Add(-o.Throttle), counted); err != nil {
			return run, err
		}
	}
	for n := range digests {
		d := &digests[n]
		if _, ok := recent[[2]string{d.Channel, d.Recipient}]; ok {
			d.Throttled = true
			run.Throttled++
			continue
		}
		if dryRun {
			continue
		}
		d.Status = a.deliver(ctx, o, d)
		if d.Status == incident.ReminderFailed {
			run.Failed++
			a.log.Warn("Reminder not sent", "channel", d.Channel, "recipient", d.Recipient, "error", d.Error)
		} else {
			run.Sent++
		}
		if err := a.recordReminder(ctx, d); err != nil {
			return run, err
		}
	}
	run.Digests = digests
	if !dryRun && run.Sent+run.Failed > 0 {
		a.log.Info("Reminders sent", "sent", run.Sent, "failed", run.Failed, "throttled", run.Throttled, "test_mode", o.TestMode)
	}
	return run, nil
}

// RemindersJob is the scheduled job's body: one run, failing when any
// digest failed (so the job log says so; the failures are retried next time).
func (a *App) RemindersJob(ctx context.Context) error {
	run, err := a.RunReminders(ctx, false)
	if err != nil {
		return err
	}
	for _, w := range run.Warnings {
		a.log.Warn("Reminders", "warning", w)
	}
	// The record is kept for reminderRetention; older rows only grow the table.
	if n, err := a.store.PruneReminderSends(ctx, a.Now().Add(-reminderRetention)); err != nil {
		a.log.Warn("Old reminder records not pruned", "error", err)
	} else if n > 0 {
		a.log.Info("Pruned old reminder records", "deleted", n)
	}
	if run.Failed > 0 {
		return fmt.Errorf("%d of %d reminder digests failed", run.Failed, run.Sent+run.Failed)
	}
	return nil
}

// reminderDigests reads the actions due within the window and groups them.
func (a *App) reminderDigests(ctx context.Context, o ReminderOptions, previewAll bool) ([]ReminderDigest, []string, error) {
	today := a.Today()
	items, err := a.store.ReminderActions(ctx, today.AddDays(o.DueSoonDays))
	if err != nil {
		return nil, nil, err
	}
	users, err := a.store.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	b := &digestBuilder{opts: o, today: today, base: strings.TrimRight(o.PublicURL, "/"), owners: newOwnerDirectory(users),
		digests: map[digestKey]*ReminderDigest{}, previewAll: previewAll, warnings: map[string]bool{}}
	if b.base == "" && len(items) > 0 {
		b.warn("HINDSIGHT_PUBLIC_URL is not set: links in reminders are relative paths")
	}
	for _, it := range items {
		b.add(it)
	}
	d, w := b.result()
	return d, w, nil
}

// deliver sends (or in test mode prints) one digest and returns its status.
func (a *App) deliver(ctx context.Context, o ReminderOptions, d *ReminderDigest) string {
	if o.TestMode {
		text := d.Text(o.DueSoonDays)
		if o.Out != nil {
			fmt.Fprintf(o.Out, "--- reminder (test mode) %s → %s\n%s\n", d.Channel, d.Recipient, text)
		} else {
			a.log.Info("Reminder (test mode, not sent)", "channel", d.Channel, "recipient", d.Recipient, "digest", text)
		}
		return incident.ReminderTest
	}
	var err error
	switch d.Channel {
	case incident.ReminderSlack:
		err = notify.SlackWebhook{URL: d.webhook, Client: o.HTTPClient}.Send(ctx, d.Slack(o.DueSoonDays))
	case incident.ReminderEmail:
		if o.SMTP == nil {
			err = fmt.Errorf("e-mail is not configured")
			break
		}
		var html string
		if html, err = d.HTML(o.DueSoonDays); err == nil {
			err = o.SMTP.Send(ctx, notify.Mail{To: []string{d.Recipient}, Subject: d.MailSubject(o.DueSoonDays), Text: d.Text(o.DueSoonDays), HTML: html})
		}
	}
	if err != nil {
		d.Error = truncate(err.Error(), 500)
		return incident.ReminderFailed
	}
	return incident.ReminderSent
}

// recordReminder writes the reminder_sends row of a delivered digest.
func (a *App) recordReminder(ctx context.Context, d *ReminderDigest) error {
	ids := d.ActionIDs()
	return a.store.AppendReminderSend(context.WithoutCancel(ctx), &incident.ReminderSend{
		SentAt: a.Now(), Channel: d.Channel, Recipient: d.Recipient, Scope: d.Scope, Subject: d.Subject,
		ActionIDs: ids, ActionCount: len(ids), Overdue: len(d.Overdue), Status: d.Status, Error: d.Error,
	})
}

// ReminderSends pages through the record of sent digests, newest first.
func (a *App) ReminderSends(ctx context.Context, before int64, limit int) ([]incident.ReminderSend, bool, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return a.store.ReminderSends(ctx, before, limit)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// RunRemindersNow is an admin's manual run (POST /reminders/run): a dry
// run, or RunReminders with an audit entry of what went out.
func (a *App) RunRemindersNow(ctx context.Context, dryRun bool) (ReminderRun, error) {
	run, err := a.RunReminders(ctx, dryRun)
	if err != nil || dryRun {
		return run, err
	}
	detail := fmt.Sprintf("sent %d, failed %d, throttled %d", run.Sent, run.Failed, run.Throttled)
	if run.TestMode {
		detail += " (test mode)"
	}
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		return a.auditUser(ctx, tx, incident.AuditRemindersRun, incident.ObjectSettings, 0, detail)
	})
	return run, err
}

// holdLease waits up to wait for the lease name (polling), and returns the
// function that gives it back.
func (a *App) holdLease(ctx context.Context, name string, ttl, wait time.Duration) (func(), error) {
	deadline := time.Now().Add(wait)
	for {
		ok, err := a.store.TryLease(ctx, name, a.jobHolder, ttl)
		if err != nil {
			return nil, err
		}
		if ok {
			return func() {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
				defer cancel()
				if err := a.store.ReleaseLease(rctx, name, a.jobHolder); err != nil {
					a.log.Warn("Lease not released", "lease", name, "error", err)
				}
			}, nil
		}
		if time.Now().After(deadline) {
			return nil, incident.Invalid("reminders", "another server is sending reminders right now; try again in a minute")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
