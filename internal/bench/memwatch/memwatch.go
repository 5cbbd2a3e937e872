// Package memwatch measures the peak memory of a benchmark phase: the Go
// heap, sampled from runtime/metrics, and the process's peak resident set
// (VmHWM in /proc/self/status, Linux only), which Reset zeroes between
// phases.
package memwatch

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Watch samples the heap until Stop.
type Watch struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

// Peak is what one phase used at most.
type Peak struct {
	// HeapBytes is the largest heap of objects (MemStats.HeapAlloc) sampled.
	HeapBytes uint64
	// RSSBytes is the process's peak resident set since Reset (VmHWM); 0
	// when the platform does not tell.
	RSSBytes uint64
}

// Reset collects garbage, returns freed memory to the OS and zeroes the
// kernel's peak resident set (writing 5 to /proc/self/clear_refs), so the
// next phase's peak is its own.
func Reset() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// Start samples the heap every interval (10ms when 0) until Stop.
func Start(interval time.Duration) *Watch {
	if interval <= 0 {
		interval = 10 * time.Millisecond
	}
	w := &Watch{stop: make(chan struct{})}
	w.sample()
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.sample()
			}
		}
	}()
	return w
}

// sample reads the heap from runtime/metrics, which, unlike
// runtime.ReadMemStats, does not stop the world: sampling every 10 ms
// does not pause the work it measures.
func (w *Watch) sample() {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		w.peak = max(w.peak, s[0].Value.Uint64())
	}
}

// heapObjects is the memory of live and not yet swept heap objects, what
// MemStats.HeapAlloc counts.
const heapObjects = "/memory/classes/heap/objects:bytes"

// Stop ends sampling and returns the phase's peaks.
func (w *Watch) Stop() Peak {
	close(w.stop)
	w.done.Wait()
	w.sample()
	return Peak{HeapBytes: w.peak, RSSBytes: VmHWM()}
}

// VmHWM reads the process's peak resident set from /proc/self/status; 0
// when unavailable.
func VmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}

// MB renders bytes as mebibytes.
func MB(b uint64) float64 { return float64(b) / (1 << 20) }
