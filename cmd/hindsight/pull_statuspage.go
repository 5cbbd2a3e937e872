package main

import (
	"github.com/hindsightrca/hindsight/importers/statuspage"
)

// pullStatuspageCmd is "hindsight pull statuspage".
type pullStatuspageCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls Statuspage incidents: with a token through the manage API by
// --id PAGE_ID/INCIDENT_ID (or PAGE_ID), without one from the public page
// at HINDSIGHT_STATUSPAGE_API_URL (--id INCIDENT_ID picks, none reads all
// recent incidents).
func (c pullStatuspageCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	client := statuspage.NewClient(e.cfg.StatuspageAPIURL, e.cfg.StatuspageToken)
	return c.pull(e, statuspage.Source, client.Pull)
}
