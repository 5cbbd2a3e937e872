package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfig_Reminders(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(secret, []byte("https://hooks.slack.com/services/T/B/SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		environ []string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "defaults: off", check: func(t *testing.T, c Config) {
			if c.RemindersOn() || c.ReminderInterval != time.Hour || c.ReminderDueSoonDays != 7 || c.ReminderThrottle != 24*time.Hour {
				t.Errorf("defaults = %v %v %d %v", c.RemindersOn(), c.ReminderInterval, c.ReminderDueSoonDays, c.ReminderThrottle)
			}
		}},
		{name: "test mode turns it on", environ: []string{"HINDSIGHT_REMINDER_TEST_MODE=true"}, check: func(t *testing.T, c Config) {
			if !c.RemindersOn() {
				t.Error("off")
			}
		}},
		{name: "webhook from a file", environ: []string{"HINDSIGHT_REMINDER_SLACK_WEBHOOK_FILE=" + secret}, check: func(t *testing.T, c Config) {
			if c.ReminderSlackWebhook != "https://hooks.slack.com/services/T/B/SECRET" || !c.RemindersOn() {
				t.Errorf("webhook = %q", c.ReminderSlackWebhook)
			}
		}},
		{name: "team maps", environ: []string{"HINDSIGHT_REMINDER_TEAM_WEBHOOKS=sre=https://h.example/1, db = https://h.example/2",
			"HINDSIGHT_SMTP_ADDR=smtp.example.com:587", "HINDSIGHT_SMTP_FROM=Hindsight <hs@example.com>",
			"HINDSIGHT_REMINDER_TEAM_EMAILS=sre=sre@example.com"}, check: func(t *testing.T, c Config) {
			hooks, _ := c.ReminderTeamWebhookMap()
			mails, _ := c.ReminderTeamEmailMap()
			if hooks["sre"] != "https://h.example/1" || hooks["db"] != "https://h.example/2" || mails["sre"] != "sre@example.com" {
				t.Errorf("maps = %v %v", hooks, mails)
			}
		}},
		{name: "bad team webhook hides the URL", environ: []string{"HINDSIGHT_REMINDER_TEAM_WEBHOOKS=sre=ftp://secret"}, wantErr: `team "sre": want an http(s) webhook URL`},
		{name: "bad pair", environ: []string{"HINDSIGHT_REMINDER_TEAM_WEBHOOKS=sre"}, wantErr: "team=value pairs"},
		{name: "smtp without from", environ: []string{"HINDSIGHT_SMTP_ADDR=smtp.example.com:587"}, wantErr: "HINDSIGHT_SMTP_FROM"},
		{name: "smtp addr without port", environ: []string{"HINDSIGHT_SMTP_ADDR=smtp.example.com", "HINDSIGHT_SMTP_FROM=a@b.c"}, wantErr: "want host:port"},
		{name: "team e-mails without smtp", environ: []string{"HINDSIGHT_REMINDER_TEAM_EMAILS=sre=sre@example.com"}, wantErr: "need HINDSIGHT_SMTP_ADDR"},
		{name: "bad TLS mode", environ: []string{"HINDSIGHT_SMTP_TLS=ssl"}, wantErr: "HINDSIGHT_SMTP_TLS"},
		{name: "implicit TLS", environ: []string{"HINDSIGHT_SMTP_TLS=tls"}, check: func(t *testing.T, c Config) {
			if c.SMTPTLS != "tls" {
				t.Errorf("tls = %q", c.SMTPTLS)
			}
		}},
		{name: "interval too short", environ: []string{"HINDSIGHT_REMINDER_INTERVAL=5s"}, wantErr: "HINDSIGHT_REMINDER_INTERVAL"},
		{name: "due soon out of range", environ: []string{"HINDSIGHT_REMINDER_DUE_SOON_DAYS=0"}, wantErr: "HINDSIGHT_REMINDER_DUE_SOON_DAYS"},
		{name: "password and file", environ: []string{"HINDSIGHT_SMTP_PASSWORD=x", "HINDSIGHT_SMTP_PASSWORD_FILE=" + secret}, wantErr: "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.environ)
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "secret") {
					t.Fatalf("err = %v, want %q (without the secret)", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}
