package importertest

import (
	"context"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Want says what a fuzz target demands of every event and rejection a
// parser gave for arbitrary bytes. Every event needs an external id and
// must pass Validate once normalised; every rejection needs File and a
// line.
type Want struct {
	// File is the name of the fuzzed input, which every rejection carries.
	File string
	// Reason demands that every rejection says why.
	Reason bool
	// Alert demands events of kind alert.
	Alert bool
	// Complete demands a time, a non-blank body and a thread.
	Complete bool
	// Tolerate lists parts of Validate errors that are accepted, for
	// parsers that keep what the timeline refuses later (a time out of
	// range, a body over the length limit).
	Tolerate []string
}

// Check fails t unless events and rejects are what w demands.
func Check(t testing.TB, w Want, events []incident.TimelineEvent, rejects []importers.Rejection) {
	t.Helper()
	for _, e := range events {
		if e.ExternalID == "" || w.Alert && e.Kind != incident.KindAlert ||
			w.Complete && (e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" || e.ThreadID == "") {
			t.Fatalf("incomplete event %#v", e)
		}
		e.Normalize()
		if err := e.Validate(); err != nil && !tolerated(err, w.Tolerate) {
			t.Fatalf("invalid event %#v: %v", e, err)
		}
	}
	for _, rej := range rejects {
		if rej.File != w.File || rej.Line < 1 || w.Reason && rej.Reason == "" {
			t.Fatalf("rejection without position: %#v", rej)
		}
	}
}

func tolerated(err error, parts []string) bool {
	for _, p := range parts {
		if strings.Contains(err.Error(), p) {
			return true
		}
	}
	return false
}

// Deliver hands d to p and returns what it gave; a refused delivery that
// handed over events fails t, as a delivery is all or nothing.
func Deliver(t testing.TB, p importers.HookParser, d importers.Delivery) (*Recorder, error) {
	t.Helper()
	var r Recorder
	err := p.ParseDelivery(context.Background(), d, &r)
	if err != nil && len(r.Events) > 0 {
		t.Fatalf("a refused delivery gave %d events", len(r.Events))
	}
	return &r, err
}

// ParseString runs imp on an input named name holding data and returns
// what it gave; its error is dropped, as fuzz targets only check output.
func ParseString(imp importers.Importer, name, data string, opts importers.Options) *Recorder {
	var r Recorder
	_ = imp.Parse(context.Background(), StringInput(name, data), opts, &r)
	return &r
}
