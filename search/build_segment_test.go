package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"
	"go.etcd.io/bbolt"

	"github.com/hindsightrca/hindsight/search/zapseg"
	"github.com/hindsightrca/hindsight/search/zapseg/zapsegtest"
)

// TestBuild_SegmentSameAsZaps checks that the segment a rebuild writes for
// the index's documents (every field kind: text with pairs and without,
// fieldAll, keywords, facets and signatures in doc values, dates, stored
// timelines) holds exactly what zap makes of the same documents.
func TestBuild_SegmentSameAsZaps(t *testing.T) {
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	mk := func() []*document.Document {
		r := rand.New(rand.NewPCG(5, 6))
		var out []*document.Document
		for id := int64(1); id <= 1200; id++ {
			d := planDoc(r, id)
			switch id % 7 {
			case 0:
				d.Title += " ERR_CONN_RESET at db-01.prod.example.com (10.0.3.17) in PaymentService.charge_card"
				d.CustomerImpact = "Kunden in 東京 konnten nicht bezahlen — naïve retries"
				d.Teams = []string{"SRE", "Payments"}
			case 3:
				d.Published = true
				d.Sections = append(d.Sections, Section{Key: "timeline", Title: "What happened", Body: "OOMKilled x509: certificate has expired"})
			}
			doc := ix.docs.build(&d)
			if err := analyzeDoc(doc); err != nil {
				t.Fatal(err)
			}
			out = append(out, doc)
		}
		return out
	}
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.zap")
	w, err := zapseg.Create(ours)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range mk() {
		if err := w.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// zap merges a document's values of a field into the first value's
	// frequencies: it gets documents of its own.
	docs := mk()
	in := make([]index.Document, len(docs))
	for i, d := range docs {
		in[i] = d
	}
	seg, _, err := (&zapv17.ZapPlugin{}).New(in)
	if err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "zap.zap")
	if err := seg.(segment.UnpersistedSegment).Persist(theirs); err != nil {
		t.Fatal(err)
	}
	if err := zapsegtest.DiffFiles(ours, theirs); err != nil {
		t.Fatal(err)
	}
}

// TestBuild_SegmentsOverBudgetMerged checks that a shard whose documents
// outgrow a writer's memory, written as several segments and merged, holds
// exactly what one segment of the same documents holds.
func TestBuild_SegmentsOverBudgetMerged(t *testing.T) {
	src := newMemSource()
	r := rand.New(rand.NewPCG(8, 9))
	for id := int64(1); id <= 600; id++ {
		src.put(planDoc(r, id))
	}
	shard := func(segmentMem int64) *zapv17.Segment {
		dir := t.TempDir()
		var mu sync.Mutex
		segs := 0
		ix, err := Open(dir, Options{Shards: 1, segmentMem: segmentMem, onSegment: func(shard string, _ int) {
			mu.Lock()
			defer mu.Unlock()
			if shard == "shard-0" {
				segs++
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if want := segmentMem > 0; (segs > 1) != want {
				t.Errorf("budget %d: shard-0 written in %d segments", segmentMem, segs)
			}
		}()
		if err := ix.Rebuild(context.Background(), src); err != nil {
			t.Fatal(err)
		}
		ix.Close()
		files, _ := filepath.Glob(filepath.Join(dir, "gen-*", "shard-0", "store", "*.zap"))
		if len(files) != 1 {
			t.Fatalf("segment files: %q, want one", files)
		}
		checkSegmentType(t, filepath.Join(filepath.Dir(files[0]), "root.bolt"))
		s, err := zapsegtest.Open(files[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	one := shard(0)
	merged := shard(64 << 10)
	if err := zapsegtest.Diff(merged, one); err != nil {
		t.Fatal(err)
	}
}

// checkSegmentType checks that every snapshot of a root.bolt reads its
// segments as zap of the version zapseg writes.
func checkSegmentType(t *testing.T, path string) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		snaps := tx.Bucket(util.BoltSnapshotsBucket)
		if snaps == nil {
			return errors.New("no snapshots")
		}
		n := 0
		err := snaps.ForEach(func(k, _ []byte) error {
			m := snaps.Bucket(k).Bucket(util.BoltMetaDataKey)
			typ, ver := m.Get(util.BoltMetaDataSegmentTypeKey), m.Get(util.BoltMetaDataSegmentVersionKey)
			if string(typ) != zapv17.Type || len(ver) < 4 || binary.BigEndian.Uint32(ver) != zapseg.Version {
				return fmt.Errorf("snapshot %x: segments of %q version %x, want %s %d", k, typ, ver, zapv17.Type, zapseg.Version)
			}
			n++
			return nil
		})
		if err == nil && n == 0 {
			err = errors.New("no snapshots")
		}
		return err
	})
	if err != nil {
		t.Errorf("%s: %v", path, err)
	}
}
