package incident

import "time"

// Recurrence is a warning that an incident looks very much like a past one
// whose corrective actions were all closed: the actions did not prevent it.
type Recurrence struct {
	ID             int64
	IncidentID     int64
	PastIncidentID int64
	// Relative is how similar the past incident is, as a share of how
	// similar the incident is to itself (1 = identical).
	Relative float64
	// Score is the raw similarity score.
	Score float64
	// Reasons say why the two look alike.
	Reasons []MatchReason
	// ActionsClosed is how many corrective actions the past incident had
	// closed when the flag was raised.
	ActionsClosed int
	CreatedAt     time.Time
	DismissedAt   *time.Time
	DismissedBy   string
	// Incident and Past describe the two incidents when the recurrence was
	// read from a list (zero after an insert).
	Incident IncidentRef
	Past     IncidentRef
}

// MatchReason is one reason two incidents are alike: a kind (terms,
// service, tag, category, team), the shared values and a sentence.
type MatchReason struct {
	Kind   string   `json:"kind"`
	Values []string `json:"values"`
	Text   string   `json:"text"`
}

// IncidentRef is what a list shows of an incident it points at, with what
// deciding its visibility takes.
type IncidentRef struct {
	ID           int64
	Key          string
	Title        string
	Status       Status
	Visibility   Visibility
	RestrictedTo []string
}

// RecurrenceFilter selects recurrence warnings, newest first.
type RecurrenceFilter struct {
	// IncidentID keeps the warnings of one (new) incident; 0 keeps all.
	IncidentID int64
	// IncludeDismissed keeps dismissed warnings too.
	IncludeDismissed bool
	// Exclude leaves out these warnings.
	Exclude []int64
	Limit   int
	Cursor  *Cursor
	// Viewer is who lists: warnings where either incident is one it may
	// not see are left out of the page and the total. The zero Viewer
	// sees internal incidents only.
	Viewer Viewer
}
