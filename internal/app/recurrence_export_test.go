package app

import "time"

// SetRecurrenceTimer replaces how the recurrence checker schedules its
// trailing check, so tests decide when it runs.
func SetRecurrenceTimer(a *App, after func(d time.Duration, f func())) {
	a.recur.mu.Lock()
	defer a.recur.mu.Unlock()
	a.recur.after = after
}
