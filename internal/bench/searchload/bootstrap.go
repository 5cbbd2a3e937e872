package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// bootstrapRuns is how many resamples a paired bootstrap draws.
const bootstrapRuns = 10_000

// bootstrapSeed fixes the resamples, so that a rerun prints the same
// interval for the same rankings.
const bootstrapSeed = 20260407

// perQuery is each post-mortem's nDCG@k for the neighbours ranked, NaN for
// those evaluate leaves out (no relevant other).
func perQuery(all []labels, ranked [][]int, k int) []float64 {
	out := make([]float64, len(ranked))
	for q := range ranked {
		v, _, ok := queryScore(all, q, ranked[q], k)
		if !ok {
			v = math.NaN()
		}
		out[q] = v
	}
	return out
}

// interval is a paired bootstrap's mean difference and 95% interval.
type interval struct {
	mean, lo, hi float64
	n            int
}

// pairedBootstrap is the mean of a[q] − b[q] over the post-mortems
// first, first+step, ... that both score (not NaN), with the 2.5th and
// 97.5th percentiles of that mean over runs resamples (with replacement)
// of those post-mortems. ok is false when none is scored.
func pairedBootstrap(a, b []float64, first, step, runs int, seed uint64) (iv interval, ok bool) {
	var d []float64
	for q := first; q < min(len(a), len(b)); q += step {
		if !math.IsNaN(a[q]) && !math.IsNaN(b[q]) {
			d = append(d, a[q]-b[q])
		}
	}
	if len(d) == 0 || runs <= 0 {
		return interval{}, false
	}
	iv.n = len(d)
	for _, x := range d {
		iv.mean += x
	}
	iv.mean /= float64(len(d))
	rng := rand.New(rand.NewPCG(seed, uint64(first)))
	means := make([]float64, runs)
	for r := range means {
		s := 0.0
		for range d {
			s += d[rng.IntN(len(d))]
		}
		means[r] = s / float64(len(d))
	}
	slices.Sort(means)
	iv.lo = means[int(0.025*float64(runs-1)+0.5)]
	iv.hi = means[int(0.975*float64(runs-1)+0.5)]
	return iv, true
}

// printBootstrap writes, for each pair, the mean nDCG@5 difference and
// its paired bootstrap 95% interval over all the scored post-mortems and
// over each half.
func printBootstrap(pairs []bootstrapPair) {
	fmt.Printf("paired bootstrap of the nDCG@5 difference (%d resamples, seed %d): mean [95%% interval], n\n", bootstrapRuns, bootstrapSeed)
	for _, p := range pairs {
		if p.a == nil || p.b == nil {
			continue
		}
		line := fmt.Sprintf("%-36s", p.name)
		for _, part := range []struct {
			label       string
			first, step int
		}{{"all", 0, 1}, {"even", 0, 2}, {"odd", 1, 2}} {
			if iv, ok := pairedBootstrap(p.a, p.b, part.first, part.step, bootstrapRuns, bootstrapSeed); ok {
				line += fmt.Sprintf("  %s %+.3f [%+.3f, %+.3f] n=%d", part.label, iv.mean, iv.lo, iv.hi, iv.n)
			}
		}
		fmt.Println(line)
	}
}

// bootstrapPair names two rankers' per-post-mortem scores to compare.
type bootstrapPair struct {
	name string
	a, b []float64
}
