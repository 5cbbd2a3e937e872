package main

import (
	"testing"
	"time"
)

// TestParseExpiry: a date is the last day a token works, so it expires at
// the end of that day (UTC), not at its start.
func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-12-31":           time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		"90d":                  now.AddDate(0, 0, 90),
		"12h":                  now.Add(12 * time.Hour),
		"2026-12-31T15:00:00Z": time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC),
	} {
		got, err := parseExpiry(in, now)
		if err != nil || got == nil || !got.Equal(want) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := parseExpiry("", now); got != nil || err != nil {
		t.Errorf("no expiry: %v %v", got, err)
	}
	if _, err := parseExpiry("soon", now); err == nil {
		t.Error("a bad expiry is accepted")
	}
}
