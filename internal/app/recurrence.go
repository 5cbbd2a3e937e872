package app

import (
	"context"
	"sync"
	"time"
)

// recurrenceChecker remembers when each incident was last checked, so a
// busy timeline is not compared after every line.
type recurrenceChecker struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

func newRecurrenceChecker() *recurrenceChecker {
	return &recurrenceChecker{last: map[int64]time.Time{}}
}

// CheckRecurrences is called by the indexer after it applied changes to
// the incidents ids.
func (a *App) CheckRecurrences(ctx context.Context, ids []int64) {}
