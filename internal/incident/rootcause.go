package incident

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RootCauseCategory classifies a root cause (the taxonomy reports group by).
type RootCauseCategory string

// Root-cause categories.
const (
	CategoryConfigChange RootCauseCategory = "config-change"
	CategoryDeploy       RootCauseCategory = "deploy"
	CategoryCapacity     RootCauseCategory = "capacity"
	CategoryDependency   RootCauseCategory = "dependency"
	CategoryHardware     RootCauseCategory = "hardware"
	CategorySoftwareBug  RootCauseCategory = "software-bug"
	CategoryProcess      RootCauseCategory = "process"
	CategorySecurity     RootCauseCategory = "security"
	CategoryNetwork      RootCauseCategory = "network"
	CategoryData         RootCauseCategory = "data"
	CategoryTime         RootCauseCategory = "time"
	CategoryUnknown      RootCauseCategory = "unknown"
)

// RootCauseCategories lists the taxonomy.
var RootCauseCategories = []RootCauseCategory{
	CategoryConfigChange, CategoryDeploy, CategoryCapacity, CategoryDependency,
	CategoryHardware, CategorySoftwareBug, CategoryProcess, CategorySecurity,
	CategoryNetwork, CategoryData, CategoryTime, CategoryUnknown,
}

// Valid reports whether c is in the taxonomy.
func (c RootCauseCategory) Valid() bool { return oneOf(c, RootCauseCategories) }

// MaxEvidence bounds the events one root cause may cite.
const MaxEvidence = 200

// RootCause is one reason the incident happened, with the timeline events
// that show it.
type RootCause struct {
	ID               int64
	IncidentID       int64
	Category         RootCauseCategory
	Description      string
	EvidenceEventIDs []int64
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Normalize defaults the category and drops repeated evidence ids.
func (rc *RootCause) Normalize() {
	rc.Description = strings.TrimSpace(CleanText(rc.Description))
	if rc.Category == "" {
		rc.Category = CategoryUnknown
	}
	out := make([]int64, 0, len(rc.EvidenceEventIDs))
	seen := map[int64]bool{}
	for _, id := range rc.EvidenceEventIDs {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	rc.EvidenceEventIDs = out
}

// Validate checks the fields; whether the evidence events belong to the
// incident is checked where the database is at hand.
func (rc *RootCause) Validate() error {
	v := &ValidationError{}
	if !rc.Category.Valid() {
		names := make([]string, len(RootCauseCategories))
		for i, c := range RootCauseCategories {
			names[i] = string(c)
		}
		v.Add("category", "must be one of "+strings.Join(names, ", "))
	}
	switch {
	case rc.Description == "":
		v.Add("description", "is required")
	case utf8.RuneCountInString(rc.Description) > MaxSummary:
		v.Add("description", "must be at most "+strconv.Itoa(MaxSummary)+" characters")
	}
	if len(rc.EvidenceEventIDs) > MaxEvidence {
		v.Add("evidence_event_ids", "must have at most "+strconv.Itoa(MaxEvidence)+" entries")
	}
	for i, id := range rc.EvidenceEventIDs {
		if id <= 0 {
			v.Add("evidence_event_ids["+strconv.Itoa(i)+"]", "must be a timeline event id")
		}
	}
	return v.Err()
}
