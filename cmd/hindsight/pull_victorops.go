package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/victorops"
)

// pullVictorOpsCmd is "hindsight pull victorops".
type pullVictorOpsCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls Splunk On-Call incident history from the reporting API: the
// incidents numbered with --id, else every incident that started in the
// window.
func (c pullVictorOpsCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.VictorOpsAPIID == "" || e.cfg.VictorOpsAPIKey == "" {
		return usageError{errors.New("pulling from Splunk On-Call needs an API id and key: set HINDSIGHT_VICTOROPS_API_ID and HINDSIGHT_VICTOROPS_API_KEY or HINDSIGHT_VICTOROPS_API_KEY_FILE")}
	}
	client := victorops.NewClient(e.cfg.VictorOpsAPIURL, e.cfg.VictorOpsAPIID, e.cfg.VictorOpsAPIKey)
	return c.pull(e, victorops.Source, client.Pull)
}
