package api

import (
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The response types: the JSON the API writes. They are separate from the
// domain structs so the wire format is stated in one place and changes to
// the domain do not leak onto the wire by accident. Times are UTC.

// pageJSON is one page of a list.
type pageJSON[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
	Total      int    `json:"total"`
}

func toPageJSON[D, T any](p incident.Page[D], conv func(D) T) pageJSON[T] {
	items := make([]T, len(p.Items))
	for i, d := range p.Items {
		items[i] = conv(d)
	}
	return pageJSON[T]{Items: items, NextCursor: p.NextCursor, Total: p.Total}
}

// incidentJSON is an incident as the API shows it.
type incidentJSON struct {
	ID             int64               `json:"id"`
	Key            string              `json:"key"`
	Title          string              `json:"title"`
	Summary        string              `json:"summary"`
	Severity       incident.Severity   `json:"severity"`
	Status         incident.Status     `json:"status"`
	Services       []string            `json:"services"`
	Teams          []string            `json:"teams"`
	Tags           []string            `json:"tags"`
	Commander      string              `json:"commander"`
	Visibility     incident.Visibility `json:"visibility"`
	RestrictedTo   []string            `json:"restricted_to"`
	CustomerImpact string              `json:"customer_impact"`
	StartedAt      *time.Time          `json:"started_at"`
	DetectedAt     *time.Time          `json:"detected_at"`
	AcknowledgedAt *time.Time          `json:"acknowledged_at"`
	MitigatedAt    *time.Time          `json:"mitigated_at"`
	ResolvedAt     *time.Time          `json:"resolved_at"`
	Durations      durationsJSON       `json:"durations"`
	incidentPublicJSON
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// durationsJSON are the derived lifecycle durations in whole seconds (see
// incident.Durations for what each measures); null when an end is unknown.
type durationsJSON struct {
	TimeToDetect      *int64 `json:"time_to_detect"`
	TimeToAcknowledge *int64 `json:"time_to_acknowledge"`
	TimeToMitigate    *int64 `json:"time_to_mitigate"`
	TimeToResolve     *int64 `json:"time_to_resolve"`
}

func toIncidentJSON(i incident.Incident) incidentJSON {
	d := i.Durations()
	return incidentJSON{
		ID: i.ID, Key: i.Key, Title: i.Title, Summary: i.Summary,
		Severity: i.Severity, Status: i.Status,
		Services: strings0(i.Services), Teams: strings0(i.Teams), Tags: strings0(i.Tags),
		Commander: i.Commander, Visibility: i.Visibility, RestrictedTo: strings0(i.RestrictedTo),
		CustomerImpact: i.CustomerImpact,
		StartedAt:      utcPtr(i.StartedAt), DetectedAt: utcPtr(i.DetectedAt),
		AcknowledgedAt: utcPtr(i.AcknowledgedAt), MitigatedAt: utcPtr(i.MitigatedAt),
		ResolvedAt: utcPtr(i.ResolvedAt),
		Durations: durationsJSON{
			TimeToDetect:      seconds(d.ToDetect),
			TimeToAcknowledge: seconds(d.ToAcknowledge),
			TimeToMitigate:    seconds(d.ToMitigate),
			TimeToResolve:     seconds(d.ToResolve),
		},
		incidentPublicJSON: toIncidentPublicJSON(i),
		Version:            i.Version, CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC(),
	}
}

// seconds is d in whole seconds, or nil when unknown.
func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

// eventJSON is a timeline event as the API shows it.
type eventJSON struct {
	ID                 int64              `json:"id"`
	IncidentID         int64              `json:"incident_id"`
	Source             string             `json:"source"`
	ExternalID         string             `json:"external_id"`
	OccurredAt         time.Time          `json:"occurred_at"`
	OriginalOccurredAt *time.Time         `json:"original_occurred_at"`
	OccurredAtText     string             `json:"occurred_at_text"`
	Kind               incident.EventKind `json:"kind"`
	Actor              string             `json:"actor"`
	Body               string             `json:"body"`
	Link               string             `json:"link"`
	ThreadID           string             `json:"thread_id"`
	ParentID           string             `json:"parent_id"`
	Metadata           map[string]any     `json:"metadata"`
	KeyEvent           bool               `json:"key_event"`
	Hidden             bool               `json:"hidden"`
	ImportBatchID      *int64             `json:"import_batch_id"`
	CorrectedBy        string             `json:"corrected_by"`
	CorrectedAt        *time.Time         `json:"corrected_at"`
	CorrectionReason   string             `json:"correction_reason"`
	Version            int                `json:"version"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
}

func toEventJSON(e incident.TimelineEvent) eventJSON {
	md := e.Metadata
	if md == nil {
		md = map[string]any{}
	}
	return eventJSON{
		ID: e.ID, IncidentID: e.IncidentID, Source: e.Source, ExternalID: e.ExternalID,
		OccurredAt: e.OccurredAt.UTC(), OriginalOccurredAt: utcPtr(e.OriginalOccurredAt),
		OccurredAtText: e.OccurredAtText, Kind: e.Kind, Actor: e.Actor, Body: e.Body,
		Link: e.Link, ThreadID: e.ThreadID, ParentID: e.ParentID, Metadata: md,
		KeyEvent: e.KeyEvent, Hidden: e.Hidden, ImportBatchID: e.ImportBatchID,
		CorrectedBy: e.CorrectedBy, CorrectedAt: utcPtr(e.CorrectedAt), CorrectionReason: e.CorrectionReason,
		Version: e.Version, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(),
	}
}

// appendJSON is the answer to a timeline append.
type appendJSON struct {
	Added      int         `json:"added"`
	Duplicates int         `json:"duplicates"`
	Items      []eventJSON `json:"items"`
}

// rcaJSON is an RCA as the API shows it.
type rcaJSON struct {
	ID         int64              `json:"id"`
	IncidentID int64              `json:"incident_id"`
	Template   string             `json:"template"`
	Status     incident.RCAStatus `json:"status"`
	Sections   []sectionJSON      `json:"sections"`
	Version    int                `json:"version"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
	UpdatedBy  string             `json:"updated_by"`
	// The review state (review_handlers.go).
	Reviewers   []reviewerJSON `json:"reviewers"`
	ReviewRound int            `json:"review_round"`
	PublishedAt *time.Time     `json:"published_at"`
	PublishedBy string         `json:"published_by"`
	AmendReason string         `json:"amend_reason"`
}

// sectionJSON is one RCA section; it is also the request shape of a section.
type sectionJSON struct {
	Key      string            `json:"key"`
	Title    string            `json:"title"`
	Body     string            `json:"body"`
	Audience incident.Audience `json:"audience"`
	Help     string            `json:"help"`
	Required bool              `json:"required"`
	Block    incident.Block    `json:"block"`
}

func toSectionJSON(s incident.Section) sectionJSON {
	return sectionJSON{Key: s.Key, Title: s.Title, Body: s.Body, Audience: s.Audience,
		Help: s.Help, Required: s.Required, Block: s.Block}
}

func (s sectionJSON) domain() incident.Section {
	return incident.Section{Key: s.Key, Title: s.Title, Body: s.Body, Audience: s.Audience,
		Help: s.Help, Required: s.Required, Block: s.Block}
}

func toRCAJSON(r incident.RCA) rcaJSON {
	secs := make([]sectionJSON, len(r.Sections))
	for i, s := range r.Sections {
		secs[i] = toSectionJSON(s)
	}
	return rcaJSON{
		ID: r.ID, IncidentID: r.IncidentID, Template: r.Template, Status: r.Status,
		Sections: secs, Version: r.Version, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy,
		Reviewers: toReviewersJSON(r.Reviewers), ReviewRound: r.ReviewRound, PublishedAt: utcPtr(r.PublishedAt),
		PublishedBy: r.PublishedBy, AmendReason: r.AmendReason,
	}
}

// rootCauseJSON is a root cause as the API shows it.
type rootCauseJSON struct {
	ID               int64                      `json:"id"`
	IncidentID       int64                      `json:"incident_id"`
	Description      string                     `json:"description"`
	Category         incident.RootCauseCategory `json:"category"`
	EvidenceEventIDs []int64                    `json:"evidence_event_ids"`
	Version          int                        `json:"version"`
	CreatedAt        time.Time                  `json:"created_at"`
	UpdatedAt        time.Time                  `json:"updated_at"`
}

func toRootCauseJSON(rc incident.RootCause) rootCauseJSON {
	ids := rc.EvidenceEventIDs
	if ids == nil {
		ids = []int64{}
	}
	return rootCauseJSON{
		ID: rc.ID, IncidentID: rc.IncidentID, Description: rc.Description,
		Category: rc.Category, EvidenceEventIDs: ids, Version: rc.Version,
		CreatedAt: rc.CreatedAt.UTC(), UpdatedAt: rc.UpdatedAt.UTC(),
	}
}

// actionJSON is a corrective action as the API shows it.
type actionJSON struct {
	ID          int64               `json:"id"`
	IncidentID  int64               `json:"incident_id"`
	IncidentKey string              `json:"incident_key"`
	Title       string              `json:"title"`
	Description string              `json:"description"`
	Type        incident.ActionType `json:"type"`
	Priority    incident.Priority   `json:"priority"`
	Owner       string              `json:"owner"`
	Team        string              `json:"team"`
	DueDate     *incident.Date      `json:"due_date"`
	// DueDateSource is "policy" when the action policy set the due date,
	// "manual" when a person did, null when there is none.
	DueDateSource *string               `json:"due_date_source"`
	Status        incident.ActionStatus `json:"status"`
	CompletedAt   *time.Time            `json:"completed_at"`
	Overdue       bool                  `json:"overdue"`
	Ticket        *ticketJSON           `json:"ticket"`
	Version       int                   `json:"version"`
	CreatedAt     time.Time             `json:"created_at"`
	UpdatedAt     time.Time             `json:"updated_at"`
}

// ticketJSON is the tracker ticket linked to an action.
type ticketJSON struct {
	System   string     `json:"system"`
	Key      string     `json:"key"`
	URL      string     `json:"url"`
	Status   string     `json:"status"`
	SyncedAt *time.Time `json:"synced_at"`
	// SyncError is why the last sync or creation failed (empty after a
	// success), with its time.
	SyncError   string     `json:"sync_error"`
	SyncErrorAt *time.Time `json:"sync_error_at"`
}

func toActionJSON(a incident.CorrectiveAction, today incident.Date) actionJSON {
	var t *ticketJSON
	if a.TicketSystem != "" || a.TicketKey != "" || a.TicketURL != "" {
		t = &ticketJSON{
			System: a.TicketSystem, Key: a.TicketKey, URL: a.TicketURL,
			Status: a.TicketStatus, SyncedAt: utcPtr(a.TicketSyncedAt),
			SyncError: a.TicketSyncError, SyncErrorAt: utcPtr(a.TicketSyncErrorAt),
		}
	}
	return actionJSON{
		ID: a.ID, IncidentID: a.IncidentID, IncidentKey: a.IncidentKey,
		Title: a.Title, Description: a.Description, Type: a.Type, Priority: a.Priority,
		Owner: a.Owner, Team: a.Team, DueDate: a.DueDate, DueDateSource: dueDateSource(a), Status: a.Status,
		CompletedAt: utcPtr(a.CompletedAt), Overdue: a.Overdue(today), Ticket: t,
		Version: a.Version, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
}

// strings0 returns s, or an empty slice for nil so JSON shows [] not null.
func strings0(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
