package search

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A rebuild allocates fast and briefly: every analysed document is a few
// maps of its terms, dropped once its chunk is written. With Go's default
// collector target (GOGC=100) the collector took about a fifth of a
// rebuild's CPU. While a rebuild builds, the target is raised to
// buildGCPercent, and a soft memory limit of buildMemoryLimit keeps the
// heap from growing with it: the collector runs when the heap reaches the
// limit, not after every doubling (a process already holding more than
// half the limit gets twice what it holds). At 30k incidents this took a rebuild's
// CPU down by 11% for a peak resident memory of 590 MB (525 MB before).
//
// The collector's settings are the process's: an operator's own choice
// (GOGC or GOMEMLIMIT set, or a program that set them) is kept — the
// target is only ever raised, and the limit only set when there is none.
// Concurrent builds (several indexes in one process) share one raise,
// undone when the last ends.
const (
	buildGCPercent   = 400
	buildMemoryLimit = 512 << 20
)

// buildGC counts the builds under way and what they changed.
var buildGC struct {
	mu      sync.Mutex
	n       int
	percent int   // the target before, when raised (else -2)
	limit   int64 // the limit before, when set (else -1)
}

// goMemory is the memory the Go runtime holds now. A process already
// holding much (a large serving heap) gets a limit above it, so the
// collector is not made to run without end.
func goMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s[0].Value.Uint64(), math.MaxInt64/4))
}

// raiseGC raises the collector's target for a build; the returned
// function undoes it (once the last concurrent build calls it).
func raiseGC() (restore func()) {
	buildGC.mu.Lock()
	defer buildGC.mu.Unlock()
	if buildGC.n == 0 {
		buildGC.percent, buildGC.limit = -2, -1
		// SetGCPercent(-1) would turn the collector off: read the target
		// by setting ours, and put back one that was higher (or off).
		if old := debug.SetGCPercent(buildGCPercent); old < 0 || old >= buildGCPercent {
			debug.SetGCPercent(old)
		} else {
			buildGC.percent = old
		}
		if old := debug.SetMemoryLimit(-1); old == math.MaxInt64 {
			buildGC.limit = debug.SetMemoryLimit(max(buildMemoryLimit, 2*goMemory()))
		}
	}
	buildGC.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			buildGC.mu.Lock()
			defer buildGC.mu.Unlock()
			buildGC.n--
			if buildGC.n > 0 {
				return
			}
			if buildGC.percent != -2 {
				debug.SetGCPercent(buildGC.percent)
			}
			if buildGC.limit != -1 {
				debug.SetMemoryLimit(buildGC.limit)
			}
		})
	}
}
