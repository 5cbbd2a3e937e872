// Package alertmanager reads Prometheus Alertmanager alerts: live webhook
// notifications (webhook_config, payload version 4) and, as files, one
// notification, a JSON array or JSON Lines of them (how webhook captures
// are saved), and the API's alert lists (GET /api/v2/alerts, an array of
// alerts with "status":{"state":…}; /api/v2/alerts/groups; the v1
// {"status":"success","data":[…]} answer).
//
// Every alert of a notification is one alert event; how its status, time
// and dedupe key are read is described in importers/internal/amalert:
// firing → trigger at startsAt, resolved → resolve at endsAt, a zero
// endsAt means still firing, repeats of a firing alert are one event, API
// alerts that are suppressed give suppress events. The thread (alert id)
// is the fingerprint, or a hash of the sorted labels when a sender leaves
// it out.
//
// The event reads the title from annotations summary or title, else the
// alertname label; details from annotations description or message and
// runbook_url; service from the labels service, job or app; host from
// instance, host, node or hostname, kept as written (instance keeps its
// ":port", as Prometheus sets it); severity from severity or priority. The
// link is generatorURL, else the notification's externalURL. All labels,
// the annotations, receiver, group key and a truncatedAlerts count above 0
// are kept in the event's metadata.
//
// A Hindsight incident is named by a label or annotation "incident" or
// "hindsight_incident" (value such as INC-7), or a label value
// "hindsight:INC-7". Alertmanager does not sign deliveries; the hook's
// token authenticates them.
package alertmanager

import (
	"context"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/amalert"
)

// Source is the events' source name.
const Source = "alertmanager"

// tool is the events' actor.
const tool = "Alertmanager"

const want = `an Alertmanager webhook notification {"version":"4","alerts":[…]}, a JSON array or JSON Lines of them, or an API alert list (GET /api/v2/alerts)`

// Importer reads Alertmanager files and webhook deliveries.
type Importer struct{}

// New returns the Alertmanager importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. An alert that cannot be read is
// rejected (its field named, e.g. "alerts[2].startsAt") and the rest of
// its notification is kept.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	return reader().Parse(ctx, in, opts, sink)
}

// ParseDelivery implements importers.HookParser: one notification (or an
// array of them). An alert that cannot be read refuses the delivery.
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	return reader().ParseDelivery(ctx, d, sink)
}

// reader is the shared file and webhook plumbing, told how this source
// names what it reads.
func reader() amalert.Reader {
	return amalert.Reader{
		Source: Source, Tool: tool, FileWant: want,
		NotRecord: "is not an Alertmanager notification, alert group or alert",
		BodyWant:  "an Alertmanager webhook notification",
		BodyShape: `an Alertmanager webhook notification {"version":"4","alerts":[…]}`,
	}
}
