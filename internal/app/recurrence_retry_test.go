package app

import (
	"testing"
	"time"
)

// A check the index could not answer yet is kept for the trailing check,
// which is scheduled once however many wait, and then taken.
func TestRecurrenceChecker_Retry(t *testing.T) {
	c := newRecurrenceChecker()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	due, schedule := c.due([]int64{7, 8}, now)
	if len(due) != 2 || schedule {
		t.Fatalf("first check: due %v, schedule %v", due, schedule)
	}
	if !c.retry(7) {
		t.Fatal("the first retry did not ask for a trailing check")
	}
	if c.retry(8) {
		t.Error("a second retry asked for another trailing check")
	}
	got := map[int64]bool{}
	for _, id := range c.takePending(now.Add(recurrenceWindow)) {
		got[id] = true
	}
	if !got[7] || !got[8] || len(got) != 2 {
		t.Errorf("trailing check takes %v, want 7 and 8", got)
	}
	if !c.retry(7) {
		t.Error("after the trailing check ran, a retry did not ask for a new one")
	}
}
