package incident

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// IncidentPatch is a partial update of an incident: only the fields that are
// Set change. Version, when non-nil, must equal the stored version.
type IncidentPatch struct {
	Version        *int
	Title          Opt[string]
	Summary        Opt[string]
	Severity       Opt[Severity]
	Status         Opt[Status]
	Services       Opt[[]string]
	Teams          Opt[[]string]
	Tags           Opt[[]string]
	Commander      Opt[string]
	Visibility     Opt[Visibility]
	RestrictedTo   Opt[[]string]
	CustomerImpact Opt[string]
	StartedAt      Opt[*time.Time]
	DetectedAt     Opt[*time.Time]
	AcknowledgedAt Opt[*time.Time]
	MitigatedAt    Opt[*time.Time]
	ResolvedAt     Opt[*time.Time]

	Public          Opt[bool]
	PublicTitle     Opt[string]
	PublicSummary   Opt[string]
	PublicImpact    Opt[PublicImpact]
	ImpactStartedAt Opt[*time.Time]
	ImpactEndedAt   Opt[*time.Time]
}

// Apply writes the set fields into i and returns the names of the columns it
// changed (the JSON names, which are also the column names).
func (p *IncidentPatch) Apply(i *Incident) []string {
	var cols []string
	set(&cols, "title", p.Title, &i.Title)
	set(&cols, "summary", p.Summary, &i.Summary)
	set(&cols, "severity", p.Severity, &i.Severity)
	set(&cols, "status", p.Status, &i.Status)
	set(&cols, "services", p.Services, &i.Services)
	set(&cols, "teams", p.Teams, &i.Teams)
	set(&cols, "tags", p.Tags, &i.Tags)
	set(&cols, "commander", p.Commander, &i.Commander)
	set(&cols, "visibility", p.Visibility, &i.Visibility)
	set(&cols, "restricted_to", p.RestrictedTo, &i.RestrictedTo)
	set(&cols, "customer_impact", p.CustomerImpact, &i.CustomerImpact)
	set(&cols, "started_at", p.StartedAt, &i.StartedAt)
	set(&cols, "detected_at", p.DetectedAt, &i.DetectedAt)
	set(&cols, "acknowledged_at", p.AcknowledgedAt, &i.AcknowledgedAt)
	set(&cols, "mitigated_at", p.MitigatedAt, &i.MitigatedAt)
	set(&cols, "resolved_at", p.ResolvedAt, &i.ResolvedAt)
	set(&cols, "public", p.Public, &i.Public)
	set(&cols, "public_title", p.PublicTitle, &i.PublicTitle)
	set(&cols, "public_summary", p.PublicSummary, &i.PublicSummary)
	set(&cols, "public_impact", p.PublicImpact, &i.PublicImpact)
	set(&cols, "impact_started_at", p.ImpactStartedAt, &i.ImpactStartedAt)
	set(&cols, "impact_ended_at", p.ImpactEndedAt, &i.ImpactEndedAt)
	return cols
}

// TimelineEventPatch changes how an event is used in the RCA. Correcting
// OccurredAt keeps the original time in OriginalOccurredAt.
type TimelineEventPatch struct {
	Version    *int
	KeyEvent   Opt[bool]
	Hidden     Opt[bool]
	OccurredAt Opt[time.Time]
	Body       Opt[string]
	Actor      Opt[string]
	Kind       Opt[EventKind]
	// Reason says why the event is corrected; it is kept with a correction
	// (of occurred_at, body, actor or kind) and ignored without one.
	Reason Opt[string]
}

// MaxCorrectionReason is the longest reason for a correction, in characters.
const MaxCorrectionReason = 500

// RootCausePatch is a partial update of a root cause.
type RootCausePatch struct {
	Version          *int
	Category         Opt[RootCauseCategory]
	Description      Opt[string]
	EvidenceEventIDs Opt[[]int64]
}

// Apply writes the set fields into rc and returns the changed columns
// ("evidence_event_ids" names the evidence links).
func (p *RootCausePatch) Apply(rc *RootCause) []string {
	var cols []string
	set(&cols, "category", p.Category, &rc.Category)
	set(&cols, "description", p.Description, &rc.Description)
	set(&cols, "evidence_event_ids", p.EvidenceEventIDs, &rc.EvidenceEventIDs)
	return cols
}

// ActionPatch is a partial update of a corrective action.
type ActionPatch struct {
	Version      *int
	Title        Opt[string]
	Description  Opt[string]
	Type         Opt[ActionType]
	Priority     Opt[Priority]
	Owner        Opt[string]
	Team         Opt[string]
	DueDate      Opt[*Date]
	Status       Opt[ActionStatus]
	TicketSystem Opt[string]
	TicketKey    Opt[string]
	TicketURL    Opt[string]
}

// Apply writes the set fields into a and returns the changed columns.
func (p *ActionPatch) Apply(a *CorrectiveAction) []string {
	var cols []string
	set(&cols, "title", p.Title, &a.Title)
	set(&cols, "description", p.Description, &a.Description)
	set(&cols, "type", p.Type, &a.Type)
	set(&cols, "priority", p.Priority, &a.Priority)
	set(&cols, "owner", p.Owner, &a.Owner)
	set(&cols, "team", p.Team, &a.Team)
	set(&cols, "due_date", p.DueDate, &a.DueDate)
	set(&cols, "status", p.Status, &a.Status)
	set(&cols, "ticket_system", p.TicketSystem, &a.TicketSystem)
	set(&cols, "ticket_key", p.TicketKey, &a.TicketKey)
	set(&cols, "ticket_url", p.TicketURL, &a.TicketURL)
	return cols
}

func set[T any](cols *[]string, name string, o Opt[T], dst *T) {
	if !o.Set {
		return
	}
	*dst = o.Value
	*cols = append(*cols, name)
}

// notEmpty reports fields that a patch sets to the empty value (JSON null
// or ""), which would otherwise silently fall back to a default.
func notEmpty(v *ValidationError, field string, set, empty bool) {
	if set && empty {
		v.Add(field, "must not be null or empty")
	}
}

// Check rejects a patch that clears a field the incident cannot do without.
func (p *IncidentPatch) Check() error {
	v := &ValidationError{}
	notEmpty(v, "title", p.Title.Set, p.Title.Value == "")
	notEmpty(v, "severity", p.Severity.Set, p.Severity.Value == "")
	notEmpty(v, "status", p.Status.Set, p.Status.Value == "")
	notEmpty(v, "visibility", p.Visibility.Set, p.Visibility.Value == "")
	return v.Err()
}

// Check rejects a patch that clears a field the event cannot do without.
func (p *TimelineEventPatch) Check() error {
	v := &ValidationError{}
	notEmpty(v, "occurred_at", p.OccurredAt.Set, p.OccurredAt.Value.IsZero())
	notEmpty(v, "body", p.Body.Set, p.Body.Value == "")
	notEmpty(v, "kind", p.Kind.Set, p.Kind.Value == "")
	if p.Reason.Set && utf8.RuneCountInString(strings.TrimSpace(p.Reason.Value)) > MaxCorrectionReason {
		v.Add("reason", "must be at most "+strconv.Itoa(MaxCorrectionReason)+" characters")
	}
	return v.Err()
}

// Check rejects a patch that clears a field the root cause cannot do without.
func (p *RootCausePatch) Check() error {
	v := &ValidationError{}
	notEmpty(v, "category", p.Category.Set, p.Category.Value == "")
	notEmpty(v, "description", p.Description.Set, p.Description.Value == "")
	return v.Err()
}

// Check rejects a patch that clears a field the action cannot do without.
func (p *ActionPatch) Check() error {
	v := &ValidationError{}
	notEmpty(v, "title", p.Title.Set, p.Title.Value == "")
	notEmpty(v, "type", p.Type.Set, p.Type.Value == "")
	notEmpty(v, "priority", p.Priority.Set, p.Priority.Value == "")
	notEmpty(v, "status", p.Status.Set, p.Status.Value == "")
	return v.Err()
}
