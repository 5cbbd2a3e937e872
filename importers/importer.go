// Package importers turns the exports and API answers of the tools teams
// already use (chat, calls, generic CSV/JSON Lines; alerts and tickets later)
// into timeline events. Parsers are pure: they read the input they are given
// and emit events; storing them, deduplicating and counting is done by
// internal/app in one transaction per import.
package importers

import (
	"context"
	"io"
	"io/fs"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Importer parses one source's export format.
type Importer interface {
	// Source names the source ("slack", "teams", "webvtt", …); it becomes
	// the events' Source unless the parser sets a more precise one.
	Source() string
	// Parse reads in and hands every event to sink, in any order. Records
	// that cannot be read are reported with sink.Reject and parsing goes on;
	// an error stops the import (unreadable input, ctx done, sink failure).
	// Events carry ExternalID (the dedupe key within the source), OccurredAt
	// (UTC), OccurredAtText (the timestamp as written), Kind, Actor (display
	// name, not an id), Body (plain text or markdown, never raw HTML),
	// ThreadID/ParentID where the source has threads, and Metadata (e.g.
	// "channel").
	Parse(ctx context.Context, in Input, opts Options, sink Sink) error
}

// Input is what the user handed over: one file, or a folder-shaped export
// (an unpacked folder or a zip, opened as a file system).
type Input struct {
	// Name is the path or file name as the user gave it, for messages.
	Name string
	// FS is set for folder-shaped inputs (a folder or a zip); nil otherwise.
	FS fs.FS
	// Open opens the single file; nil when FS is set.
	Open func() (io.ReadCloser, error)
}

// Options are the choices of one import.
type Options struct {
	// Channels keeps only these channels or rooms (names or ids, as the
	// source knows them); empty keeps all.
	Channels []string
	// Location reads timestamps that carry no zone. Default UTC.
	Location *time.Location
	// Mapping maps our fields (time, actor, text, id, thread, kind, link)
	// to the input's columns or fields, for the generic importers.
	Mapping map[string]string
	// CallStart is when a recorded call began; transcript cue times are
	// offsets from it.
	CallStart *time.Time
}

// Sink receives what a parser finds.
type Sink interface {
	// Event takes one event; an error stops the parse.
	Event(e incident.TimelineEvent) error
	// Reject records a record that could not be read.
	Reject(r Rejection)
}

// Rejection is one input record that could not be read, and why.
type Rejection struct {
	File   string // file inside the export, or the input's name
	Line   int    // 1-based line or record number; 0 when unknown
	Field  string // the offending field, when known
	Reason string
}
