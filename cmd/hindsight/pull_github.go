package main

import (
	"github.com/hindsightrca/hindsight/importers/github"
)

// pullGitHubCmd is "hindsight pull github".
type pullGitHubCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls the GitHub issues given with --id (owner/repo#12 or the
// issue's URL) with their comments and events. A token is optional for
// public repositories (and lifts the rate limit).
func (c pullGitHubCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	for _, id := range c.ID {
		if _, _, _, err := github.ParseKey(id); err != nil {
			return usageError{err}
		}
	}
	client := github.NewClient(e.cfg.GitHubAPIURL, e.cfg.GitHubToken)
	return c.pull(e, github.Source, client.Pull)
}
