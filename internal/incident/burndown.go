package incident

import "time"

// The buckets of a burn-down.
const (
	BucketDay  = "day"
	BucketWeek = "week"
)

// BurndownDays is the range of a burn-down whose filter names no dates: the
// last 90 days, today included.
const BurndownDays = 90

// burndownDayBuckets is the longest range (in days) drawn day by day;
// longer ranges are drawn week by week.
const burndownDayBuckets = 92

// BurndownMaxDays bounds a burn-down's range: a longer one keeps its last
// BurndownMaxDays days (about 20 years, ~1,000 weekly points).
const BurndownMaxDays = 7305

// BurndownPoint is one bucket of a burn-down: Open counts the actions open
// or in progress at the end of the bucket (created by then and not closed
// by then), Opened and Closed those created and closed (done or won't do)
// within it.
type BurndownPoint struct {
	Start  Date `json:"start"`
	Open   int  `json:"open"`
	Opened int  `json:"opened"`
	Closed int  `json:"closed"`
}

// Burndown is the open actions over time, by day or week (weeks start on
// Monday).
type Burndown struct {
	Bucket string          `json:"bucket"`
	Points []BurndownPoint `json:"points"`
}

// BurndownRange is the days from..to (inclusive) a burn-down covers: the
// filter's range, the last BurndownDays days ending today for the ends it
// leaves open, at most BurndownMaxDays days.
func BurndownRange(from, to *Date, today Date) (Date, Date) {
	end := today
	if to != nil {
		end = *to
	}
	start := end.AddDays(-(BurndownDays - 1))
	if from != nil {
		start = *from
	}
	if end.Before(start) {
		end = start
	}
	if DaysBetween(start, end) >= BurndownMaxDays {
		start = end.AddDays(-(BurndownMaxDays - 1))
	}
	return start, end
}

// BurndownCounts are what a burn-down is drawn from: the actions open at the
// start of its first day, and those created and closed on each day of the
// range.
type BurndownCounts struct {
	OpenBefore int
	Opened     map[Date]int
	Closed     map[Date]int
}

// BuildBurndown draws the burn-down of the days from..to from c: day by day
// when the range spans at most 92 days, else week by week, each week
// labelled by its Monday (the first and last weeks count only their days
// inside the range).
func BuildBurndown(from, to Date, c BurndownCounts) Burndown {
	b := Burndown{Bucket: BucketDay, Points: []BurndownPoint{}}
	start, step := from, 1
	if DaysBetween(from, to)+1 > burndownDayBuckets {
		b.Bucket, step = BucketWeek, 7
		start = from.AddDays(-mondayOffset(from))
	}
	day := func(d Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
	first, last := day(from), day(to)
	open := c.OpenBefore
	for s := day(start); !s.After(last); s = s.AddDate(0, 0, step) {
		p := BurndownPoint{Start: DateOf(s)}
		for d := s; d.Before(s.AddDate(0, 0, step)) && !d.After(last); d = d.AddDate(0, 0, 1) {
			if d.Before(first) {
				continue
			}
			p.Opened += c.Opened[DateOf(d)]
			p.Closed += c.Closed[DateOf(d)]
		}
		open += p.Opened - p.Closed
		p.Open = open
		b.Points = append(b.Points, p)
	}
	return b
}

// mondayOffset is how many days d is after the Monday of its week.
func mondayOffset(d Date) int {
	wd := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday()
	return (int(wd) + 6) % 7
}
