package config

import (
	"strings"
	"testing"
)

func TestConfig_Tickets(t *testing.T) {
	base := []string{"HINDSIGHT_DATA_DIR=/tmp/x"}
	tests := []struct {
		name    string
		env     []string
		wantErr string // "" means valid
	}{
		{name: "defaults", env: nil},
		{name: "interval too short", env: []string{"HINDSIGHT_TICKET_SYNC_INTERVAL=1s"}, wantErr: "HINDSIGHT_TICKET_SYNC_INTERVAL 1s: want at least 10s"},
		{name: "bad interval", env: []string{"HINDSIGHT_TICKET_SYNC_INTERVAL=soon"}, wantErr: "HINDSIGHT_TICKET_SYNC_INTERVAL"},
		{name: "bad repo", env: []string{"HINDSIGHT_TICKET_GITHUB_REPO=acme"}, wantErr: `HINDSIGHT_TICKET_GITHUB_REPO "acme": want owner/name`},
		{name: "after without system", env: []string{"HINDSIGHT_TICKET_INCIDENT_AFTER=4h"}, wantErr: "needs HINDSIGHT_TICKET_INCIDENT_SYSTEM"},
		{name: "system without after", env: []string{"HINDSIGHT_TICKET_INCIDENT_SYSTEM=jira"}, wantErr: "needs HINDSIGHT_TICKET_INCIDENT_AFTER"},
		{name: "unknown system", env: []string{"HINDSIGHT_TICKET_INCIDENT_AFTER=4h", "HINDSIGHT_TICKET_INCIDENT_SYSTEM=trac"}, wantErr: `"trac": want jira`},
		{name: "system not configured", env: []string{"HINDSIGHT_TICKET_INCIDENT_AFTER=4h", "HINDSIGHT_TICKET_INCIDENT_SYSTEM=jira"},
			wantErr: "set HINDSIGHT_JIRA_URL and HINDSIGHT_JIRA_TOKEN"},
		{name: "system without target", env: []string{"HINDSIGHT_TICKET_INCIDENT_AFTER=4h", "HINDSIGHT_TICKET_INCIDENT_SYSTEM=bugzilla",
			"HINDSIGHT_BUGZILLA_URL=https://bz.example", "HINDSIGHT_BUGZILLA_KEY=k"}, wantErr: "set HINDSIGHT_TICKET_BUGZILLA_PRODUCT and HINDSIGHT_TICKET_BUGZILLA_COMPONENT"},
		{name: "incident policy complete", env: []string{"HINDSIGHT_TICKET_INCIDENT_AFTER=4h", "HINDSIGHT_TICKET_INCIDENT_SYSTEM=Jira",
			"HINDSIGHT_JIRA_URL=https://j.example", "HINDSIGHT_JIRA_TOKEN=t", "HINDSIGHT_TICKET_JIRA_PROJECT=OPS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(append(append([]string{}, base...), tt.env...))
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfig_TicketDefaults(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.TicketSyncInterval.String() != "15m0s" || c.TicketJiraIssueType != "Task" || c.TicketIncidentAfter != 0 ||
		c.TicketBugzillaVersion != "unspecified" || c.TicketMantisCategory != "General" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.TicketConfigured("jira") || c.TicketConfigured("nope") {
		t.Fatal("a tracker without credentials is configured")
	}
}
