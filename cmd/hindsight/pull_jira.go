package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/jira"
)

// pullJiraCmd is "hindsight pull jira".
type pullJiraCmd struct {
	recordPullFlags `embed:""`
	JQL             string `name:"jql" help:"Also pull the issues this JQL query finds (e.g. \"labels = hindsight:INC-7\")." placeholder:"QUERY"`
}

// Run pulls the Jira issues given with --id and those --jql finds (else
// the incident's linked issues), each with its comments, changelog and
// worklogs.
func (c pullJiraCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.JiraURL == "" || e.cfg.JiraToken == "" {
		return usageError{errors.New("pulling from Jira needs the site and a token: set HINDSIGHT_JIRA_URL and HINDSIGHT_JIRA_TOKEN or HINDSIGHT_JIRA_TOKEN_FILE (and HINDSIGHT_JIRA_USER, the account e-mail, for Jira Cloud)")}
	}
	client := jira.NewClient(e.cfg.JiraURL, e.cfg.JiraUser, e.cfg.JiraToken)
	if strings.TrimSpace(c.JQL) != "" {
		// The query's issues join --id, so the pull names (and the
		// incident remembers) every issue it read.
		keys, err := client.Keys(e.ctx, c.JQL)
		if err != nil {
			return err
		}
		if len(keys) == 0 && len(c.ID) == 0 {
			return fmt.Errorf("jira: the JQL query found no issues")
		}
		for _, k := range keys {
			if !slices.Contains(c.ID, k) {
				c.ID = append(c.ID, k)
			}
		}
	}
	return c.pull(e, jira.Source, func(ctx context.Context, ids []string, _, _ *time.Time, sink importers.Sink) error {
		return client.Pull(ctx, ids, "", sink)
	})
}
