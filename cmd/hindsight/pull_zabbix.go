package main

import (
	"errors"

	"github.com/hindsightrca/hindsight/importers/zabbix"
)

// pullZabbixCmd is "hindsight pull zabbix".
type pullZabbixCmd struct {
	recordPullFlags `embed:""`
}

// Run pulls Zabbix problems (by problem event id, or open in the window)
// with their recoveries and updates.
func (c pullZabbixCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	if e.cfg.ZabbixURL == "" || e.cfg.ZabbixToken == "" {
		return usageError{errors.New("pulling from Zabbix needs HINDSIGHT_ZABBIX_URL and an API token: HINDSIGHT_ZABBIX_TOKEN or HINDSIGHT_ZABBIX_TOKEN_FILE")}
	}
	client := zabbix.NewClient(e.cfg.ZabbixURL, e.cfg.ZabbixToken)
	return c.pull(e, zabbix.Source, client.Pull)
}
