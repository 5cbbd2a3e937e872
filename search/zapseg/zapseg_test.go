package zapseg_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"

	"github.com/hindsightrca/hindsight/search/zapseg"
	"github.com/hindsightrca/hindsight/search/zapseg/zapsegtest"
)

func TestVersionIsZaps(t *testing.T) {
	if zapseg.Version != zap.Version {
		t.Fatalf("zapseg writes version %d, zap reads %d", zapseg.Version, zap.Version)
	}
}

var words = strings.Fields(`the database failover took forty minutes because replication lag
	grew while the primary was saturated bgp route leak certificate expired dns resolver
	timeout kubernetes node pressure evicted pods postgres xid wraparound vacuum disk full
	leap second clock skew deploy rollback canary s3 outage cascading retries élan naïve 東京`)

// docs makes n documents of several field kinds: analysed text with array
// positions, keywords with doc values, dates, numbers, stored-only values,
// fields some documents lack, and a field first seen late whose name sorts
// first.
func docs(n int, seed uint64) []*document.Document { return docsNamed("doc", n, seed) }

// docsNamed is docs with ids prefix-00000 and on.
func docsNamed(prefix string, n int, seed uint64) []*document.Document {
	im := bleve.NewIndexMapping()
	std := im.AnalyzerNamed("standard")
	kw := im.AnalyzerNamed("keyword")
	rng := rand.New(rand.NewPCG(seed, 7))
	text := func(k int) string {
		var b strings.Builder
		for range k {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		return b.String()
	}
	out := make([]*document.Document, n)
	for i := range out {
		d := document.NewDocument(fmt.Sprintf("%s-%05d", prefix, i))
		d.AddField(document.NewTextFieldCustom("title", nil, []byte(text(1+rng.IntN(8))),
			index.IndexField|index.StoreField, std))
		for k := range rng.IntN(4) {
			d.AddField(document.NewTextFieldCustom("body", []uint64{uint64(k)}, []byte(text(rng.IntN(60))),
				index.IndexField|index.StoreField, std))
		}
		for k := range rng.IntN(3) {
			d.AddField(document.NewTextFieldCustom("tag", []uint64{uint64(k)}, []byte(words[rng.IntN(12)]),
				index.IndexField|index.DocValues, kw))
		}
		if rng.IntN(5) > 0 {
			at := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(1e6)) * time.Minute)
			f, err := document.NewDateTimeFieldWithIndexingOptions("when", nil, at, time.RFC3339,
				index.IndexField|index.StoreField|index.DocValues)
			if err != nil {
				panic(err)
			}
			d.AddField(f)
		}
		if rng.IntN(3) == 0 {
			d.AddField(document.NewNumericFieldWithIndexingOptions("size", nil, float64(rng.IntN(1000)),
				index.IndexField|index.StoreField|index.DocValues))
		}
		d.AddField(document.NewTextFieldWithIndexingOptions("ids", nil, []byte(fmt.Sprint(rng.Int64())), index.StoreField))
		if i > n/2 {
			d.AddField(document.NewTextFieldCustom("aaa", nil, []byte(words[rng.IntN(len(words))]),
				index.IndexField|index.DocValues|index.SkipDVChunking|index.SkipDVCompression, kw)) // zap reads values of one document per chunk only uncompressed
		}
		if rng.IntN(50) == 0 {
			d.AddField(document.NewTextFieldCustom("title", nil, []byte(""), index.IndexField|index.StoreField, std))
		}
		d.AddIDField()
		for _, f := range d.Fields {
			if f.Options().IsIndexed() {
				f.Analyze()
			}
		}
		out[i] = d
	}
	return out
}

// zapMade is the segment zap makes from the documents.
func zapMade(t *testing.T, ds []*document.Document, path string) {
	t.Helper()
	in := make([]index.Document, len(ds))
	for i, d := range ds {
		in[i] = d
	}
	seg, _, err := (&zap.ZapPlugin{}).New(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := seg.(segment.UnpersistedSegment).Persist(path); err != nil {
		t.Fatal(err)
	}
}

func written(t *testing.T, ds []*document.Document, path string) {
	t.Helper()
	w, err := zapseg.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := w.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".stored"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the scratch file is left: %v", err)
	}
}

func TestWriter_SameAsZap(t *testing.T) {
	for _, n := range []int{1, 7, 1500, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			// zap merges a document's values of a field into the first
			// value's frequencies: each gets its own documents.
			written(t, docs(n, uint64(n)), filepath.Join(dir, "ours.zap"))
			zapMade(t, docs(n, uint64(n)), filepath.Join(dir, "zap.zap"))
			if err := zapsegtest.DiffFiles(filepath.Join(dir, "ours.zap"), filepath.Join(dir, "zap.zap")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A segment zapseg wrote merges with zap's like zap's own.
func TestWriter_MergesWithZaps(t *testing.T) {
	dir := t.TempDir()
	written(t, docs(800, 1), filepath.Join(dir, "a-ours.zap"))
	zapMade(t, docs(800, 1), filepath.Join(dir, "a-zap.zap"))
	bz := filepath.Join(dir, "b.zap")
	zapMade(t, docsNamed("b", 900, 2), bz)
	merge := func(first, out string) *zap.Segment {
		p := &zap.ZapPlugin{}
		s1, err := p.Open(first)
		if err != nil {
			t.Fatal(err)
		}
		defer s1.Close()
		s2, err := p.Open(bz)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		if _, _, err := p.Merge([]segment.Segment{s1, s2}, []*roaring.Bitmap{nil, nil}, out, nil, nil); err != nil {
			t.Fatal(err)
		}
		s, err := zapsegtest.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	got := merge(filepath.Join(dir, "a-ours.zap"), filepath.Join(dir, "m-ours.zap"))
	want := merge(filepath.Join(dir, "a-zap.zap"), filepath.Join(dir, "m-zap.zap"))
	if err := zapsegtest.Diff(got, want); err != nil {
		t.Fatal(err)
	}
}

func TestWriter_Refuses(t *testing.T) {
	im := bleve.NewIndexMapping()
	std := im.AnalyzerNamed("standard")
	tests := []struct {
		name string
		doc  func() *document.Document
		want string
	}{
		{"term vectors", func() *document.Document {
			d := document.NewDocument("x")
			d.AddField(document.NewTextFieldCustom("body", nil, []byte("a b"),
				index.IndexField|index.IncludeTermVectors, std))
			return d
		}, "term vectors"},
		{"composite fields", func() *document.Document {
			d := document.NewDocument("x")
			d.AddField(document.NewTextFieldCustom("body", nil, []byte("a b"), index.IndexField, std))
			d.AddField(document.NewCompositeField("_all", true, nil, nil))
			return d
		}, "composite fields are not supported"},
		{"no id", func() *document.Document {
			d := document.NewDocument("x")
			d.AddField(document.NewTextFieldCustom("body", nil, []byte("a b"), index.IndexField, std))
			return d
		}, "no _id field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.zap")
			w, err := zapseg.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			d := tt.doc()
			if tt.name != "no id" {
				d.AddIDField()
			}
			for _, f := range d.Fields {
				f.Analyze()
			}
			err = w.Add(d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Add: %v, want an error saying %q", err, tt.want)
			}
			if err := w.Close(); err == nil {
				t.Fatal("Close after a failed Add: no error")
			}
			for _, p := range []string{path, path + ".stored"} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is left: %v", p, err)
				}
			}
		})
	}
}

// A term of one document, once, is kept in the dictionary itself (zap's
// "1-hit"), as zap's merges keep it; others point at their postings.
func TestWriter_OneHitTerms(t *testing.T) {
	dir := t.TempDir()
	im := bleve.NewIndexMapping()
	var ds []*document.Document
	std := im.AnalyzerNamed("standard")
	for i, v := range []string{"lonely", "shared", "shared", "double double"} {
		d := document.NewDocument(fmt.Sprint(i))
		d.AddField(document.NewTextFieldCustom("f", nil, []byte(v), index.IndexField, std))
		d.AddIDField()
		for _, f := range d.Fields {
			f.Analyze()
		}
		ds = append(ds, d)
	}
	path := filepath.Join(dir, "s.zap")
	written(t, ds, path)
	s, err := zapsegtest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// "double" is in one document, twice: not a 1-hit.
	for term, oneHit := range map[string]bool{"lonely": true, "shared": false, "double": false} {
		v, ok, err := zapsegtest.DictValue(s, "f", term)
		if err != nil || !ok {
			t.Fatalf("%s: %v, %v", term, ok, err)
		}
		if got := v&zap.FSTValEncoding1Hit != 0; got != oneHit {
			t.Errorf("%s: 1-hit %v, want %v (value %x)", term, got, oneHit, v)
		}
	}
}

func TestWriter_CloseTwiceKeepsTheSegment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.zap")
	w, err := zapseg.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs(3, 1) {
		if err := w.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Error("a second Close: no error")
	}
	w.Abort()
	if err := w.Add(docs(1, 2)[0]); err == nil {
		t.Error("Add after Close: no error")
	}
	s, err := zapsegtest.Open(path)
	if err != nil {
		t.Fatalf("the segment after Close, Close and Abort: %v", err)
	}
	s.Close()
}

// BenchmarkWriter writes a segment of 2,000 mixed documents, against zap
// making one from the same documents (zapseg's reason to be: fewer
// allocations kept, nothing for the collector to walk).
func BenchmarkWriter(b *testing.B) {
	const n = 2000
	b.Run("zapseg", func(b *testing.B) {
		dir := b.TempDir()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			ds := docs(n, 1)
			b.StartTimer()
			w, err := zapseg.Create(filepath.Join(dir, fmt.Sprintf("%d.zap", i)))
			if err != nil {
				b.Fatal(err)
			}
			for _, d := range ds {
				if err := w.Add(d); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("zap.New", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			ds := docs(n, 1)
			in := make([]index.Document, len(ds))
			for i, d := range ds {
				in[i] = d
			}
			b.StartTimer()
			if _, _, err := (&zap.ZapPlugin{}).New(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
