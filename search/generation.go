package search

// A generation is one directory of shards holding the whole index; a
// rebuild makes a new one beside the one in use and swaps it in.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// newGeneration creates an empty index of the current mapping in shards
// shards, makes it the one in use and returns it (caller holds applyMu; used
// when none exists).
func (ix *Index) newGeneration(shards int) (*shardIndex, error) {
	gen, idx, err := ix.create(shards)
	if err != nil {
		return nil, err
	}
	if err := ix.swap(gen, idx, 0); err != nil {
		return nil, err
	}
	return idx, nil
}

// create makes a new, empty generation directory and index (a crash
// mid-rebuild leaves a generation CURRENT does not name, which the next
// start deletes).
func (ix *Index) create(shards int) (string, *shardIndex, error) {
	gen := "gen-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	path := filepath.Join(ix.dir, gen)
	idx, err := createShards(path, shards, func(path string) (bleve.Index, error) {
		return bleve.NewUsing(path, ix.im, scorch.Name, scorch.Name, scorchConfig())
	})
	if err != nil {
		_ = os.RemoveAll(path)
		return "", nil, fmt.Errorf("search: create index: %w", err)
	}
	if err := idx.each(func(_ int, p bleve.Index) error {
		b := p.NewBatch()
		b.SetInternal(keyVersion, []byte(strconv.Itoa(MappingVersion)))
		b.SetInternal(keySeq, []byte("0"))
		b.SetInternal(keyShards, []byte(strconv.Itoa(shards)))
		return p.Batch(b)
	}); err != nil {
		idx.Close()
		_ = os.RemoveAll(path)
		return "", nil, fmt.Errorf("search: create index: %w", err)
	}
	return gen, idx, nil
}

// swap makes idx (generation gen, having applied changes up to seq) the
// index in use: CURRENT is replaced atomically, then the old generation is
// closed (after the searches using it finished) and deleted.
func (ix *Index) swap(gen string, idx *shardIndex, seq int64) error {
	// The generation is on disk, whole, before CURRENT names it: a power
	// cut after the switch must not leave CURRENT naming missing files.
	if err := syncTree(filepath.Join(ix.dir, gen)); err != nil {
		return fmt.Errorf("search: switch index: %w", err)
	}
	tmp := filepath.Join(ix.dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(gen+"\n"), 0o600); err != nil {
		return fmt.Errorf("search: write %s: %w", tmp, err)
	}
	_ = syncPath(tmp)
	if err := os.Rename(tmp, filepath.Join(ix.dir, currentFile)); err != nil {
		return fmt.Errorf("search: switch index: %w", err)
	}
	_ = syncPath(ix.dir) // the rename itself
	ix.mu.Lock()
	old, oldGen := ix.cur, ix.gen
	if old != idx {
		// The old generation's segments are of no more use; forgotten
		// before the new one is published, so that no query caches the
		// new one's in the old cache (to be loaded again after).
		ix.fcache.forgetSegments()
		ix.scache.forget(idx)
		ix.posts.forget()
	}
	ix.cur, ix.gen, ix.seq, ix.stale = idx, gen, seq, false
	ix.mu.Unlock()
	if old != idx {
		ix.fcache.watch(idx)
	}
	if old != nil {
		unwatch(old)
		if err := old.Close(); err != nil {
			ix.log.Warn("Search index: closing the old index", "error", err)
		}
		if err := os.RemoveAll(filepath.Join(ix.dir, oldGen)); err != nil {
			ix.log.Warn("Search index: removing the old index", "error", err)
		}
	}
	return nil
}

// syncTree flushes every file and directory below dir (and dir) to disk.
// The index may be open and taking changes meanwhile: a segment file its
// merger removed between the listing and the flush is no longer part of
// it, and is passed over (the merger's own files are flushed as written).
func syncTree(dir string) error {
	return filepath.WalkDir(dir, syncStep(dir))
}

// syncStep is syncTree's step for each entry of the walk of dir.
func syncStep(dir string) fs.WalkDirFunc {
	return func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		if err == nil {
			err = syncPath(path)
		}
		if errors.Is(err, fs.ErrNotExist) && path != dir {
			return nil // removed meanwhile
		}
		return err
	}
}

// syncPath flushes one file or directory to disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
