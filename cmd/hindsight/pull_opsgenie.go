package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/opsgenie"
)

// pullOpsGenieCmd is "hindsight pull opsgenie".
type pullOpsGenieCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls OpsGenie alerts and their logs: the alerts given with --id
// (alert ids or tiny ids), else every alert created in the window.
func (c pullOpsGenieCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.OpsGenieToken == "" {
		return usageError{errors.New("pulling from OpsGenie needs an API key: set HINDSIGHT_OPSGENIE_TOKEN or HINDSIGHT_OPSGENIE_TOKEN_FILE")}
	}
	client := opsgenie.NewClient(e.cfg.OpsGenieAPIURL, e.cfg.OpsGenieToken)
	return c.pull(e, opsgenie.Source, client.Pull)
}
