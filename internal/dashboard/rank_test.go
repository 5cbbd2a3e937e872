package dashboard

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestNearestRanks checks the selection against incident.NearestRank's
// sort, on lengths 1..300 with many repeated values.
func TestNearestRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 300; n++ {
		values := make([]float64, n)
		for i := range values {
			values[i] = float64(r.IntN(n/3+1)) - 3
		}
		want50, _ := incident.NearestRank(slices.Clone(values), 50)
		want90, _ := incident.NearestRank(slices.Clone(values), 90)
		got50, got90 := nearestRanks(values)
		if got50 != want50 || got90 != want90 {
			t.Fatalf("n=%d: nearestRanks = %v, %v; want %v, %v", n, got50, got90, want50, want90)
		}
	}
}

// TestKeepOldest checks that the list keeps the oldest overdue actions
// by due date, then id, whatever the order they come in.
func TestKeepOldest(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	acts := make([]actRow, 50)
	for i := range acts {
		acts[i] = actRow{id: int64(i + 1), due: int32(r.IntN(8))}
	}
	var list []*actRow
	for _, i := range r.Perm(len(acts)) {
		list = keepOldest(list, &acts[i], oldestOverdue)
	}
	sorted := slices.Clone(acts)
	slices.SortFunc(sorted, func(a, b actRow) int {
		if a.due != b.due {
			return int(a.due - b.due)
		}
		return int(a.id - b.id)
	})
	if len(list) != oldestOverdue {
		t.Fatalf("kept %d; want %d", len(list), oldestOverdue)
	}
	for i, a := range list {
		if a.id != sorted[i].id {
			t.Fatalf("kept[%d] = action %d; want %d", i, a.id, sorted[i].id)
		}
	}
}
