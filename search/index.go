package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Errors of the index.
var (
	// ErrLocked says another process holds the index directory (a running
	// server); ask it instead.
	ErrLocked = errors.New("search: the index is in use by another process")
	// ErrNotReady says there is no index to answer from yet: it is being
	// built for the first time.
	ErrNotReady = errors.New("search: the index is being built")
	// ErrClosed says the index was closed.
	ErrClosed = errors.New("search: the index is closed")
)

// Keys of the index's internal storage.
var (
	keySeq     = []byte("hindsight.seq")
	keyVersion = []byte("hindsight.mapping_version")
	keyShards  = []byte("hindsight.shards")
)

// currentFile names, inside the index directory, the generation in use.
const currentFile = "CURRENT"

// Options configures an Index.
type Options struct {
	// Logger receives progress and errors. Default slog.Default().
	Logger *slog.Logger
	// BatchSize is how many documents go into one index batch (each a
	// segment of the index), and how many a rebuild reads from the source
	// at a time. Default 100: a batch's analysed documents are all in
	// memory until its segment is written.
	BatchSize int
	// PollInterval is how often the indexer looks for new changes when the
	// source cannot notify (and as the fallback when it can). Default 1s.
	PollInterval time.Duration
	// OnApplied is called by the indexer after it applied changes, with the
	// incidents they touched that are still there (for recurrence checks).
	OnApplied func(ctx context.Context, ids []int64)
	// Progress, when set, is told how a rebuild advances.
	Progress func(done, total int)
	// Shards is how many shards a new generation is split into (see
	// shards.go); 0 decides by the number of incidents and cores.
	Shards int

	// For tests: segmentMem, when above 0, is the memory a shard's segment
	// writer may hold in a rebuild instead of segmentBudget's; onFinish is
	// called as a rebuild starts writing its shards; onSegment as a shard's
	// writer has written a segment of docs documents.
	segmentMem int64
	onFinish   func()
	onSegment  func(shard string, docs int)
}

// Index is the search index in one directory: the generation in use
// (named by the CURRENT file) and, while a rebuild runs, the next one.
type Index struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock *os.File
	im   *mapping.IndexMappingImpl
	docs docBuilder
	// fcache holds the segments' facet values (see facetcache.go).
	fcache *facetCache
	// scache holds the segments' signatures (see similar_sigcache.go).
	scache *sigCache
	// posts holds decoded postings of the terms searched (postcache.go).
	posts *postingsCache

	// mu guards cur: searches hold it for reading while they use cur, a swap
	// or Close takes it for writing.
	mu     sync.RWMutex
	cur    *shardIndex
	gen    string
	seq    int64 // last change applied to cur
	stale  bool  // cur has another mapping version (or none is known)
	closed bool

	// applyMu serializes writers (the indexer loop, Rebuild, Put).
	applyMu sync.Mutex

	rebuildWanted atomic.Bool
	building      atomic.Bool
	// rebuilds counts the rebuilds finished since Open; rebuildErr is the
	// error of the last one that failed ("" after one succeeded).
	rebuilds   atomic.Int64
	rebuildErr atomic.Value
	buildDone  atomic.Int64
	buildTotal atomic.Int64
	wake       chan struct{}

	// bleveOnly runs every search through bleve's searchers, never as a
	// plan (fastplan.go); plans counts the searches run as one, runs all
	// of them (a page may run up to three: as typed, with typos, any
	// word), for tests comparing the two. anchors counts the cursors'
	// incidents scored again (snapmark.go).
	bleveOnly bool
	plans     atomic.Int64
	runs      atomic.Int64
	anchors   atomic.Int64
}

// Open opens the index in dir (created when missing) and takes its lock, so
// one process at a time uses it (ErrLocked otherwise). An index of another
// mapping version keeps answering until Run rebuilds it; without any index,
// searches fail with ErrNotReady until Run (or Rebuild) has built one.
func Open(dir string, opts Options) (*Index, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("search: index dir %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	im := newMapping()
	ix := &Index{dir: dir, opts: opts, log: opts.Logger, lock: lock, im: im, docs: newDocBuilder(im), fcache: newFacetCache(), scache: newSigCache(), posts: newPostingsCache(),
		wake: make(chan struct{}, 1)}
	ix.fcache.also = func(s *scorch.Scorch, snap *scorch.IndexSnapshot) {
		// A warm-up of a replaced generation's shard has nothing to keep.
		if ix.scache.current(s) {
			_, _ = ix.scache.forSnapshot(s, snap) // an error is met again by the query
		}
	}
	ix.openCurrent()
	ix.removeLeftovers()
	return ix, nil
}

// lockDir takes the lock of an index directory: one process at a time.
func lockDir(dir string) (*os.File, error) {
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("search: lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, dir)
		}
		return nil, fmt.Errorf("search: lock %s: %w", dir, err)
	}
	return lock, nil
}

// relock makes the index directory again and locks it, after it was
// removed under a running index.
func (ix *Index) relock() error {
	if err := os.MkdirAll(ix.dir, 0o700); err != nil {
		return err
	}
	lock, err := lockDir(ix.dir)
	if err != nil {
		return err
	}
	ix.mu.Lock()
	old := ix.lock
	ix.lock = lock
	ix.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// openCurrent opens the generation CURRENT names, if it can be used.
func (ix *Index) openCurrent() {
	b, err := os.ReadFile(filepath.Join(ix.dir, currentFile))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			ix.log.Warn("Search index: cannot read CURRENT; rebuilding", "error", err)
		}
		return
	}
	gen := strings.TrimSpace(string(b))
	if gen == "" || strings.ContainsAny(gen, `/\`) || gen == "." || gen == ".." {
		ix.log.Warn("Search index: CURRENT names no generation; rebuilding", "current", gen)
		return
	}
	idx, err := openShards(filepath.Join(ix.dir, gen), func(path string) (bleve.Index, error) {
		return bleve.OpenUsing(path, scorchConfig())
	})
	if err != nil {
		ix.log.Warn("Search index: cannot open; rebuilding", "generation", gen, "error", err)
		return
	}
	version, seq, err := idx.meta()
	if err != nil {
		ix.log.Warn("Search index: cannot read its state; rebuilding", "generation", gen, "error", err)
		idx.Close()
		return
	}
	idx.version = version
	ix.cur, ix.gen, ix.seq = idx, gen, seq
	ix.scache.forget(idx)
	ix.fcache.watch(idx)
	if version != MappingVersion {
		ix.stale = true
		ix.log.Info("Search index: mapping changed; rebuilding in the background, the old index answers meanwhile",
			"index_version", version, "version", MappingVersion)
	}
}

// removeLeftovers deletes generations other than the current one (an
// interrupted rebuild, an old index a crash kept).
func (ix *Index) removeLeftovers() {
	ents, err := os.ReadDir(ix.dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && e.Name() != ix.gen {
			_ = os.RemoveAll(filepath.Join(ix.dir, e.Name()))
		}
	}
}

func readMeta(idx bleve.Index) (version int, seq int64, err error) {
	v, err := idx.GetInternal(keyVersion)
	if err != nil {
		return 0, 0, err
	}
	if len(v) > 0 {
		if version, err = strconv.Atoi(string(v)); err != nil {
			return 0, 0, fmt.Errorf("mapping version %q: %w", v, err)
		}
	}
	s, err := idx.GetInternal(keySeq)
	if err != nil {
		return 0, 0, err
	}
	if len(s) > 0 {
		if seq, err = strconv.ParseInt(string(s), 10, 64); err != nil {
			return 0, 0, fmt.Errorf("sequence %q: %w", s, err)
		}
	}
	return version, seq, nil
}

// Close closes the index and releases its lock.
func (ix *Index) Close() error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	var err error
	if ix.cur != nil {
		unwatch(ix.cur)
		err = ix.cur.Close()
		ix.cur = nil
	}
	// The signatures' memory goes with the index, not with the *Index
	// (review P3-3).
	ix.scache.forget(nil)
	if ix.lock != nil {
		_ = syscall.Flock(int(ix.lock.Fd()), syscall.LOCK_UN)
		ix.lock.Close()
	}
	return err
}

// isClosed reports whether Close was called.
func (ix *Index) isClosed() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.closed
}

// Status says what the index holds and whether a rebuild is under way.
type Status struct {
	Ready      bool   `json:"ready"`
	Building   bool   `json:"building"`
	Stale      bool   `json:"stale"`
	Documents  uint64 `json:"documents"`
	Seq        int64  `json:"seq"`
	Version    int    `json:"mapping_version"`
	BuildDone  int64  `json:"build_done,omitempty"`
	BuildTotal int64  `json:"build_total,omitempty"`
	// Pending says a rebuild was asked for and has not started yet.
	Pending bool `json:"pending"`
	// Rebuilds counts the rebuilds finished since the server started, so a
	// client can tell when the one it asked for is done.
	Rebuilds int64 `json:"rebuilds"`
	// RebuildError is why the last rebuild failed ("" when it did not).
	RebuildError string `json:"rebuild_error,omitempty"`
	// SimilarMemory is the memory similar incidents' signatures take
	// outside the Go heap (similar_offheap.go), in bytes, for every index
	// of the process: the Go runtime's figures (and GOMEMLIMIT) leave it
	// out.
	SimilarMemory int64 `json:"similar_memory_bytes"`
	// Warming says the index is still reading what searches and similar
	// incidents keep of its segments (facet values, signatures) in the
	// background, as it does after opening, a rebuild or new segments:
	// meanwhile they compete with requests for the CPU, and a search may
	// read a segment's facets itself.
	Warming bool `json:"warming"`
}

// Status reports the index's state.
func (ix *Index) Status() Status {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Status{Ready: ix.cur != nil, Stale: ix.stale, Seq: ix.seq, Version: MappingVersion,
		Building: ix.building.Load(), Pending: ix.rebuildWanted.Load(), Rebuilds: ix.rebuilds.Load()}
	st.RebuildError, _ = ix.rebuildErr.Load().(string)
	st.SimilarMemory = offHeapBytes.Load()
	if st.Building {
		st.BuildDone, st.BuildTotal = ix.buildDone.Load(), ix.buildTotal.Load()
	}
	if ix.cur != nil {
		st.Documents, _ = ix.cur.DocCount()
		st.Warming = ix.fcache.warmingAny(ix.cur)
	}
	return st
}

// Seq is the last change the index has applied.
func (ix *Index) Seq() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.seq
}

// RequestRebuild asks the running indexer (Run) to rebuild the index from
// the database; the current index answers until the new one is ready.
func (ix *Index) RequestRebuild() {
	ix.rebuildWanted.Store(true)
	ix.Kick()
}

// Kick wakes the indexer to look for changes now.
func (ix *Index) Kick() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// reader runs fn with the index in use, holding it against a swap.
func (ix *Index) reader(fn func(idx *shardIndex) error) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return ErrClosed
	}
	if ix.cur == nil {
		return ErrNotReady
	}
	return fn(ix.cur)
}

// Put indexes docs directly, outside the change feed (benchmarks, tests,
// tools that own the index). The sequence number is left as it is.
func (ix *Index) Put(ctx context.Context, docs []Doc) error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	if ix.isClosed() {
		return ErrClosed
	}
	ix.mu.RLock()
	idx := ix.cur
	ix.mu.RUnlock()
	if idx == nil {
		var err error
		if idx, err = ix.newGeneration(shardsFor(int64(len(docs)), ix.opts.Shards)); err != nil {
			return err
		}
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Doc)
	go func() {
		defer close(batches)
		for start := 0; start < len(docs); start += ix.opts.BatchSize {
			select {
			case batches <- docs[start:min(start+ix.opts.BatchSize, len(docs))]:
			case <-ctx.Done():
				return
			}
		}
	}()
	if err := ix.indexConcurrently(ctx, cancel, idx, batches); err != nil {
		return err
	}
	return parent.Err()
}

// indexWorkers is how many batches are built at once: while one batch's
// segment is written, the next one is analysed.
const indexWorkers = 2

// indexConcurrently indexes the batches from ch with indexWorkers workers
// and returns the first error (after draining ch). The first error calls
// stop, which must make the sender of ch stop sending.
func (ix *Index) indexConcurrently(ctx context.Context, stop func(), idx *shardIndex, ch <-chan []Doc) error {
	var (
		wg         sync.WaitGroup
		once       sync.Once
		ferr       error
		progressMu sync.Mutex
	)
	for range indexWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for docs := range ch {
				if ctx.Err() != nil {
					continue
				}
				if err := idx.batch(ix.docsFor(idx).build, docs, nil, 0); err != nil {
					once.Do(func() { ferr = err; stop() })
					continue
				}
				ix.countBuilt(len(docs), &progressMu)
			}
		}()
	}
	wg.Wait()
	return ferr
}
