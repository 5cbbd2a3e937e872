package search

import (
	"context"
	"strconv"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// TestIndex_OldGenerationAnswersInItsShape checks that a generation of
// mapping version 3 — written as version 3 wrote it: no all_text, every
// text field with its pairs — keeps answering after the upgrade, until the
// rebuild replaces it, and that changes applied to it meanwhile are written
// in its shape and found. From the review of lane q (P1-3).
func TestIndex_OldGenerationAnswersInItsShape(t *testing.T) {
	dir := t.TempDir()
	src := newMemSource(fixtures()...)
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen, idx, err := ix.create(1)
	if err != nil {
		t.Fatal(err)
	}
	idx.version = 3
	if err := idx.setInternal(keyVersion, []byte(strconv.Itoa(3))); err != nil {
		t.Fatal(err)
	}
	seq, _ := src.LastSeq(context.Background())
	var docs []Doc
	for _, d := range src.docs {
		docs = append(docs, d)
	}
	if err := idx.batch(ix.docsFor(idx).build, docs, nil, seq); err != nil {
		t.Fatal(err)
	}
	if err := ix.swap(gen, idx, seq); err != nil {
		t.Fatal(err)
	}
	ix.Close()

	ix = reopenStale(t, dir)
	// Really of the old shape: nothing in all_text.
	q := bleve.NewTermQuery("bgp")
	q.SetField(fieldAll)
	ix.mu.RLock()
	r0, err := ix.cur.Search(bleve.NewSearchRequest(q))
	ix.mu.RUnlock()
	if err != nil || r0.Total != 0 {
		t.Fatalf("the old generation holds all_text terms: %v %v", err, r0)
	}
	// A change while the old generation serves.
	src.put(Doc{ID: 9, Key: "INC-9", Title: "Kafka broker disk full", Visibility: "internal",
		Events: []Event{{ID: 901, Body: "partition leader election storm"}}})
	if _, err := ix.CatchUp(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q    string
		want int
	}{
		{"bgp", 1},
		{"dns OR certificate", 1},
		{`"leap second"`, 1},
		{"kernel", 1},
		{`timeline:"packet loss"`, 1},
		{`rca:"leaked prefixes"`, 1},
		{"service:s3", 1},
		{"kafka", 1},
		{`timeline:"leader election"`, 1},
		{"certficate", 0}, // nothing near: the fuzzy pass runs and finds none
	}
	for _, c := range cases {
		r, err := ix.Search(context.Background(), Request{Q: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if int(r.Total) != c.want {
			t.Errorf("old generation: %s: total %d, want %d", c.q, r.Total, c.want)
		}
	}
}

// reopenStale opens the index in dir, which must answer from a generation
// of an older mapping (ready and stale); the index is closed at the end of
// the test.
func reopenStale(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if st := ix.Status(); !st.Ready || !st.Stale {
		t.Fatalf("status %+v, want ready and stale", st)
	}
	return ix
}
