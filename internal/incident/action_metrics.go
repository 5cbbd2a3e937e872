package incident

import (
	"math"
	"sort"
	"time"
)

// ActionMetricsFilter selects the corrective actions the actions dashboard
// counts.
type ActionMetricsFilter struct {
	From, To *Date // actions created on these days (inclusive); nil: open-ended
	Team     string
	Service  string // one of the incident's services
	Severity Severity
	Owner    string
	Today    Date // what "overdue" is judged against; set by the caller
	// Viewer is who asks: actions of incidents it may not see are not counted.
	Viewer Viewer
}

// StatusCounts counts actions by status; Overdue counts the open and
// in-progress ones past their due date (they are in Open/InProgress too).
type StatusCounts struct {
	Open       int `json:"open"`
	InProgress int `json:"in_progress"`
	Done       int `json:"done"`
	WontDo     int `json:"wont_do"`
	Overdue    int `json:"overdue"`
}

// Add counts n actions of status s, overdue or not.
func (c *StatusCounts) Add(s ActionStatus, overdue bool, n int) {
	switch s {
	case ActionOpen:
		c.Open += n
	case ActionInProgress:
		c.InProgress += n
	case ActionDone:
		c.Done += n
	case ActionWontDo:
		c.WontDo += n
	}
	if overdue {
		c.Overdue += n
	}
}

// CompletionPolicy is how the actions closed as done kept their due date.
type CompletionPolicy struct {
	Done      int      `json:"done"`        // closed as done, with a due date
	OnTime    int      `json:"on_time"`     // of those, closed on or before the due date
	Share     *float64 `json:"share"`       // OnTime/Done; null when Done is 0
	NoDueDate int      `json:"no_due_date"` // closed as done without a due date
}

// DaysToClose sums up the days from creation to completion of done
// actions. The percentiles are nearest-rank; null when Count is 0.
type DaysToClose struct {
	P50   *float64 `json:"p50"`
	P90   *float64 `json:"p90"`
	Count int      `json:"count"`
}

// OverdueAction is one line of the oldest overdue actions.
type OverdueAction struct {
	ID          int64  `json:"id"`
	IncidentKey string `json:"incident_key"`
	Title       string `json:"title"`
	Owner       string `json:"owner"`
	Team        string `json:"team"`
	DueDate     Date   `json:"due_date"`
	DaysOverdue int    `json:"days_overdue"`
}

// ActionMetrics is the actions dashboard.
type ActionMetrics struct {
	Counts                 StatusCounts            `json:"counts"`
	ByTeam                 map[string]StatusCounts `json:"by_team"`
	ByOwner                map[string]StatusCounts `json:"by_owner"`
	ByService              map[string]StatusCounts `json:"by_service"`
	ByPriority             map[string]StatusCounts `json:"by_priority"`
	CompletionWithinPolicy CompletionPolicy        `json:"completion_within_policy"`
	DaysToClose            DaysToClose             `json:"days_to_close"`
	OldestOverdue          []OverdueAction         `json:"oldest_overdue"`
	// Burndown is over the filter's range (see BurndownRange); it counts
	// the actions its other fields select, whenever they were created.
	Burndown Burndown `json:"burndown"`
}

// NearestRank returns the p-th percentile (0 < p ≤ 100) of values by the
// nearest-rank method: the smallest value such that at least p% of the
// values are ≤ it. It sorts values in place; ok is false when it is empty.
func NearestRank(values []float64, p float64) (v float64, ok bool) {
	if len(values) == 0 {
		return 0, false
	}
	sort.Float64s(values)
	return values[NearestRankIndex(len(values), p)], true
}

// NearestRankIndex is the index (0-based) in n sorted values of their p-th
// percentile by the nearest-rank method; n must be positive.
func NearestRankIndex(n int, p float64) int {
	rank := int(math.Ceil(p / 100 * float64(n)))
	return max(1, min(rank, n)) - 1
}

// DaysBetween returns the whole days from a to b (negative if b is earlier).
func DaysBetween(a, b Date) int {
	day := func(d Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
	return int(day(b).Sub(day(a)).Hours() / 24)
}
