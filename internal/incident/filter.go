package incident

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// Page is one page of a list: Items, the cursor of the next page ("" on the
// last) and the total that matched the filter.
type Page[T any] struct {
	Items      []T
	NextCursor string
	Total      int
}

// Default and maximum page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// SortOrder is the order of an incident list.
type SortOrder struct {
	Field string // "created_at", "updated_at", "started_at", "severity", "key"
	Desc  bool
}

// IncidentSortFields lists the fields an incident list can be sorted by.
var IncidentSortFields = []string{"created_at", "updated_at", "started_at", "severity", "key"}

// IncidentFilter selects incidents. Zero fields do not filter.
type IncidentFilter struct {
	Statuses      []Status
	Severities    []Severity
	Service       string
	Tag           string
	Team          string
	StartedAfter  *time.Time
	StartedBefore *time.Time
	Sort          SortOrder
	Limit         int
	// After continues a list after this position (decoded from a cursor).
	After *Cursor
	// Viewer is who lists: incidents it may not see are left out of the
	// page and the total. The zero Viewer sees internal incidents only.
	Viewer Viewer
}

// Cursor is the position of the last row of a page under a sort: the value
// of the sort field (as text) and the id that breaks ties.
type Cursor struct {
	Value string `json:"v"`
	ID    int64  `json:"id"`
}

// TimelineFilter selects the events of one incident, ordered by time.
type TimelineFilter struct {
	IncidentID    int64
	Sources       []string
	Kinds         []EventKind
	Actor         string
	KeyOnly       bool
	IncludeHidden bool
	After         *time.Time // occurred at or after
	Before        *time.Time // occurred before
	Limit         int
	Cursor        *Cursor
}

// ActionFilter selects corrective actions, across incidents or in one.
type ActionFilter struct {
	IncidentID int64 // 0: every incident
	Statuses   []ActionStatus
	Owner      string
	Team       string
	Priority   Priority
	Overdue    bool
	Today      Date // what "overdue" is judged against; set by the caller
	DueBefore  *Date
	Limit      int
	Cursor     *Cursor
	// Viewer is who lists: actions of incidents it may not see are left
	// out of the page and the total. The zero Viewer sees the actions of
	// internal incidents only.
	Viewer Viewer
}

// EncodeCursor turns a position into an opaque page token.
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a token made by EncodeCursor; "" gives nil.
func DecodeCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, Invalid("cursor", "is not a cursor this server gave out")
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 {
		return nil, Invalid("cursor", "is not a cursor this server gave out")
	}
	return &c, nil
}
