package incident

import "time"

// IncidentTicket is the tracker ticket the incident policy filed for an
// incident still not resolved some hours after it started: at most one per
// incident. Key is empty until the tracker answered; Error says why the
// last attempt failed.
type IncidentTicket struct {
	IncidentID int64
	System     string
	Key        string
	URL        string
	Status     string
	Error      string
	Attempts   int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TicketSync is what one ticket sync learned about an action's ticket.
// Error empty means the sync succeeded: Status and SyncedAt are the
// tracker's answer and any old error is cleared. Otherwise Error and
// ErrorAt are stored and the last good status is kept.
type TicketSync struct {
	Status   string
	SyncedAt time.Time
	Error    string
	ErrorAt  time.Time
}
