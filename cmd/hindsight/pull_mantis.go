package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/mantis"
)

// pullMantisCmd is "hindsight pull mantis".
type pullMantisCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls the MantisBT issues given with --id (42) with their notes and
// history.
func (c pullMantisCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.MantisURL == "" || e.cfg.MantisToken == "" {
		return usageError{errors.New("pulling from Mantis needs HINDSIGHT_MANTIS_URL and an API token: HINDSIGHT_MANTIS_TOKEN or HINDSIGHT_MANTIS_TOKEN_FILE")}
	}
	for _, id := range c.ID {
		if _, err := mantis.ParseID(id); err != nil {
			return usageError{err}
		}
	}
	client := mantis.NewClient(e.cfg.MantisURL, e.cfg.MantisToken)
	return c.pull(e, mantis.Source, client.Pull)
}
