package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// slowQuery is the run time above which a query is run only once: a
// backend that takes seconds per query would otherwise take the benchmark's
// whole time budget.
const slowQuery = 2 * time.Second

// latencies are the timings of one backend over the query set. Every query
// weighs the same: a query run once because it was slow counts its one
// timing as many times as the others were run.
type latencies struct {
	samples []time.Duration
	// firsts are each query's first run (the warm-up, not in samples):
	// what caches of the terms searched (ours keeps decoded postings) do
	// not help yet.
	firsts []time.Duration
	// capped counts the queries run once because they were slow; skipped
	// those not run at all because the backend's time budget ran out.
	capped, skipped, failed int
	// zero counts the queries that found nothing (a backend finding
	// nothing is fast for a bad reason).
	zero int
	err  error
	// per holds each query's result count and median time, in query order
	// (ran false when it was skipped or failed).
	per []queryStat
}

// queryStat is one query's outcome on one backend.
type queryStat struct {
	ran     bool
	results int
	median  time.Duration
}

// p returns the q-th percentile (0 < q <= 100), nearest rank; 0 without
// samples.
func (l *latencies) p(q float64) time.Duration {
	if len(l.samples) == 0 {
		return 0
	}
	s := slices.Clone(l.samples)
	slices.Sort(s)
	return percentile(s, q)
}

// pFirst is p over the queries' first runs.
func (l *latencies) pFirst(q float64) time.Duration {
	s := slices.Clone(l.firsts)
	slices.Sort(s)
	return percentile(s, q)
}

// percentile is the nearest-rank percentile of sorted samples.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// measure runs fn for each query: once to warm up, then runs times,
// within budget (0: none). fn returns how many results it found.
func measure(ctx context.Context, queries []string, runs int, budget time.Duration, fn func(ctx context.Context, q string) (int, error)) *latencies {
	l := &latencies{per: make([]queryStat, len(queries))}
	start := time.Now()
	// With a budget, the queries run in a shuffled (fixed) order, so that
	// those left out when it runs out are a random subset, not the end of
	// the list (the rarer, slower-to-scan words).
	order := make([]int, len(queries))
	for i := range order {
		order[i] = i
	}
	if budget > 0 {
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	for k, qi := range order {
		q := queries[qi]
		if budget > 0 && time.Since(start) > budget {
			l.skipped = len(queries) - k
			break
		}
		t0 := time.Now()
		n, err := fn(ctx, q)
		first := time.Since(t0)
		if err != nil {
			l.failed++
			if l.err == nil {
				l.err = fmt.Errorf("query %q: %w", q, err)
			}
			continue
		}
		if n == 0 {
			l.zero++
		}
		l.per[qi] = queryStat{ran: true, results: n, median: first}
		l.firsts = append(l.firsts, first)
		if first > slowQuery {
			l.capped++
			for range runs {
				l.samples = append(l.samples, first)
			}
			continue
		}
		own := make([]time.Duration, 0, runs)
		for range runs {
			t0 := time.Now()
			if _, err := fn(ctx, q); err != nil {
				l.failed++
				l.per[qi].ran = false
				break
			}
			own = append(own, time.Since(t0))
		}
		if len(own) > 0 {
			l.samples = append(l.samples, own...)
			slices.Sort(own)
			l.per[qi].median = percentile(own, 50)
		}
	}
	return l
}

// ms renders a duration in milliseconds with sensible precision.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "-"
	case f < 10:
		return fmt.Sprintf("%.2f", f)
	case f < 100:
		return fmt.Sprintf("%.1f", f)
	}
	return fmt.Sprintf("%.0f", f)
}
