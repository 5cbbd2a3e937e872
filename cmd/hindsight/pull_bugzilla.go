package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/bugzilla"
)

// pullBugzillaCmd is "hindsight pull bugzilla".
type pullBugzillaCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls the Bugzilla bugs given with --id (123, Bug 123 or an alias),
// with their comments and history, into the incident.
func (c pullBugzillaCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.BugzillaURL == "" || e.cfg.BugzillaKey == "" {
		return usageError{errors.New("pulling from Bugzilla needs HINDSIGHT_BUGZILLA_URL and an API key: HINDSIGHT_BUGZILLA_KEY or HINDSIGHT_BUGZILLA_KEY_FILE")}
	}
	client := bugzilla.NewClient(e.cfg.BugzillaURL, e.cfg.BugzillaKey)
	return c.pull(e, bugzilla.Source, client.Pull)
}
