package zapseg

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// A writer whose postings near what a uint32 address can name refuses
// more documents instead of wrapping around onto the first chunks.
func TestWriter_FullBeforeAddressesWrap(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "s.zap"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	std := bleve.NewIndexMapping().AnalyzerNamed("standard")
	doc := func() *document.Document {
		d := document.NewDocument("x")
		d.AddField(document.NewTextFieldCustom("f", nil, []byte("a b c"), index.IndexField, std))
		d.AddIDField()
		for _, f := range d.Fields {
			f.Analyze()
		}
		return d
	}
	if err := w.Add(doc()); err != nil {
		t.Fatal(err)
	}
	// Chunks as if written (left unallocated: only their count matters).
	w.pool.chunks = append(w.pool.chunks, make([][]byte, maxChunks-200-len(w.pool.chunks))...)
	if err := w.Add(doc()); !errors.Is(err, ErrFull) {
		t.Fatalf("Add: %v, want ErrFull", err)
	}
}

func TestPool_ChainsReadBack(t *testing.T) {
	var p pool
	var r term
	var want []byte
	for i := range 5000 {
		v := uint64(i * 37)
		p.appendUvarint(&r, v)
		want = appendUvarintForTest(want, v)
	}
	got := p.read(&r, nil)
	if string(got) != string(want) {
		t.Fatalf("read back %d bytes, want %d (first difference decides)", len(got), len(want))
	}
}

func appendUvarintForTest(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
