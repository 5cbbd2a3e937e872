package incident

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// EventKind says what a timeline event is.
type EventKind string

// Event kinds.
const (
	KindChat   EventKind = "chat"
	KindAlert  EventKind = "alert"
	KindTicket EventKind = "ticket"
	KindStatus EventKind = "status"
	KindCall   EventKind = "call"
	KindNote   EventKind = "note"
	KindChange EventKind = "change"
)

// EventKinds lists every valid event kind.
var EventKinds = []EventKind{KindChat, KindAlert, KindTicket, KindStatus, KindCall, KindNote, KindChange}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool { return oneOf(k, EventKinds) }

// SourceManual marks events typed in by a person.
const SourceManual = "manual"

var sourceRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// TimelineEvent is one dated fact about an incident: a chat message, an
// alert, a ticket change, a call, a note.
type TimelineEvent struct {
	ID         int64
	IncidentID int64
	OccurredAt time.Time
	// OriginalOccurredAt keeps the time as first recorded once someone corrects OccurredAt.
	OriginalOccurredAt *time.Time
	// OccurredAtText is the timestamp exactly as the source wrote it.
	OccurredAtText string
	Source         string
	Kind           EventKind
	Actor          string
	Body           string
	Link           string
	// ExternalID identifies the event at its source; (incident, source, external id) is unique.
	ExternalID    string
	ThreadID      string
	ParentID      string
	Metadata      map[string]any
	KeyEvent      bool
	Hidden        bool
	ImportBatchID *int64
	CorrectedBy   string
	CorrectedAt   *time.Time
	// CorrectionReason says why the last correction was made ("" when none was given).
	CorrectionReason string
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Normalize trims text, defaults source and kind, and brings times to UTC.
func (e *TimelineEvent) Normalize() {
	e.Source = strings.ToLower(strings.TrimSpace(e.Source))
	if e.Source == "" {
		e.Source = SourceManual
	}
	if e.Kind == "" {
		e.Kind = KindNote
	}
	e.Actor = strings.TrimSpace(CleanText(e.Actor))
	e.ExternalID = strings.TrimSpace(CleanText(e.ExternalID))
	e.Link = strings.TrimSpace(CleanText(e.Link))
	e.Body = CleanText(e.Body)
	e.OccurredAtText = CleanText(e.OccurredAtText)
	e.ThreadID = CleanText(e.ThreadID)
	e.ParentID = CleanText(e.ParentID)
	if !e.OccurredAt.IsZero() {
		e.OccurredAt = UTC(e.OccurredAt)
	}
	e.OriginalOccurredAt = UTCPtr(e.OriginalOccurredAt)
}

// Validate checks the event's fields.
func (e *TimelineEvent) Validate() error {
	v := &ValidationError{}
	if e.OccurredAt.IsZero() {
		v.Add("occurred_at", "is required (RFC 3339, e.g. 2026-01-02T15:04:05Z)")
	} else if !TimeInRange(e.OccurredAt) {
		v.Add("occurred_at", outOfRange)
	}
	if !sourceRe.MatchString(e.Source) {
		v.Add("source", "must be a lower-case name such as slack, pagerduty or manual")
	}
	if !e.Kind.Valid() {
		v.Add("kind", "must be one of chat, alert, ticket, status, call, note, change")
	}
	if strings.TrimSpace(e.Body) == "" {
		v.Add("body", "is required")
	} else if utf8.RuneCountInString(e.Body) > MaxBody {
		v.Add("body", "must be at most "+strconv.Itoa(MaxBody)+" characters")
	}
	if utf8.RuneCountInString(e.Actor) > MaxName {
		v.Add("actor", "must be at most "+strconv.Itoa(MaxName)+" characters")
	}
	if len(e.ExternalID) > 500 {
		v.Add("external_id", "must be at most 500 bytes")
	}
	if len(e.Link) > 2000 {
		v.Add("link", "must be at most 2000 bytes")
	} else if e.Link != "" && !strings.HasPrefix(e.Link, "https://") && !strings.HasPrefix(e.Link, "http://") {
		v.Add("link", "must be an http(s) URL")
	}
	return v.Err()
}

// DedupeKey is the key under which an event is a duplicate of another in the
// same incident; events without an external id are never duplicates.
func (e *TimelineEvent) DedupeKey() (string, bool) {
	if e.ExternalID == "" {
		return "", false
	}
	return e.Source + "\x00" + e.ExternalID, true
}

// AppendResult tells what an append of timeline events did.
type AppendResult struct {
	Added      []TimelineEvent
	Duplicates int
}
