package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/pagerduty"
)

// pullPagerDutyCmd is "hindsight pull pagerduty".
type pullPagerDutyCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls PagerDuty log entries: of the incidents given with --id, else
// every log entry of the account in the window.
func (c pullPagerDutyCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.PagerDutyToken == "" {
		return usageError{errors.New("pulling from PagerDuty needs a REST API key: set HINDSIGHT_PAGERDUTY_TOKEN or HINDSIGHT_PAGERDUTY_TOKEN_FILE")}
	}
	client := pagerduty.NewClient(e.cfg.PagerDutyAPIURL, e.cfg.PagerDutyToken)
	return c.pull(e, pagerduty.Source, client.Pull)
}
