package slack

import (
	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// recorder is a sink that keeps what it is given.
type recorder struct {
	events  []incident.TimelineEvent
	rejects []importers.Rejection
}

func (r *recorder) Event(e incident.TimelineEvent) error {
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) Reject(x importers.Rejection) { r.rejects = append(r.rejects, x) }

// byID indexes the recorded events by ExternalID.
func (r *recorder) byID() map[string]incident.TimelineEvent {
	m := make(map[string]incident.TimelineEvent, len(r.events))
	for _, e := range r.events {
		m[e.ExternalID] = e
	}
	return m
}
