package search

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestRaiseGC: a build raises the collector's target and sets a soft
// memory limit only when the process has none; concurrent builds share
// the raise, and the last to end puts both back. An operator's higher
// target and own limit are kept.
func TestRaiseGC(t *testing.T) {
	// Not parallel: the collector's settings are the process's.
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	percent := func() int { p := debug.SetGCPercent(0); debug.SetGCPercent(p); return p }
	limit := func() int64 { return debug.SetMemoryLimit(-1) }

	r1 := raiseGC()
	if percent() != buildGCPercent || limit() < buildMemoryLimit || limit() == math.MaxInt64 {
		t.Fatalf("during a build: GOGC %d, limit %d", percent(), limit())
	}
	r2 := raiseGC()
	r1()
	r1() // a second call does nothing
	if percent() != buildGCPercent || limit() == math.MaxInt64 {
		t.Fatalf("one build ended, one runs: GOGC %d, limit %d", percent(), limit())
	}
	r2()
	if percent() != 100 || limit() != math.MaxInt64 {
		t.Fatalf("after the builds: GOGC %d, limit %d; want 100 and none", percent(), limit())
	}

	// An operator's choice stands.
	debug.SetGCPercent(800)
	debug.SetMemoryLimit(1 << 30)
	r := raiseGC()
	if percent() != 800 || limit() != 1<<30 {
		t.Fatalf("with GOGC=800 GOMEMLIMIT=1GiB a build set GOGC %d, limit %d", percent(), limit())
	}
	r()
	if percent() != 800 || limit() != 1<<30 {
		t.Fatalf("after it: GOGC %d, limit %d", percent(), limit())
	}
	debug.SetGCPercent(-1) // collector off: left off
	r = raiseGC()
	if percent() != -1 {
		t.Fatalf("with the collector off a build set GOGC %d", percent())
	}
	r()
}
