package main

import (
	"context"
	"slices"
	"testing"
)

// TestMeasure_FirstRunsApart checks that each query's first run (its
// warm-up) is kept apart from the timed runs: one first run a query, runs
// timed runs a query.
func TestMeasure_FirstRunsApart(t *testing.T) {
	calls := map[string]int{}
	l := measure(context.Background(), []string{"a", "b", "c"}, 4, 0, func(_ context.Context, q string) (int, error) {
		calls[q]++
		return 1, nil
	})
	if len(l.firsts) != 3 || len(l.samples) != 12 {
		t.Errorf("%d first runs and %d timed runs, want 3 and 12", len(l.firsts), len(l.samples))
	}
	for _, q := range []string{"a", "b", "c"} {
		if calls[q] != 5 {
			t.Errorf("%s ran %d times, want 5", q, calls[q])
		}
	}
	if got, want := l.pFirst(100), slices.Max(l.firsts); got != want {
		t.Errorf("p100 of the first runs %v, want their longest %v", got, want)
	}
}
