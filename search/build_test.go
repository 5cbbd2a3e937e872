package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// buildCorpus is n small incidents, every 7th restricted, with a word
// only some of them hold and a timeline.
func buildCorpus(n int) []Doc {
	docs := make([]Doc, 0, n)
	for i := int64(1); i <= int64(n); i++ {
		d := Doc{ID: i, Key: "INC-" + itoa(i), Title: "incident " + itoa(i) + " database failover", Visibility: "internal",
			Services: []string{"svc" + strconv.FormatInt(i%5, 10)},
			Events:   []Event{{ID: 1000 + i, Body: "paged on call for leap second " + itoa(i)}}}
		if i%3 == 0 {
			d.Summary = "the disk was full on db-" + itoa(i%11)
		}
		if i%7 == 0 {
			d.Visibility, d.RestrictedTo = "restricted", []string{"user:1"}
		}
		docs = append(docs, d)
	}
	return docs
}

// TestRebuild_BuilderSameAsIncremental checks that a rebuild, which writes
// each shard as one segment with zapseg,
// holds what indexing the same incidents batch by batch holds, reports its
// progress to the end, and leaves one segment per shard and no scratch
// files.
func TestRebuild_BuilderSameAsIncremental(t *testing.T) {
	ctx := context.Background()
	docs := buildCorpus(1000)
	var last, total int
	built, err := Open(t.TempDir(), Options{Shards: 2, BatchSize: 5, Progress: func(done, tot int) { last, total = done, tot }})
	if err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	if err := built.Rebuild(ctx, newMemSource(docs...)); err != nil {
		t.Fatal(err)
	}
	if last != len(docs) {
		t.Errorf("progress ended at %d of %d, want %d", last, total, len(docs))
	}
	put, err := Open(t.TempDir(), Options{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer put.Close()
	if err := put.Put(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if a, b := built.Status().Documents, put.Status().Documents; a != b || a != uint64(len(docs)) {
		t.Fatalf("documents: built %d, put %d, want %d", a, b, len(docs))
	}
	for _, q := range []string{"database", `"leap second"`, "disk full", "db-3", "service:svc2", "-failover", "incident 77"} {
		for _, v := range []Viewer{{All: true}, {}} {
			a, err := built.Search(ctx, Request{Q: q, Viewer: v, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			b, err := put.Search(ctx, Request{Q: q, Viewer: v, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if a.Total != b.Total || len(a.Items) != len(b.Items) {
				t.Errorf("%q (all %v): built %d (%d shown), put %d (%d shown)", q, v.All, a.Total, len(a.Items), b.Total, len(b.Items))
			}
			if q == `"leap second"` && len(a.Items) > 0 && len(a.Items[0].Events) == 0 {
				t.Errorf("%q: the hit does not point at its timeline event: %+v", q, a.Items[0])
			}
		}
	}
	version, seq, err := built.cur.meta()
	if err != nil || version != MappingVersion || seq != int64(len(docs)) {
		t.Errorf("meta: version %d seq %d (%v), want %d and %d", version, seq, err, MappingVersion, len(docs))
	}
	gen := filepath.Join(built.dir, built.gen)
	if _, err := os.Stat(filepath.Join(gen, buildDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("scratch directory left: %v", err)
	}
	for _, shard := range []string{"shard-0", "shard-1", restrictedDir} {
		ents, err := os.ReadDir(filepath.Join(gen, shard, "store"))
		if err != nil {
			t.Fatal(err)
		}
		zaps := 0
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".zap") {
				zaps++
			}
		}
		if zaps != 1 {
			t.Errorf("%s: %d segments, want 1", shard, zaps)
		}
	}

	// Changes after the build go through the ordinary path.
	src := newMemSource(docs...)
	if err := built.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	src.put(Doc{ID: 5000, Key: "INC-5000", Title: "Zookeeper quorum lost", Visibility: "internal"})
	if _, err := built.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	if r, err := built.Search(ctx, Request{Q: "zookeeper"}); err != nil || r.Total != 1 {
		t.Errorf("after a change: %d hits (%v), want 1", r.Total, err)
	}
}

// TestRebuild_EmptyShards checks a rebuild with nothing for some shards
// (no restricted incident, fewer incidents than shards, none at all).
func TestRebuild_EmptyShards(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		ix, err := Open(t.TempDir(), Options{Shards: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := ix.Rebuild(context.Background(), newMemSource(buildCorpus(n)...)); err != nil {
			t.Fatalf("%d incidents: %v", n, err)
		}
		r, err := ix.Search(context.Background(), Request{Q: "database", Viewer: Viewer{All: true}})
		if err != nil || r.Total != uint64(n) {
			t.Errorf("%d incidents: found %d (%v)", n, r.Total, err)
		}
		ix.Close()
	}
}

// TestRebuild_CanceledKeepsTheOldIndex checks that a rebuild cancelled
// half way, or once every incident is read and the merges run, leaves the
// index in use answering and nothing of the new generation on disk.
func TestRebuild_CanceledKeepsTheOldIndex(t *testing.T) {
	t.Run("half way", func(t *testing.T) {
		testRebuildCanceled(t, 1000, 10, func(ctx context.Context, cancel func()) (Options, Source) {
			return Options{BatchSize: 10, Shards: 2, Progress: func(done, _ int) {
				if done >= 200 {
					cancel()
				}
			}}, newMemSource(buildCorpus(1000)...)
		})
	})
	t.Run("writing the shards", func(t *testing.T) {
		testRebuildCanceled(t, 4000, 5, func(ctx context.Context, cancel func()) (Options, Source) {
			return Options{BatchSize: 5, Shards: 2, onFinish: cancel}, newMemSource(buildCorpus(4000)...)
		})
	})
}

func testRebuildCanceled(t *testing.T, n, batch int, setup func(ctx context.Context, cancel func()) (Options, Source)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	opts, src := setup(ctx, cancel)
	ix, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Put(context.Background(), fixtures()); err != nil {
		t.Fatal(err)
	}
	oldGen := ix.gen
	if err := ix.Rebuild(ctx, src); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled rebuild of %d incidents in batches of %d: %v", n, batch, err)
	}
	// A generation removed has no file left open (checked at once: the
	// collector would close a forgotten *os.File eventually).
	for _, p := range openFilesUnder(t, dir, oldGen) {
		if strings.HasSuffix(p, " (deleted)") {
			t.Errorf("a file of the removed generation is left open: %s", p)
		}
	}
	if ix.gen != oldGen {
		t.Fatalf("generation %s replaced by %s", oldGen, ix.gen)
	}
	if r, err := ix.Search(context.Background(), Request{Q: "cassandra"}); err != nil || r.Total != 1 {
		t.Errorf("old index: %d hits (%v), want 1", r.Total, err)
	}
	waitFor(t, func() bool {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "gen-") && e.Name() != oldGen {
				return false // left behind (or still being removed)
			}
		}
		return true
	})
	// Nor, once removed, is a file of it left open (checked at once, as
	// above).
	if open := openFilesUnder(t, dir, oldGen); len(open) > 0 {
		t.Errorf("files of the cancelled generation left open: %q", open)
	}
}

// openFilesUnder lists the files of dir's generations other than keep
// that the process holds open (Linux only: elsewhere none).
func openFilesUnder(t *testing.T, dir, keep string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var out []string
	for _, fd := range fds {
		p, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(p, filepath.Join(dir, "gen-")) &&
			!strings.HasPrefix(p, filepath.Join(dir, keep)+string(filepath.Separator)) {
			out = append(out, p)
		}
	}
	return out
}

// changingSource changes the database once the rebuild has read past the
// first 500 incidents: incidents already read are changed, deleted and
// restricted, one not read yet is changed, one is added.
type changingSource struct {
	*memSource
	once sync.Once
}

func (s *changingSource) IDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	if after >= 500 {
		s.once.Do(func() {
			d := s.docs[10]
			d.Title = "zebrafish renamed"
			s.put(d)
			s.remove(20)
			d = s.docs[30]
			d.Visibility, d.RestrictedTo = "restricted", []string{"user:9"}
			s.put(d)
			d = s.docs[700]
			d.Title = "okapi later"
			s.put(d)
			s.put(Doc{ID: 2000, Key: "INC-2000", Title: "narwhal brand new", Visibility: "internal"})
		})
	}
	return s.memSource.IDs(ctx, after, limit)
}

// TestRebuild_ChangesWhileReading checks that what changes while a
// rebuild reads the database is in the new index once it is in use: the
// rebuild records the sequence it started from and applies the changes
// after it before the new index is put in use.
func TestRebuild_ChangesWhileReading(t *testing.T) {
	ix, err := Open(t.TempDir(), Options{BatchSize: 10, Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	src := &changingSource{memSource: newMemSource(buildCorpus(1000)...)}
	ctx := context.Background()
	if err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]uint64{"zebrafish": 1, "okapi": 1, "narwhal": 1, "key:inc-20": 0} {
		r, err := ix.Search(ctx, Request{Q: q, Viewer: Viewer{All: true}})
		if err != nil || r.Total != want {
			t.Errorf("%s: %d hits (%v), want %d", q, r.Total, err, want)
		}
	}
	if r, err := ix.Search(ctx, Request{Q: "key:inc-30"}); err != nil || r.Total != 0 {
		t.Errorf("INC-30, restricted during the rebuild, found by anyone: %d hits (%v)", r.Total, err)
	}
	if got, want := ix.Seq(), int64(len(src.changes)); got != want {
		t.Errorf("sequence %d, want %d", got, want)
	}
}

// TestSyncTree checks that a generation is flushed file by file and that
// a generation that is not there is an error (the switch does not happen).
func TestSyncTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "shard-0", "store"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shard-0", "index_meta.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syncTree(dir); err != nil {
		t.Errorf("syncTree: %v", err)
	}
	if err := syncTree(filepath.Join(dir, "gone")); err == nil {
		t.Error("syncTree of a missing directory: no error")
	}
}
