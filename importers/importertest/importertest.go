// Package importertest holds what every importer's tests need: a sink that
// records what a parser hands it, inputs made from a file or a string,
// fixture and golden-file comparisons, and the checks fuzz targets make.
package importertest

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// ErrSinkFull is what Recorder.Event returns when FailOn says so.
var ErrSinkFull = errors.New("sink full")

// Recorder is an importers.Sink that keeps every event and rejection.
type Recorder struct {
	Events  []incident.TimelineEvent
	Rejects []importers.Rejection
	// FailOn, when set, makes Event return ErrSinkFull (after recording the
	// event) for the events it matches; n counts events from 1.
	FailOn func(e incident.TimelineEvent, n int) bool
}

// Event records e.
func (r *Recorder) Event(e incident.TimelineEvent) error {
	r.Events = append(r.Events, e)
	if r.FailOn != nil && r.FailOn(e, len(r.Events)) {
		return ErrSinkFull
	}
	return nil
}

// Reject records x.
func (r *Recorder) Reject(x importers.Rejection) { r.Rejects = append(r.Rejects, x) }

// ByID indexes the recorded events by ExternalID.
func (r *Recorder) ByID() map[string]incident.TimelineEvent {
	m := make(map[string]incident.TimelineEvent, len(r.Events))
	for _, e := range r.Events {
		m[e.ExternalID] = e
	}
	return m
}

// FileInput is the single-file input of path.
func FileInput(path string) importers.Input {
	return importers.Input{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// StringInput is a single-file input named name holding s.
func StringInput(name, s string) importers.Input {
	return importers.Input{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }}
}
