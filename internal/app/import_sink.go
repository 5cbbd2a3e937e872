package app

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// importSink receives a parser's events inside the import's transaction and
// stores them in chunks as they come, so memory stays bounded by the chunk
// size. Only with "threads touching the window" are the events outside the
// window held until the end, when it is known which threads touch it.
type importSink struct {
	ctx      context.Context
	source   string
	file     string
	from, to *time.Time
	threads  bool
	// store inserts one chunk and returns what it added.
	store    func([]incident.TimelineEvent) ([]incident.TimelineEvent, int, error)
	progress func(int)
	// links gathers the tickets the events belong to.
	links linkCollector
	// publicText is the newest customer-facing text (a status page's).
	publicText   string
	publicTextAt time.Time
	// discard stops storing once a rejection dooms the import.
	discard func() bool

	pending  []incident.TimelineEvent
	held     []incident.TimelineEvent // outside the window, waiting for their thread
	touching map[string]bool          // thread keys with a message in the window

	parsed, added, duplicates, filtered, rejected int
	preview                                       []incident.TimelineEvent
	rejections                                    []importers.Rejection
}

// Event implements importers.Sink.
func (s *importSink) Event(e incident.TimelineEvent) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if e.Source == "" {
		e.Source = s.source
	}
	clean := incident.TimelineEvent{
		OccurredAt: e.OccurredAt, OccurredAtText: e.OccurredAtText, Source: e.Source, Kind: e.Kind,
		Actor: e.Actor, Body: e.Body, Link: e.Link, ExternalID: e.ExternalID,
		ThreadID: e.ThreadID, ParentID: e.ParentID, Metadata: e.Metadata,
	}
	clean.Normalize()
	if s.links != nil {
		s.links.add(clean)
	}
	if t, _ := clean.Metadata[importers.MetaPublicText].(string); t != "" && !clean.OccurredAt.Before(s.publicTextAt) {
		s.publicText, s.publicTextAt = t, clean.OccurredAt
	}
	if err := clean.Validate(); err != nil {
		var verr *incident.ValidationError
		if !errors.As(err, &verr) {
			return err
		}
		// One rejection per event, naming its first problem.
		fields := slices.Sorted(maps.Keys(verr.Fields))
		reason := verr.Fields[fields[0]]
		if clean.ExternalID != "" {
			reason = "event " + clean.ExternalID + ": " + reason
		}
		s.Reject(importers.Rejection{File: s.file, Field: fields[0], Reason: reason})
		return nil
	}
	s.parsed++
	if s.progress != nil && s.parsed%progressEvery == 0 {
		s.progress(s.parsed)
	}
	switch {
	case s.inWindow(clean):
		if s.threads {
			if k := threadKey(clean); k != "" {
				s.touching[k] = true
			}
		}
		return s.keep(clean)
	case s.threads:
		s.held = append(s.held, clean)
	default:
		s.filtered++
	}
	return nil
}

// Reject implements importers.Sink.
func (s *importSink) Reject(r importers.Rejection) {
	s.rejected++
	if len(s.rejections) < MaxRejections {
		if r.File == "" {
			r.File = s.file
		}
		s.rejections = append(s.rejections, r)
	}
}

func (s *importSink) inWindow(e incident.TimelineEvent) bool {
	return (s.from == nil || !e.OccurredAt.Before(*s.from)) && (s.to == nil || !e.OccurredAt.After(*s.to))
}

// keep queues e for storing and stores a full chunk.
func (s *importSink) keep(e incident.TimelineEvent) error {
	if len(s.preview) < PreviewEvents {
		s.preview = append(s.preview, e)
	}
	if s.discard() {
		return nil
	}
	s.pending = append(s.pending, e)
	if len(s.pending) >= importChunk {
		return s.flush()
	}
	return nil
}

func (s *importSink) flush() error {
	if len(s.pending) == 0 || s.discard() {
		s.pending = s.pending[:0]
		return nil
	}
	added, dups, err := s.store(s.pending)
	if err != nil {
		return err
	}
	s.added += len(added)
	s.duplicates += dups
	s.pending = s.pending[:0]
	return nil
}

// finish keeps the held events whose thread touches the window and stores
// what is left.
func (s *importSink) finish() error {
	for _, e := range s.held {
		if k := threadKey(e); k != "" && s.touching[k] {
			if err := s.keep(e); err != nil {
				return err
			}
			continue
		}
		s.filtered++
	}
	s.held = nil
	if s.progress != nil {
		s.progress(s.parsed)
	}
	return s.flush()
}

// threadKey names the thread an event belongs to: its thread id, else its
// parent, else itself (a root is named by its own external id).
func threadKey(e incident.TimelineEvent) string {
	switch {
	case e.ThreadID != "":
		return e.ThreadID
	case e.ParentID != "":
		return e.ParentID
	}
	return e.ExternalID
}
