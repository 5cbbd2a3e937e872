package incident

import "time"

// IncidentMetricsFilter selects the incidents the incidents dashboard
// counts.
type IncidentMetricsFilter struct {
	// From, To are days (inclusive) of the incident's start, or of its
	// creation when the start is unknown; nil: open-ended.
	From, To *Date
	Team     string
	Service  string
	Severity Severity
	// RCADays is how many days after resolution an RCA should be published.
	RCADays int
	Now     time.Time // what "resolved N days ago" is judged against; set by the caller
	// Viewer is who asks: incidents it may not see are not counted.
	Viewer Viewer
}

// DefaultRCADays is the RCADays of a filter that names none.
const DefaultRCADays = 14

// Percentiles sums up durations in seconds: nearest-rank p50 and p90, null
// when Count is 0.
type Percentiles struct {
	P50   *float64 `json:"p50"`
	P90   *float64 `json:"p90"`
	Count int      `json:"count"`
}

// PercentilesOf sums up values (sorted in place) by NearestRank.
func PercentilesOf(values []float64) Percentiles {
	out := Percentiles{Count: len(values)}
	if p, ok := NearestRank(values, 50); ok {
		out.P50 = &p
	}
	if p, ok := NearestRank(values, 90); ok {
		out.P90 = &p
	}
	return out
}

// TimeToX are the lifecycle intervals of Durations as percentiles.
type TimeToX struct {
	ToDetect      Percentiles `json:"time_to_detect"`
	ToAcknowledge Percentiles `json:"time_to_acknowledge"`
	ToMitigate    Percentiles `json:"time_to_mitigate"`
	ToResolve     Percentiles `json:"time_to_resolve"`
}

// DurationSamples collects Durations in seconds, to sum up as TimeToX.
type DurationSamples struct{ detect, ack, mitigate, resolve []float64 }

// Add adds the known intervals of d.
func (s *DurationSamples) Add(d Durations) {
	add := func(into *[]float64, v *time.Duration) {
		if v != nil {
			*into = append(*into, v.Seconds())
		}
	}
	add(&s.detect, d.ToDetect)
	add(&s.ack, d.ToAcknowledge)
	add(&s.mitigate, d.ToMitigate)
	add(&s.resolve, d.ToResolve)
}

// TimeToX sums up the samples.
func (s *DurationSamples) TimeToX() TimeToX {
	return TimeToX{ToDetect: PercentilesOf(s.detect), ToAcknowledge: PercentilesOf(s.ack),
		ToMitigate: PercentilesOf(s.mitigate), ToResolve: PercentilesOf(s.resolve)}
}

// MonthMetrics is one month of the incidents dashboard.
type MonthMetrics struct {
	Month      string         `json:"month"` // YYYY-MM
	Count      int            `json:"count"`
	BySeverity map[string]int `json:"by_severity"`
	// ByService counts the month's incidents of each of the MonthServices
	// services with most incidents over the whole selection (the first of
	// IncidentMetrics.ByService), zeros included; an incident with several
	// of them counts for each.
	ByService map[string]int `json:"by_service"`
	TimeToX
}

// MonthServices is how many services the months are broken down by.
const MonthServices = 8

// MissingRCA is an incident resolved long ago whose RCA is not published.
type MissingRCA struct {
	Key        string    `json:"key"`
	Title      string    `json:"title"`
	Severity   Severity  `json:"severity"`
	ResolvedAt time.Time `json:"resolved_at"`
	Days       int       `json:"days"` // whole days since resolution
}

// MissingRCAs counts the incidents without a published RCA and lists the
// oldest.
type MissingRCAs struct {
	Count int          `json:"count"`
	Items []MissingRCA `json:"items"`
}

// RecurrenceCounts counts recurrence warnings.
type RecurrenceCounts struct {
	Count     int `json:"count"`
	Open      int `json:"open"`
	Dismissed int `json:"dismissed"`
}

// KeyCount is a key with how many times it occurs.
type KeyCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// IncidentMetrics is the incidents dashboard.
type IncidentMetrics struct {
	PerMonth               []MonthMetrics     `json:"per_month"`
	BySeverity             map[string]TimeToX `json:"by_severity"`
	ByService              []KeyCount         `json:"by_service"`
	WithoutPublishedRCA    MissingRCAs        `json:"without_published_rca"`
	TopRootCauseCategories []KeyCount         `json:"top_root_cause_categories"`
	Recurrences            RecurrenceCounts   `json:"recurrences"`
}
