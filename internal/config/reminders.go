package config

import (
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"
)

// RemindersOn reports whether the reminder job runs: a Slack webhook or
// SMTP is configured, or test mode is on.
func (c Config) RemindersOn() bool {
	return c.ReminderTestMode || c.ReminderSlackWebhook != "" || c.ReminderTeamWebhooks != "" || c.SMTPAddr != ""
}

// ReminderTeamWebhookMap parses HINDSIGHT_REMINDER_TEAM_WEBHOOKS,
// "team=https://hooks.slack.com/...,team2=...", keyed by team as written.
func (c Config) ReminderTeamWebhookMap() (map[string]string, error) {
	return parseTeamMap("HINDSIGHT_REMINDER_TEAM_WEBHOOKS", c.ReminderTeamWebhooks, func(v string) error {
		if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
			return fmt.Errorf("want an http(s) webhook URL")
		}
		return nil
	})
}

// ReminderTeamEmailMap parses HINDSIGHT_REMINDER_TEAM_EMAILS,
// "team=address,team2=address".
func (c Config) ReminderTeamEmailMap() (map[string]string, error) {
	return parseTeamMap("HINDSIGHT_REMINDER_TEAM_EMAILS", c.ReminderTeamEmails, func(v string) error {
		if _, err := mail.ParseAddress(v); err != nil {
			return fmt.Errorf("want an e-mail address")
		}
		return nil
	})
}

// parseTeamMap reads "key=value,key2=value2"; errors name the variable and
// the team, never the value (webhook URLs are secrets).
func parseTeamMap(name, s string, check func(string) error) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		team, v, ok := strings.Cut(part, "=")
		team, v = strings.TrimSpace(team), strings.TrimSpace(v)
		if !ok || team == "" || v == "" {
			return nil, fmt.Errorf("%s: want team=value pairs separated by commas", name)
		}
		if err := check(v); err != nil {
			return nil, fmt.Errorf("%s: team %q: %w", name, team, err)
		}
		out[team] = v
	}
	return out, nil
}

// validateReminders checks the reminder and SMTP settings.
func (c Config) validateReminders() []error {
	var errs []error
	if c.ReminderInterval < time.Minute {
		errs = append(errs, fmt.Errorf("HINDSIGHT_REMINDER_INTERVAL must be at least 1m"))
	}
	if c.ReminderDueSoonDays < 1 || c.ReminderDueSoonDays > 365 {
		errs = append(errs, fmt.Errorf("HINDSIGHT_REMINDER_DUE_SOON_DAYS must be between 1 and 365"))
	}
	if c.ReminderThrottle < 0 {
		errs = append(errs, fmt.Errorf("HINDSIGHT_REMINDER_THROTTLE must not be negative"))
	}
	if u := c.ReminderSlackWebhook; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		errs = append(errs, fmt.Errorf("HINDSIGHT_REMINDER_SLACK_WEBHOOK: want an http(s) webhook URL"))
	}
	if _, err := c.ReminderTeamWebhookMap(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.ReminderTeamEmailMap(); err != nil {
		errs = append(errs, err)
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("HINDSIGHT_SMTP_ADDR %q: want host:port", c.SMTPAddr))
		}
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			errs = append(errs, fmt.Errorf("HINDSIGHT_SMTP_FROM %q: want the sender's e-mail address (set it with HINDSIGHT_SMTP_ADDR)", c.SMTPFrom))
		}
	}
	switch strings.ToLower(strings.TrimSpace(c.SMTPTLS)) {
	case "", "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("HINDSIGHT_SMTP_TLS %q: want starttls, tls or none (empty: STARTTLS required unless the server is local)", c.SMTPTLS))
	}
	if c.SMTPAddr == "" && (c.SMTPUser != "" || c.ReminderTeamEmails != "") {
		errs = append(errs, fmt.Errorf("HINDSIGHT_SMTP_USER and HINDSIGHT_REMINDER_TEAM_EMAILS need HINDSIGHT_SMTP_ADDR"))
	}
	return errs
}
