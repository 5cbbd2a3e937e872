package dashboard

import "github.com/hindsightrca/hindsight/internal/incident"

// nearestRanks returns the nearest-rank p50 and p90 of values (reordered in
// place; not empty): incident.NearestRank's, found by selection instead of
// a sort.
func nearestRanks(values []float64) (p50, p90 float64) {
	k50, k90 := incident.NearestRankIndex(len(values), 50), incident.NearestRankIndex(len(values), 90)
	p50 = selectKth(values, k50)
	// Everything after k50 is ≥ it now: the p90 is among them.
	p90 = selectKth(values[k50:], k90-k50)
	return p50, p90
}

// selectKth reorders v so that v[k] is the value a sort would put there,
// everything before it ≤ and everything after it ≥, and returns v[k]
// (Hoare's selection with a median-of-three pivot).
func selectKth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// Median of three to v[mid].
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
