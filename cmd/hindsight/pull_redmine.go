package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/redmine"
)

// pullRedmineCmd is "hindsight pull redmine".
type pullRedmineCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls the Redmine issues given with --id (4711 or #4711), with
// their journals, into the incident.
func (c pullRedmineCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.RedmineURL == "" || e.cfg.RedmineKey == "" {
		return usageError{errors.New("pulling from Redmine needs HINDSIGHT_REDMINE_URL and an API key: HINDSIGHT_REDMINE_KEY or HINDSIGHT_REDMINE_KEY_FILE")}
	}
	client := redmine.NewClient(e.cfg.RedmineURL, e.cfg.RedmineKey)
	return c.pull(e, redmine.Source, client.Pull)
}
