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

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"

	"github.com/hindsightrca/hindsight/search/zapseg"
)

// A full rebuild does not go through the index's incremental path (a
// segment per batch, a persister writing each, a merger rewriting them
// again and again as they pile up), nor through scorch's offline builder
// (which writes a segment per hundred analysed documents, then merges
// those twice over: two thirds of a rebuild's CPU at 100k incidents). Each
// shard's documents are analysed one at a time into a zapseg.Writer, which
// keeps only their postings and writes the shard's one segment file at the
// end (search/zapseg). The shards take in their documents at once, one
// goroutine each, and write their segments at once too. What the bleve
// wrapper reads when it opens an index (index_meta.json, root.bolt with
// the mapping in the internal storage) and our own state (mapping version,
// sequence, shard count) are written with it.

// segmentBudget is the memory a shard's segment writer may hold (its
// postings and terms, zapseg.Writer.Mem) in a rebuild of shards shards
// before it writes what it has as a segment and starts another; a shard's
// segments are merged into one at the end. The writers of the shards
// share the rebuild's soft memory limit (buildgc.go: 1 GB on most
// machines, 512 MB on small ones), each at least 64 MB; the restricted
// shard's (usually small) comes on top. A writer holds about 7.5 KB per
// incident of the benchmark's (a 7 KB incident with a 50-event timeline):
// at 100k incidents in two shards, each shard of 50k, 363 MB, is one
// segment. Written in three segments of 200 MB and merged, the same shard
// took 4% more CPU, and the merge mapped another 0.5 GB of index files.
func segmentBudget(shards int) int64 {
	return max(buildMemoryLimit(machineMemory())/int64(max(shards, 1)), 64<<20)
}

// builderQueue is how many pages of documents (not yet analysed: a few
// KB each) the reading may put ahead of a shard's builder. With one, the
// reading waited on whichever builder was busy while another went idle:
// a rebuild kept 1.7 of 2 cores busy; with eight, 1.9.
const builderQueue = 8

// buildDir is the builders' scratch directory inside a generation.
const buildDir = ".build"

// shardBuilder feeds one shard's segment writer from its own goroutine.
type shardBuilder struct {
	path    string
	scratch string // the generation's buildDir
	name    string // the shard's directory name, for scratch file names
	budget  int64  // see segmentBudget
	// onSegment is Options.onSegment.
	onSegment func(shard string, docs int)
	docs      chan []*document.Document
	w         *zapseg.Writer // nil until a document
	segs      []string       // the segment files written
	n         int
	err       error
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
	budget := ix.opts.segmentMem
	if budget <= 0 {
		budget = segmentBudget(shards)
	}
	for i := range sbs {
		name := restrictedDir
		if i < shards {
			name = shardDirPrefix + strconv.Itoa(i)
		}
		sbs[i] = &shardBuilder{path: filepath.Join(path, name), scratch: filepath.Join(path, buildDir), name: name,
			budget: budget, onSegment: ix.opts.onSegment, docs: make(chan []*document.Document, builderQueue)}
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
				if err := sb.index(docs); err != nil {
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
	// A build that fails or is cancelled before the shards are written
	// leaves writers open: their scratch files go with the generation's
	// directory, their descriptors here. (Once written, finish has them.)
	finishing := false
	defer func() {
		for _, sb := range sbs {
			if !finishing && sb.w != nil { // finishing first: finish has sb.w
				sb.w.Abort()
			}
		}
	}()
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
	// Each builder writes its segment, all shards at once: writing one is
	// one goroutine's work, and written one after the other the shards
	// left every core but one idle for a third of a rebuild. An empty
	// shard is made as an ordinary empty index.
	errs = make([]error, len(sbs))
	finishing = true
	if ix.opts.onFinish != nil {
		ix.opts.onFinish()
	}
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
				} else if sb.w != nil {
					sb.w.Abort()
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

// index analyses docs and adds them to the shard's segment.
func (sb *shardBuilder) index(docs []*document.Document) error {
	for _, d := range docs {
		if err := analyzeDoc(d); err != nil {
			return fmt.Errorf("search: build %s: %w", sb.path, err)
		}
		if sb.w == nil {
			w, err := zapseg.Create(filepath.Join(sb.scratch, sb.name+"-"+strconv.Itoa(len(sb.segs))+".zap"))
			if err != nil {
				return fmt.Errorf("search: build %s: %w", sb.path, err)
			}
			sb.w = w
		}
		if err := sb.w.Add(d); err != nil {
			return fmt.Errorf("search: build %s: index %s: %w", sb.path, d.ID(), err)
		}
		if sb.w.Mem() >= sb.budget {
			if err := sb.closeSegment(); err != nil {
				return err
			}
		}
	}
	sb.n += len(docs)
	return nil
}

// analyzeDoc adds a document's id field and analyses its indexed fields,
// as scorch does before it indexes a document. The documents of the index
// have no composite fields (fieldAll is a field of its own).
func analyzeDoc(d *document.Document) error {
	if len(d.CompositeFields) > 0 {
		return fmt.Errorf("document %s: composite fields are not supported", d.ID())
	}
	d.AddIDField()
	for _, f := range d.Fields {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
	}
	return nil
}

// closeSegment writes the segment being made.
func (sb *shardBuilder) closeSegment() error {
	w := sb.w
	sb.w = nil
	if err := w.Close(); err != nil {
		return fmt.Errorf("search: build %s: %w", sb.path, err)
	}
	sb.segs = append(sb.segs, filepath.Join(sb.scratch, sb.name+"-"+strconv.Itoa(len(sb.segs))+".zap"))
	if sb.onSegment != nil {
		sb.onSegment(sb.name, w.Docs())
	}
	return nil
}

// finish writes the shard: its segments merged into one (when it has more
// than one) put in place of the one document of an index scorch's builder
// writes with the internal values, or an empty index when the shard got
// no document.
func (sb *shardBuilder) finish(ix *Index, internal func() map[string][]byte) error {
	if sb.w != nil {
		if err := sb.closeSegment(); err != nil {
			return err
		}
	}
	if len(sb.segs) == 0 {
		return sb.empty(ix, internal)
	}
	seg := sb.segs[0]
	if len(sb.segs) > 1 {
		seg = filepath.Join(sb.scratch, sb.name+".zap")
		if err := mergeSegments(sb.segs, seg); err != nil {
			return fmt.Errorf("search: build %s: %w", sb.path, err)
		}
	}
	// scorch's builder writes root.bolt (the snapshot naming the segment
	// file, with the internal values) and index_meta.json; the segment it
	// wrote for a placeholder document is then replaced by the shard's.
	if err := writeIndexMeta(sb.path); err != nil {
		return err
	}
	store := filepath.Join(sb.path, "store")
	// root.bolt names the segment type and version its files are read
	// with: the version zapseg writes, whatever bleve's default becomes.
	b, err := scorch.NewBuilder(map[string]interface{}{
		"path":                store,
		"buildPathPrefix":     sb.scratch,
		"batchSize":           1,
		"internal":            internal(),
		"forceSegmentType":    zapv17.Type,
		"forceSegmentVersion": int(zapseg.Version),
	})
	if err == nil {
		err = b.Index(document.NewDocument(""))
		if cerr := b.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(seg, filepath.Join(store, builderSegment))
	}
	if err != nil {
		return fmt.Errorf("search: build %s: %w", sb.path, err)
	}
	return nil
}

// builderSegment is the file name of the segment scorch's builder writes.
const builderSegment = "000000000002.zap"

// mergeSegments merges segment files into one at out with zap.
func mergeSegments(paths []string, out string) error {
	p := &zapv17.ZapPlugin{}
	segs := make([]segment.Segment, 0, len(paths))
	defer func() {
		for _, s := range segs {
			_ = s.Close()
		}
	}()
	for _, path := range paths {
		s, err := p.Open(path)
		if err != nil {
			return err
		}
		segs = append(segs, s)
	}
	if _, _, err := p.Merge(segs, make([]*roaring.Bitmap, len(segs)), out, nil, nil); err != nil {
		return err
	}
	for _, path := range paths {
		_ = os.Remove(path)
	}
	return nil
}

// empty makes the shard an empty index.
func (sb *shardBuilder) empty(ix *Index, internal func() map[string][]byte) error {
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
