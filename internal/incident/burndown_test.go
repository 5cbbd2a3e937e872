package incident

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBurndownRange(t *testing.T) {
	day := func(y, m, d int) Date { return Date{Year: y, Month: time.Month(m), Day: d} }
	today := day(2026, 3, 10)
	for _, tc := range []struct {
		name     string
		from, to *Date
		want     [2]Date
	}{
		{"default: last 90 days", nil, nil, [2]Date{day(2025, 12, 11), today}},
		{"from only ends today", ptr(day(2026, 1, 1)), nil, [2]Date{day(2026, 1, 1), today}},
		{"to only starts 89 days before", nil, ptr(day(2026, 1, 31)), [2]Date{day(2025, 11, 3), day(2026, 1, 31)}},
		{"from after today is one day", ptr(day(2026, 4, 1)), nil, [2]Date{day(2026, 4, 1), day(2026, 4, 1)}},
		{"both", ptr(day(2026, 2, 1)), ptr(day(2026, 2, 3)), [2]Date{day(2026, 2, 1), day(2026, 2, 3)}},
		{"too long keeps its end", ptr(day(1900, 1, 1)), ptr(day(2026, 1, 1)), [2]Date{day(2006, 1, 2), day(2026, 1, 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := BurndownRange(tc.from, tc.to, today)
			if got := [2]Date{from, to}; got != tc.want {
				t.Errorf("range = %v..%v, want %v..%v", from, to, tc.want[0], tc.want[1])
			}
		})
	}
}

func TestBuildBurndown(t *testing.T) {
	day := func(m, d int) Date { return Date{Year: 2026, Month: time.Month(m), Day: d} }
	counts := BurndownCounts{
		OpenBefore: 4,
		Opened:     map[Date]int{day(1, 1): 2, day(1, 3): 1, day(1, 12): 5, day(4, 8): 1},
		Closed:     map[Date]int{day(1, 2): 1, day(1, 4): 3, day(1, 13): 2, day(4, 7): 1},
	}
	for _, tc := range []struct {
		name     string
		from, to Date
		want     Burndown
	}{
		{"days", day(1, 1), day(1, 4), Burndown{Bucket: BucketDay, Points: []BurndownPoint{
			{Start: day(1, 1), Open: 6, Opened: 2}, {Start: day(1, 2), Open: 5, Closed: 1},
			{Start: day(1, 3), Open: 6, Opened: 1}, {Start: day(1, 4), Open: 3, Closed: 3},
		}}},
		{"one day", day(1, 2), day(1, 2), Burndown{Bucket: BucketDay, Points: []BurndownPoint{{Start: day(1, 2), Open: 3, Closed: 1}}}},
		// 2026-01-01 is a Thursday: the first week is labelled Monday
		// 2025-12-29 and counts 01-01..01-04; 04-08 is past the range.
		{"weeks from a Thursday", day(1, 1), day(4, 7), Burndown{Bucket: BucketWeek, Points: weeks(day(1, 1).AddDays(-3), 15,
			map[int]BurndownPoint{0: {Open: 3, Opened: 3, Closed: 4}, 2: {Open: 6, Opened: 5, Closed: 2}, 14: {Open: 5, Closed: 1}}, 3)}},
		{"92 days are days", day(1, 1), day(4, 2), Burndown{Bucket: BucketDay}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := BuildBurndown(tc.from, tc.to, counts)
			if tc.want.Points == nil {
				if got.Bucket != tc.want.Bucket || len(got.Points) != 92 {
					t.Fatalf("bucket %s with %d points, want %s with 92", got.Bucket, len(got.Points), tc.want.Bucket)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("burndown (-want +got):\n%s", diff)
			}
		})
	}
}

// weeks lists n weekly points from start, each open as the last point set
// in set before it (starting from open), with set's points filled in.
func weeks(start Date, n int, set map[int]BurndownPoint, open int) []BurndownPoint {
	out := make([]BurndownPoint, n)
	for i := range out {
		p, ok := set[i]
		if ok {
			open = p.Open
		}
		p.Start, p.Open = start.AddDays(7*i), open
		out[i] = p
	}
	return out
}

func ptr(d Date) *Date { return &d }
