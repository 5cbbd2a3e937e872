package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
)

// A full rebuild does not go through the index's incremental path (a
// segment per batch, a persister writing each, a merger rewriting them
// again and again as they pile up): each shard is written by scorch's
// offline builder, which analyses the documents a chunk at a time into
// segment files and merges those at the end into the shard's one segment.
// The shards take in their documents at once, one goroutine each, and
// merge at once too. What the
// bleve wrapper reads when it opens an index (index_meta.json, the mapping
// in the internal storage) and our own state (mapping version, sequence,
// shard count) are written with it.

// A shard's builder analyses Options.BatchSize documents into one segment
// file. Analysed documents take far more memory than their text (about
// half a megabyte each for a 7 KB incident with a 50-event timeline), and
// every shard builds at once: chunks of 100 keep a rebuild of two shards
// near 300 MB, where chunks of 400 took 1 GB for 5% less CPU.

// builderMergeMax is how many segment files the builder merges at a time
// (bleve's default is 10). A merge maps its inputs into memory and reads
// them whole, and they stay resident until it ends: merging a shard's
// hundreds of chunk files at once took 2.5 GB of resident memory at 100k
// incidents. Merged thirty at a time, the 500 chunks of a shard of 50k
// incidents are merged in two rounds rather than three (each round
// rewrites the whole shard: 6% less CPU for a rebuild at 100k), and only
// the last merge holds about the shard itself.
const builderMergeMax = 30

// builderQueue is how many pages of documents (not yet analysed: a few
// KB each) the reading may put ahead of a shard's builder. With one, the
// reading waited on whichever builder was busy while another went idle:
// a rebuild kept 1.7 of 2 cores busy; with eight, 1.9.
const builderQueue = 8

// buildDir is the builders' scratch directory inside a generation.
const buildDir = ".build"

// shardBuilder feeds one shard's builder from its own goroutine.
type shardBuilder struct {
	path string
	docs chan []*document.Document
	b    *scorch.Builder // nil until the first document
	n    int
	err  error
}

// build writes a new generation of shards shards holding every incident of
// src, with seq recorded as the last change applied, and opens it. Progress
// is counted in ix.buildDone; ctx cancels the build (the generation's
// directory is removed).
func (ix *Index) build(ctx context.Context, src Source, shards int, seq int64) (string, *shardIndex, int, error) {
	gen := "gen-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	path := filepath.Join(ix.dir, gen)
	fail := func(err error) (string, *shardIndex, int, error) {
		_ = os.RemoveAll(path)
		return "", nil, 0, err
	}
	if err := os.MkdirAll(filepath.Join(path, buildDir), 0o700); err != nil {
		return fail(fmt.Errorf("search: create index: %w", err))
	}
	mappingJSON, err := util.MarshalJSON(ix.im)
	if err != nil {
		return fail(fmt.Errorf("search: create index: mapping: %w", err))
	}
	internal := func() map[string][]byte {
		return map[string][]byte{
			string(util.MappingInternalKey): mappingJSON,
			string(keyVersion):              []byte(strconv.Itoa(MappingVersion)),
			string(keySeq):                  []byte(strconv.FormatInt(seq, 10)),
			string(keyShards):               []byte(strconv.Itoa(shards)),
		}
	}
	layout := &shardIndex{parts: make([]bleve.Index, shards)} // for shardOf only
	sbs := make([]*shardBuilder, shards+1)                    // the restricted shard last
	for i := range sbs {
		name := restrictedDir
		if i < shards {
			name = shardDirPrefix + strconv.Itoa(i)
		}
		sbs[i] = &shardBuilder{path: filepath.Join(path, name), docs: make(chan []*document.Document, builderQueue)}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var progressMu sync.Mutex
	for _, sb := range sbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for docs := range sb.docs {
				if sb.err != nil || ctx.Err() != nil {
					continue
				}
				if err := sb.index(docs, path, ix.opts.BatchSize, internal); err != nil {
					sb.err = err
					cancel()
					continue
				}
				ix.countBuilt(len(docs), &progressMu)
			}
		}()
	}
	readErr := ix.readAll(ctx, src, func(docs []Doc) {
		per := make([][]*document.Document, len(sbs))
		for i := range docs {
			home := layout.shardOf(docs[i].ID)
			if docs[i].restricted() {
				home = shards
			}
			per[home] = append(per[home], ix.docs.build(&docs[i]))
		}
		for i, ds := range per {
			if len(ds) > 0 {
				select {
				case sbs[i].docs <- ds:
				case <-ctx.Done():
				}
			}
		}
	})
	for _, sb := range sbs {
		close(sb.docs)
	}
	wg.Wait()
	var errs []error
	for _, sb := range sbs {
		errs = append(errs, sb.err)
	}
	// A builder that fails cancels the reading: its error is the cause,
	// not the cancellation the reading then reports.
	if readErr != nil && (errors.Join(errs...) == nil || !errors.Is(readErr, context.Canceled)) {
		errs = append([]error{readErr}, errs...)
	}
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	// Each builder merges its segment files into one, all shards at once:
	// a merge is one goroutine's work, and merged one after the other the
	// shards left every core but one idle for a third of a rebuild. The
	// last merge of a shard has about the whole shard mapped in memory, so
	// the peak is the index's size in mapped (file-backed, reclaimable)
	// pages rather than a shard's. An empty shard is made as an ordinary
	// empty index.
	errs = make([]error, len(sbs))
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var merges sync.WaitGroup
		for i, sb := range sbs {
			merges.Add(1)
			go func() {
				defer merges.Done()
				if ctx.Err() == nil {
					errs[i] = sb.finish(ix, internal)
				}
			}()
		}
		merges.Wait()
	}()
	select {
	case <-finished:
	case <-ctx.Done():
		// A merge cannot be interrupted (it may take a minute on a large
		// index): the rebuild returns now, and the generation is removed
		// when the merges are done.
		go func() { <-finished; _ = os.RemoveAll(path) }()
		return "", nil, 0, ctx.Err()
	}
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	_ = os.RemoveAll(filepath.Join(path, buildDir))
	forgetWritten(path)
	idx, err := openShards(path, func(p string) (bleve.Index, error) {
		return bleve.OpenUsing(p, scorchConfig())
	})
	if err != nil {
		return fail(fmt.Errorf("search: open the new index: %w", err))
	}
	n := 0
	for _, sb := range sbs {
		n += sb.n
	}
	return gen, idx, n, nil
}

// countBuilt counts n more incidents built and reports the progress; mu
// serialises the reports (Progress need not be safe for concurrent use).
func (ix *Index) countBuilt(n int, mu *sync.Mutex) {
	done := ix.buildDone.Add(int64(n))
	if ix.opts.Progress != nil {
		mu.Lock()
		ix.opts.Progress(int(done), int(ix.buildTotal.Load()))
		mu.Unlock()
	}
}

// index adds docs to the shard's builder, making it first.
func (sb *shardBuilder) index(docs []*document.Document, gen string, chunk int, internal func() map[string][]byte) error {
	if sb.b == nil {
		if err := writeIndexMeta(sb.path); err != nil {
			return err
		}
		b, err := scorch.NewBuilder(map[string]interface{}{
			"path":            filepath.Join(sb.path, "store"),
			"buildPathPrefix": filepath.Join(gen, buildDir),
			"batchSize":       chunk,
			"mergeMax":        builderMergeMax,
			"internal":        internal(),
		})
		if err != nil {
			return fmt.Errorf("search: build %s: %w", sb.path, err)
		}
		sb.b = b
	}
	for _, d := range docs {
		if err := sb.b.Index(d); err != nil {
			return fmt.Errorf("search: build %s: index %s: %w", sb.path, d.ID(), err)
		}
	}
	sb.n += len(docs)
	return nil
}

// finish merges the builder's segments into the shard, or makes the shard
// an empty index when it got no document.
func (sb *shardBuilder) finish(ix *Index, internal func() map[string][]byte) error {
	if sb.b != nil {
		if err := sb.b.Close(); err != nil {
			return fmt.Errorf("search: build %s: %w", sb.path, err)
		}
		return nil
	}
	p, err := bleve.NewUsing(sb.path, ix.im, scorch.Name, scorch.Name, scorchConfig())
	if err != nil {
		return fmt.Errorf("search: create %s: %w", sb.path, err)
	}
	b := p.NewBatch()
	for k, v := range internal() {
		if k != string(util.MappingInternalKey) {
			b.SetInternal([]byte(k), v)
		}
	}
	err = p.Batch(b)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search: create %s: %w", sb.path, err)
	}
	return nil
}

// writeIndexMeta writes the file by which bleve knows a scorch index in
// dir (what bleve.NewBuilder writes).
func writeIndexMeta(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("search: create %s: %w", dir, err)
	}
	meta := `{"storage":"` + scorch.Name + `","index_type":"` + scorch.Name + `"}`
	if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(meta), 0o600); err != nil {
		return fmt.Errorf("search: create %s: %w", dir, err)
	}
	return nil
}

// forgetWritten drops a new generation's segment files from the page
// cache before they are opened. The kernel keeps what a rebuild wrote in
// large pages, and maps a whole large page into a process that touches
// any part of it: served right after a rebuild at 100k incidents, the
// searches and similar incidents left 340 MB of index files resident in
// the server against 180 MB for the same index read back from disk. The
// pages are the kernel's to reclaim, but they count in the server's
// resident memory (and its container's). Dropped, they come back as the
// searches read them. A file that cannot be dropped is left as it is.
func forgetWritten(gen string) {
	_ = filepath.WalkDir(gen, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".zap") {
			_ = dropFromPageCache(p)
		}
		return nil
	})
}
