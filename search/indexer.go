package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// changesPerRound bounds the changes one apply reads; the documents they
// touch are indexed in one batch with the new sequence number.
const changesPerRound = 2000

// Run keeps the index current until ctx ends: it builds the index when
// there is none (or its mapping version is old, or it has seen changes the
// database does not have — another database), then applies the change feed
// after the last change applied, waking on the source's notifications (when
// it is a Notifier) and polling every PollInterval as the fallback. Errors
// are logged and retried; Run returns only when ctx ends.
func (ix *Index) Run(ctx context.Context, src Source) {
	var notes <-chan struct{}
	if n, ok := src.(Notifier); ok {
		ch, err := n.Notify(ctx)
		if err != nil {
			ix.log.Warn("Search index: change notifications unavailable; polling", "error", err)
		} else {
			notes = ch
		}
	}
	tick := time.NewTicker(ix.opts.PollInterval)
	defer tick.Stop()
	backoff := time.Second
	for {
		err := ix.step(ctx, src)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrClosed):
			return
		case err != nil:
			ix.log.Warn("Search index: cannot apply changes; retrying", "error", err, "retry_in", backoff.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-ix.wake:
		case _, ok := <-notes:
			if !ok {
				notes = nil
			}
		}
	}
}

// step rebuilds when needed, then applies every pending change.
func (ix *Index) step(ctx context.Context, src Source) error {
	if ix.needsRebuild(ctx, src) {
		if err := ix.Rebuild(ctx, src); err != nil {
			ix.rebuildWanted.Store(true) // try again, even if it was asked for
			if ctx.Err() == nil {
				ix.rebuildErr.Store(err.Error())
			}
			return err
		}
	}
	for {
		n, err := ix.CatchUp(ctx, src)
		if err != nil || n < changesPerRound {
			return err
		}
	}
}

// needsRebuild reports whether the index must be built anew.
func (ix *Index) needsRebuild(ctx context.Context, src Source) bool {
	if ix.rebuildWanted.Swap(false) {
		return true
	}
	ix.mu.RLock()
	missing, stale, seq, closed := ix.cur == nil, ix.stale, ix.seq, ix.closed
	ix.mu.RUnlock()
	if closed {
		return false
	}
	if missing || stale {
		return true
	}
	if _, err := os.Stat(filepath.Join(ix.dir, currentFile)); errors.Is(err, os.ErrNotExist) {
		// Someone deleted the index while it was in use: build it again
		// (the open files answer until then).
		ix.log.Warn("Search index: its directory was removed; rebuilding", "dir", ix.dir)
		if err := ix.relock(); err != nil {
			ix.log.Warn("Search index: cannot lock the new directory", "error", err)
		}
		return true
	}
	last, err := src.LastSeq(ctx)
	if err == nil && seq > last {
		ix.log.Warn("Search index: has changes the database does not (another database?); rebuilding",
			"index_seq", seq, "database_seq", last)
		return true
	}
	return false
}

// CatchUp applies up to changesPerRound changes after the last one applied
// and returns how many it read.
func (ix *Index) CatchUp(ctx context.Context, src Source) (int, error) {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	ix.mu.RLock()
	idx, seq, closed := ix.cur, ix.seq, ix.closed
	ix.mu.RUnlock()
	if closed {
		return 0, ErrClosed
	}
	if idx == nil {
		return 0, ErrNotReady
	}
	chs, err := src.Changes(ctx, seq, changesPerRound)
	if err != nil || len(chs) == 0 {
		return 0, err
	}
	last := chs[len(chs)-1].Seq
	ids := incident.TouchedIncidents(chs)
	kept, err := ix.apply(ctx, idx, src, ids, last)
	if err != nil {
		return 0, err
	}
	ix.mu.Lock()
	if ix.cur == idx {
		ix.seq = last
	}
	ix.mu.Unlock()
	if ix.opts.OnApplied != nil && len(kept) > 0 {
		ix.opts.OnApplied(ctx, kept)
	}
	return len(chs), nil
}

// apply re-indexes ids from the source (deleting those gone) and records
// seq in the same batch; it returns the ids still there.
func (ix *Index) apply(ctx context.Context, idx *shardIndex, src Source, ids []int64, seq int64) ([]int64, error) {
	var (
		kept []int64
		put  []Doc
		gone []int64
	)
	for start := 0; start < len(ids); start += ix.opts.BatchSize {
		chunk := ids[start:min(start+ix.opts.BatchSize, len(ids))]
		docs, err := src.Docs(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("search: load incidents: %w", err)
		}
		for _, id := range chunk {
			d, ok := docs[id]
			if !ok {
				gone = append(gone, id)
				continue
			}
			put = append(put, d)
			kept = append(kept, id)
		}
	}
	if err := idx.batch(ix.docsFor(idx).build, put, gone, seq); err != nil {
		return nil, err
	}
	return kept, nil
}

// Rebuild builds a new index from every incident in the source, brings it
// up to date with the change feed and then puts it in place of the current
// one, which answers searches until then.
func (ix *Index) Rebuild(ctx context.Context, src Source) error {
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	if ix.isClosed() {
		return ErrClosed
	}
	ix.building.Store(true)
	defer ix.building.Store(false)
	ix.buildDone.Store(0)
	ix.buildTotal.Store(0)
	start := time.Now()

	// Changes after seq are applied after the full load; they may touch
	// incidents the load already saw, which only indexes them again.
	seq, err := src.LastSeq(ctx)
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	if c, ok := src.(Counter); ok {
		if total, err := c.Count(ctx); err == nil {
			ix.buildTotal.Store(total)
		}
	}
	restoreGC := raiseGC()
	gen, idx, n, err := ix.build(ctx, src, shardsFor(ix.buildTotal.Load(), ix.opts.Shards), seq)
	restoreGC()
	if err != nil {
		return err
	}
	path := filepath.Join(ix.dir, gen)
	fail := func(err error) error {
		idx.Close()
		_ = os.RemoveAll(path)
		return err
	}
	for {
		chs, err := src.Changes(ctx, seq, changesPerRound)
		if err != nil {
			return fail(fmt.Errorf("search: rebuild: %w", err))
		}
		if len(chs) == 0 {
			break
		}
		last := chs[len(chs)-1].Seq
		if _, err := ix.apply(ctx, idx, src, incident.TouchedIncidents(chs), last); err != nil {
			return fail(err)
		}
		seq = last
	}
	if err := ix.swap(gen, idx, seq); err != nil {
		return fail(err)
	}
	ix.rebuilds.Add(1)
	ix.rebuildErr.Store("")
	el := time.Since(start)
	ix.log.Info("Search index built", "incidents", n, "took", el.Round(time.Millisecond).String(),
		"per_second", int(float64(n)/max(el.Seconds(), 1e-9)))
	return nil
}

// readAll reads every incident of the source, a page at a time in id
// order, and hands each page to fn; it stops early when ctx ends.
func (ix *Index) readAll(ctx context.Context, src Source, fn func(docs []Doc)) error {
	var after int64
	for ctx.Err() == nil {
		ids, err := src.IDs(ctx, after, ix.opts.BatchSize)
		if err != nil {
			return fmt.Errorf("search: list incidents: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		after = ids[len(ids)-1]
		m, err := src.Docs(ctx, ids)
		if err != nil {
			return fmt.Errorf("search: load incidents: %w", err)
		}
		docs := make([]Doc, 0, len(m))
		for _, id := range ids {
			if d, ok := m[id]; ok {
				docs = append(docs, d)
			}
		}
		fn(docs)
	}
	return ctx.Err()
}

// Counter is a Source that can say how many incidents it has, so a rebuild
// can show its progress as a share.
type Counter interface {
	Count(ctx context.Context) (int64, error)
}
