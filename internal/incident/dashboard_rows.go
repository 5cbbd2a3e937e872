package incident

import "time"

// DashboardIncident is what the dashboards read of one incident: no text
// but its labels, so that a projection of every incident stays small.
type DashboardIncident struct {
	ID         int64
	Severity   Severity
	Visibility Visibility
	CreatedAt  time.Time
	// The lifecycle times; nil when unknown.
	StartedAt, DetectedAt, AcknowledgedAt, MitigatedAt, ResolvedAt *time.Time
	// Services and Teams are the incident's labels as the store keeps
	// them for filtering (folded, each once).
	Services, Teams []string
	// Principals are those a restricted incident is open to, folded
	// (FoldPrincipal).
	Principals []string
	// RCAPublished says whether one of its RCAs is published, and
	// RCAPublishedAt when (the latest, if several say).
	RCAPublished   bool
	RCAPublishedAt *time.Time
	// RootCauseCategories has the category of each of its root causes
	// (repeated when two share one).
	RootCauseCategories []string
}

// DashboardAction is what the dashboards read of one corrective action.
type DashboardAction struct {
	ID, IncidentID int64
	Status         ActionStatus
	Priority       Priority
	// TeamKey and OwnerKey are the team and owner folded the way the
	// database folds them (SQL lower()), which is how the dashboards group
	// and filter them.
	TeamKey, OwnerKey string
	DueDate           *Date
	CreatedAt         time.Time
	CompletedAt       *time.Time
	UpdatedAt         time.Time
}

// DashboardRows are the dashboard rows of some incidents and of their
// actions.
type DashboardRows struct {
	Incidents []DashboardIncident
	Actions   []DashboardAction
}

// RecurrenceFlag is one recurrence warning as the dashboards count it.
type RecurrenceFlag struct {
	IncidentID, PastIncidentID int64
	Dismissed                  bool
}
