// Package grafana reads Grafana alert notifications sent by a webhook
// contact point: unified alerting (Grafana 8 and later, payload version
// "1": Alertmanager's shape plus orgId, silenceURL, dashboardURL, panelURL,
// values and valueString) and legacy dashboard alerting ({"ruleId",
// "ruleName", "state", "evalMatches", …}). Files hold one payload, a JSON
// array or JSON Lines of them, or an alert list from Grafana's
// Alertmanager-compatible API (/api/alertmanager/grafana/api/v2/alerts).
//
// Unified alerts are read as Alertmanager alerts (importers/internal/
// amalert): one event per alert, firing → trigger at startsAt, resolved →
// resolve at endsAt, a repeat of a firing alert has the same dedupe key.
// The link is generatorURL, else panelURL, dashboardURL or externalURL; the
// values ("B=44.2, C=1") are added to the details.
//
// A legacy notification is one event: state alerting → trigger, ok →
// resolve, no_data → update, paused → suppress, anything else (pending) →
// other. It carries no time: a webhook event is dated when the delivery
// arrived; a record in a file needs a top-level "time" field (RFC 3339 or
// Unix seconds, added when the capture was saved) and is rejected naming
// it otherwise. Its thread is "rule:<orgId>/<ruleId>"; its dedupe key
// hashes org, dashboard, panel, rule, state and time (for webhooks the
// minute of arrival, so a quick retry is recognised). Title is ruleName
// (else title), details the message, the evalMatches and imageUrl, the
// link ruleUrl; service, host and severity come from the tags as from
// unified labels.
//
// A Hindsight incident is named by a label, annotation or legacy tag
// "incident" or "hindsight_incident" (value such as INC-7), or a tag
// "hindsight:INC-7". Grafana does not sign deliveries (basic auth or a
// custom header are the hook receiver's business).
package grafana

import (
	"context"
	"encoding/json"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/amalert"
)

// Source is the events' source name.
const Source = "grafana"

// tool is the events' actor.
const tool = "Grafana"

// TimeField is the top-level field a legacy notification in a file is dated by.
const TimeField = "time"

const want = `a Grafana webhook notification (unified {"alerts":[…]} or legacy {"ruleId",…,"state"}), a JSON array or JSON Lines of them, or an alert list of Grafana's Alertmanager API`

// Importer reads Grafana files and webhook deliveries.
type Importer struct{}

// New returns the Grafana importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. An alert that cannot be read is
// rejected, naming its field, and the rest is kept.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	return reader().Parse(ctx, in, opts, sink)
}

// ParseDelivery implements importers.HookParser: one unified or legacy
// notification. An alert that cannot be read refuses the delivery.
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	return reader().ParseDelivery(ctx, d, sink)
}

// reader is the shared file and webhook plumbing, told how this source
// names what it reads.
func reader() amalert.Reader {
	return amalert.Reader{
		Source: Source, Tool: tool, Record: record, FileWant: want,
		NotRecord: "is not a Grafana notification (unified or legacy) or alert",
		BodyWant:  "a Grafana webhook notification",
		BodyShape: `a Grafana webhook notification: unified {"alerts":[…]} or legacy {"ruleName":…,"state":…}`,
	}
}

// record reads one JSON record: a legacy notification, else anything
// Alertmanager-shaped.
func record(raw json.RawMessage, prefix string, c amalert.Config) (amalert.Result, bool) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return amalert.Result{}, false
	}
	if keys["alerts"] == nil && (keys["ruleId"] != nil || keys["ruleName"] != nil || keys["evalMatches"] != nil) {
		var res amalert.Result
		a, p := legacyAlert(raw, prefix, c)
		if p != nil {
			res.Problems = append(res.Problems, p)
		} else {
			res.Alerts = append(res.Alerts, a)
		}
		return res, true
	}
	return amalert.Record(raw, prefix, c)
}
