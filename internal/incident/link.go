package incident

import "time"

// LinkPostmortem is the system of links to the post-mortem an incident was
// imported from (its published url, or the file's SHA-256).
const LinkPostmortem = "postmortem"

// Link says an incident was built from something elsewhere: a ticket
// imported or pulled into its timeline (System jira, redmine, …) or the
// post-mortem it was imported from.
type Link struct {
	ID           int64
	IncidentID   int64
	System       string
	Key          string
	URL          string
	Title        string
	CreatedAt    time.Time
	LastPulledAt *time.Time
}
