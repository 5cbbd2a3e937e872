package search

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A rebuild allocates fast and briefly: every analysed document is a few
// maps of its terms, dropped once its chunk is written. With Go's default
// collector target (GOGC=100) the collector took about a fifth of a
// rebuild's CPU. While a rebuild builds, the target is raised to
// buildGCPercent, and a soft memory limit keeps the heap from growing with
// it: the collector runs when the heap reaches the limit, not after every
// doubling (a process already holding more than half the limit gets twice
// what it holds).
//
// The limit is an eighth of the machine's memory (or of the process's
// cgroup's, when it or one above it has a limit: a container, a systemd
// MemoryMax=), at least 512 MB and at most 1 GB, and never more than half
// of that memory (buildMemoryLimit). The bigger the limit, the less often the collector
// runs: at 30k incidents a rebuild took 128 s of CPU with 512 MB, 112 s
// with 1 GB (and 114 s with no collector at all under 1 GB), for a peak
// resident memory of 0.73 and 1.24 GB. A small machine keeps the small
// limit.
//
// The collector's settings are the process's: an operator's own choice
// (GOGC or GOMEMLIMIT set, or a program that set them) is kept — the
// target is only ever raised, and the limit only set when there is none.
// Concurrent builds (several indexes in one process) share one raise,
// undone when the last ends.
const (
	buildGCPercent      = 800
	minBuildMemoryLimit = 512 << 20
	maxBuildMemoryLimit = 1 << 30
)

// buildMemoryLimit is the soft memory limit of a build on a machine (or
// in a container) of total bytes (0: unknown): never more than half of
// it, so that a small container keeps room for the rest of the process
// and the index files a build maps.
func buildMemoryLimit(total int64) int64 {
	l := min(max(total/8, minBuildMemoryLimit), maxBuildMemoryLimit)
	if total > 0 {
		l = min(l, total/2)
	}
	return l
}

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
			buildGC.limit = debug.SetMemoryLimit(max(buildMemoryLimit(machineMemory()), 2*goMemory()))
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
			// The build leaves up to the limit in garbage: collected now,
			// not by whichever request next crosses the heap's target,
			// and not served among. Searched right after a rebuild at
			// 100k incidents, the p50 was 0.80–1.0 ms without this
			// collection and 0.74–0.76 ms with it (0.72 ms in a process
			// that had not rebuilt).
			runtime.GC()
		})
	}
}
