package incident

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ActionType says what a corrective action does about the incident.
type ActionType string

// Action types.
const (
	ActionCorrective ActionType = "corrective"
	ActionPreventive ActionType = "preventive"
	ActionDetective  ActionType = "detective"
	ActionMitigation ActionType = "mitigation"
)

// ActionTypes lists every valid action type.
var ActionTypes = []ActionType{ActionCorrective, ActionPreventive, ActionDetective, ActionMitigation}

// Valid reports whether t is a known action type.
func (t ActionType) Valid() bool { return oneOf(t, ActionTypes) }

// Priority ranks a corrective action.
type Priority string

// Priorities, most urgent first.
const (
	PriorityCritical Priority = "critical"
	PriorityHigh     Priority = "high"
	PriorityMedium   Priority = "medium"
	PriorityLow      Priority = "low"
)

// Priorities lists every valid priority.
var Priorities = []Priority{PriorityCritical, PriorityHigh, PriorityMedium, PriorityLow}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return oneOf(p, Priorities) }

// ActionStatus is where a corrective action is.
type ActionStatus string

// Action statuses.
const (
	ActionOpen       ActionStatus = "open"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionWontDo     ActionStatus = "wont_do"
)

// ActionStatuses lists every valid action status.
var ActionStatuses = []ActionStatus{ActionOpen, ActionInProgress, ActionDone, ActionWontDo}

// Valid reports whether s is a known status.
func (s ActionStatus) Valid() bool { return oneOf(s, ActionStatuses) }

// Closed reports whether the action needs no more work.
func (s ActionStatus) Closed() bool { return s == ActionDone || s == ActionWontDo }

// CorrectiveAction is one thing to do so the incident does not happen again
// (or hurts less next time).
type CorrectiveAction struct {
	ID          int64
	IncidentID  int64
	IncidentKey string // filled on reads, for lists across incidents
	Title       string
	Description string
	Type        ActionType
	Priority    Priority
	Owner       string
	Team        string
	DueDate     *Date
	// DueDateSource is DueDateFromPolicy when the action policy set
	// DueDate, empty when a person did (or there is none).
	DueDateSource string
	Status        ActionStatus
	CompletedAt   *time.Time

	TicketSystem   string
	TicketKey      string
	TicketURL      string
	TicketStatus   string
	TicketSyncedAt *time.Time
	// TicketSyncError is why the last ticket sync (or creation) failed,
	// with its time; empty after a success. Ticket sync owns both.
	TicketSyncError   string
	TicketSyncErrorAt *time.Time

	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Normalize trims text and defaults the enums.
func (a *CorrectiveAction) Normalize() {
	a.Title = strings.TrimSpace(CleanText(a.Title))
	a.Description = strings.TrimSpace(CleanText(a.Description))
	a.Owner = strings.TrimSpace(CleanText(a.Owner))
	a.Team = strings.TrimSpace(CleanText(a.Team))
	a.TicketSystem = strings.TrimSpace(CleanText(a.TicketSystem))
	a.TicketKey = strings.TrimSpace(CleanText(a.TicketKey))
	a.TicketURL = strings.TrimSpace(CleanText(a.TicketURL))
	a.TicketStatus = CleanText(a.TicketStatus)
	if a.Type == "" {
		a.Type = ActionCorrective
	}
	if a.Priority == "" {
		a.Priority = PriorityMedium
	}
	if a.Status == "" {
		a.Status = ActionOpen
	}
	a.CompletedAt = UTCPtr(a.CompletedAt)
}

// Validate checks the action's fields.
func (a *CorrectiveAction) Validate() error {
	v := &ValidationError{}
	switch {
	case a.Title == "":
		v.Add("title", "is required")
	case utf8.RuneCountInString(a.Title) > MaxTitle:
		v.Add("title", "must be at most "+strconv.Itoa(MaxTitle)+" characters")
	}
	if utf8.RuneCountInString(a.Description) > MaxSummary {
		v.Add("description", "must be at most "+strconv.Itoa(MaxSummary)+" characters")
	}
	if !a.Type.Valid() {
		v.Add("type", "must be one of corrective, preventive, detective, mitigation")
	}
	if !a.Priority.Valid() {
		v.Add("priority", "must be one of critical, high, medium, low")
	}
	if !a.Status.Valid() {
		v.Add("status", "must be one of open, in_progress, done, wont_do")
	}
	if utf8.RuneCountInString(a.Owner) > MaxName {
		v.Add("owner", "must be at most "+strconv.Itoa(MaxName)+" characters")
	}
	if utf8.RuneCountInString(a.Team) > MaxName {
		v.Add("team", "must be at most "+strconv.Itoa(MaxName)+" characters")
	}
	if a.TicketURL != "" && !strings.HasPrefix(a.TicketURL, "https://") && !strings.HasPrefix(a.TicketURL, "http://") {
		v.Add("ticket_url", "must be an http(s) URL")
	}
	return v.Err()
}

// Overdue reports whether the action is still open after its due date, as
// seen on the given day.
func (a *CorrectiveAction) Overdue(today Date) bool {
	return !a.Status.Closed() && a.DueDate != nil && a.DueDate.Before(today)
}

// Date is a calendar day without a time zone, written YYYY-MM-DD.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.String() < o.String() }

// AddDays returns the day n days after d.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n))
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a date string YYYY-MM-DD")
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
