package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/bench/memwatch"
	"github.com/hindsightrca/hindsight/search"
)

// oursResult is what the bleve index did on one corpus.
type oursResult struct {
	rebuild time.Duration
	// warm is how long the index warmed up in the background after the
	// rebuild (facets, signatures) before searches were timed.
	warm time.Duration
	// warmTimedOut says the warm-up still ran when the wait gave up.
	warmTimedOut bool
	rebuildRSS   uint64 // peak resident set during the rebuild
	rebuildHeap  uint64
	diskBytes    int64
	search       *latencies
	similar      *latencies
	servingRSS   uint64 // peak resident set while answering
	servingHeap  uint64
	// anon and file split the resident set at the end of serving: the
	// process's own memory, and the index's files mapped into it (pages
	// the kernel can drop and read again).
	anon, file uint64
}

// quietLogger drops the index's progress messages, which would break up
// the report.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// runOurs rebuilds our index from src in a fresh directory, then measures
// searches (facets and highlights, as the API asks for them) and similar
// incidents by id.
func runOurs(ctx context.Context, cfg config, src genSource, qs []string) (*oursResult, error) {
	dir, err := os.MkdirTemp(cfg.tmp, "ours-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	res := &oursResult{}

	memwatch.Reset()
	w := memwatch.Start(0)
	ix, err := search.Open(filepath.Join(dir, "index"), search.Options{Logger: quietLogger()})
	if err != nil {
		w.Stop()
		return nil, err
	}
	defer ix.Close()
	stopProfile := startProfile(cfg.cpuprofile, src.n, "rebuild")
	t0 := time.Now()
	err = ix.Rebuild(ctx, src)
	res.rebuild = time.Since(t0)
	stopProfile()
	peak := w.Stop()
	if err != nil {
		return nil, err
	}
	res.rebuildRSS, res.rebuildHeap = peak.RSSBytes, peak.HeapBytes
	res.diskBytes = dirSize(dir)
	// A server has long finished warming up when someone searches: the
	// searches are timed after it (the wait is reported).
	res.warm, res.warmTimedOut = waitWarm(ix, warmLimit)

	memwatch.Reset()
	w = memwatch.Start(0)
	// Reset gave the rebuild's freed heap back to the system: the first
	// second of work after it faults fresh memory in (a server does that
	// once after a rebuild, as its collector hands memory back, then serves
	// from a settled heap). That second is spent on untimed similar
	// incidents of random incidents (another random stream than the timed
	// ones below; it warms what those share, the signatures and the page
	// cache), which read no postings of the queries' words: the searches'
	// first runs still decode them cold.
	warmRng := rand.New(rand.NewPCG(uint64(cfg.seed), 7))
	for range heapWarmups {
		id := int64(1 + warmRng.IntN(src.n))
		if _, err := ix.Similar(ctx, search.SimilarRequest{ID: id, Limit: 5, Viewer: search.Viewer{All: true}}); err != nil {
			w.Stop()
			return nil, err
		}
	}
	stopProfile = startProfile(cfg.cpuprofile, src.n, "search")
	defer stopProfile()
	res.search = measure(ctx, qs, cfg.oursRuns, 0, func(ctx context.Context, q string) (int, error) {
		r, err := ix.Search(ctx, search.Request{Q: q})
		return int(r.Total), err
	})

	// Similar incidents of 200 random incidents, after 20 others to warm up,
	// asked by an administrator (3% of the incidents are restricted: anyone
	// else is told they do not exist).
	rng := rand.New(rand.NewPCG(uint64(cfg.seed), 99))
	sim := &latencies{}
	for k := range cfg.similar + 20 {
		id := int64(1 + rng.IntN(src.n))
		t0 := time.Now()
		out, err := ix.Similar(ctx, search.SimilarRequest{ID: id, Limit: 5, Viewer: search.Viewer{All: true}})
		el := time.Since(t0)
		if err != nil {
			sim.failed++
			if sim.err == nil {
				sim.err = err
			}
			continue
		}
		if k < 20 {
			continue
		}
		if len(out) == 0 {
			sim.zero++
		}
		sim.samples = append(sim.samples, el)
	}
	res.similar = sim
	peak = w.Stop()
	res.servingRSS, res.servingHeap = peak.RSSBytes, peak.HeapBytes
	res.anon, res.file = rssSplit()
	return res, nil
}

// heapWarmups is how many untimed similar-incident requests settle the
// heap before the searches are timed (about a second at 100k incidents).
const heapWarmups = 200

// warmLimit bounds the wait for the index's background warm-up.
const warmLimit = time.Minute

// waitWarm waits until ix no longer warms up in the background (at most
// limit) and returns how long it waited, and whether it was still warming
// up when it stopped waiting.
func waitWarm(ix *search.Index, limit time.Duration) (time.Duration, bool) {
	t0 := time.Now()
	for ix.Status().Warming {
		if time.Since(t0) >= limit {
			return time.Since(t0), true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(t0), false
}

// startProfile writes a CPU profile to base.<n>.<phase> until the
// returned function is called; without base it does nothing.
func startProfile(base string, n int, phase string) (stop func()) {
	if base == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d.%s", base, n, phase))
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchload: cpuprofile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintln(os.Stderr, "searchload: cpuprofile:", err)
		return func() {}
	}
	done := false
	return func() {
		if !done {
			done = true
			pprof.StopCPUProfile()
			f.Close()
		}
	}
}

// rssSplit reads RssAnon and RssFile from /proc/self/status (0, 0 where
// the platform does not tell).
func rssSplit() (anon, file uint64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(b)) {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || (name != "RssAnon" && name != "RssFile") {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			continue
		}
		if name == "RssAnon" {
			anon = kb << 10
		} else {
			file = kb << 10
		}
	}
	return anon, file
}

// dirSize sums the sizes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
