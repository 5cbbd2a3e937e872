package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TicketSystems are the trackers ticket sync knows, in the order they are listed.
var TicketSystems = []string{"jira", "redmine", "bugzilla", "mantis", "github"}

// TicketConfigured reports whether system's URL and credentials are set,
// so its tickets can be read (and, with a target, created).
func (c Config) TicketConfigured(system string) bool {
	switch system {
	case "jira":
		return c.JiraURL != "" && c.JiraToken != ""
	case "redmine":
		return c.RedmineURL != "" && c.RedmineKey != ""
	case "bugzilla":
		return c.BugzillaURL != "" && c.BugzillaKey != ""
	case "mantis":
		return c.MantisURL != "" && c.MantisToken != ""
	case "github":
		return c.GitHubToken != ""
	}
	return false
}

// TicketTarget says where new tickets of system go ("" when nowhere) and,
// when that is not set, which variables would set it.
func (c Config) TicketTarget(system string) (target, vars string) {
	switch system {
	case "jira":
		return c.TicketJiraProject, "HINDSIGHT_TICKET_JIRA_PROJECT"
	case "redmine":
		return c.TicketRedmineProject, "HINDSIGHT_TICKET_REDMINE_PROJECT"
	case "bugzilla":
		if c.TicketBugzillaProduct == "" || c.TicketBugzillaComponent == "" {
			return "", "HINDSIGHT_TICKET_BUGZILLA_PRODUCT and HINDSIGHT_TICKET_BUGZILLA_COMPONENT"
		}
		return c.TicketBugzillaProduct + "/" + c.TicketBugzillaComponent, ""
	case "mantis":
		return c.TicketMantisProject, "HINDSIGHT_TICKET_MANTIS_PROJECT"
	case "github":
		return c.TicketGitHubRepo, "HINDSIGHT_TICKET_GITHUB_REPO"
	}
	return "", ""
}

// credentialVars names the settings that enable system.
var credentialVars = map[string]string{
	"jira":     "HINDSIGHT_JIRA_URL and HINDSIGHT_JIRA_TOKEN",
	"redmine":  "HINDSIGHT_REDMINE_URL and HINDSIGHT_REDMINE_KEY",
	"bugzilla": "HINDSIGHT_BUGZILLA_URL and HINDSIGHT_BUGZILLA_KEY",
	"mantis":   "HINDSIGHT_MANTIS_URL and HINDSIGHT_MANTIS_TOKEN",
	"github":   "HINDSIGHT_GITHUB_TOKEN",
}

// validateTickets checks the ticket sync settings.
func (c Config) validateTickets() []error {
	var errs []error
	if c.TicketSyncInterval < 10*time.Second {
		errs = append(errs, fmt.Errorf("HINDSIGHT_TICKET_SYNC_INTERVAL %s: want at least 10s (e.g. 15m)", c.TicketSyncInterval))
	}
	if c.TicketRedmineTrackerID < 0 {
		errs = append(errs, errors.New("HINDSIGHT_TICKET_REDMINE_TRACKER_ID must not be negative"))
	}
	if r := c.TicketGitHubRepo; r != "" {
		owner, name, ok := strings.Cut(r, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			errs = append(errs, fmt.Errorf("HINDSIGHT_TICKET_GITHUB_REPO %q: want owner/name", r))
		}
	}
	sys := strings.ToLower(strings.TrimSpace(c.TicketIncidentSystem))
	switch {
	case c.TicketIncidentAfter < 0:
		errs = append(errs, errors.New("HINDSIGHT_TICKET_INCIDENT_AFTER must not be negative"))
	case c.TicketIncidentAfter > 0 && sys == "":
		errs = append(errs, errors.New("HINDSIGHT_TICKET_INCIDENT_AFTER needs HINDSIGHT_TICKET_INCIDENT_SYSTEM (jira, redmine, bugzilla, mantis or github)"))
	case c.TicketIncidentAfter == 0 && sys != "":
		errs = append(errs, errors.New("HINDSIGHT_TICKET_INCIDENT_SYSTEM needs HINDSIGHT_TICKET_INCIDENT_AFTER (e.g. 4h)"))
	case sys != "":
		if !knownTicketSystem(sys) {
			errs = append(errs, fmt.Errorf("HINDSIGHT_TICKET_INCIDENT_SYSTEM %q: want jira, redmine, bugzilla, mantis or github", c.TicketIncidentSystem))
			break
		}
		if !c.TicketConfigured(sys) {
			errs = append(errs, fmt.Errorf("HINDSIGHT_TICKET_INCIDENT_SYSTEM %s: set %s", sys, credentialVars[sys]))
		}
		if t, vars := c.TicketTarget(sys); t == "" {
			errs = append(errs, fmt.Errorf("HINDSIGHT_TICKET_INCIDENT_SYSTEM %s: set %s (where the tickets go)", sys, vars))
		}
	}
	return errs
}

func knownTicketSystem(s string) bool {
	for _, k := range TicketSystems {
		if s == k {
			return true
		}
	}
	return false
}
