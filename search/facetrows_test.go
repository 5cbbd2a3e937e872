package search

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFacetRows_CountLikeValues checks that counting a document through its row adds
// exactly its ordinals, for documents with none, a few, more than a row
// holds, and ordinals past 16 bits.
func TestFacetRows_CountLikeValues(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var start, ords []uint32
	var docs [][]uint32
	for d := range 300 {
		n := r.IntN(9)
		switch d % 50 {
		case 7:
			n = rowLen + r.IntN(10) // more than a row holds
		case 8:
			n = rowLen - 1 // a full row
		}
		var os []uint32
		for range n {
			os = append(os, uint32(r.IntN(2000)))
		}
		if d%60 == 9 && n > 0 {
			os[0] = wideRow + uint32(r.IntN(100000)) // past 16 bits
		}
		start = append(start, uint32(len(ords)))
		ords = append(ords, os...)
		docs = append(docs, os)
	}
	start = append(start, uint32(len(ords)))
	rows := newFacetRows(start, ords)
	if rows.docs() != uint64(len(docs)) {
		t.Fatalf("%d rows, want %d", rows.docs(), len(docs))
	}
	values := make([]string, 200000)
	fc := &facetCounter{cache: &facetCache{values: values}, counts: make([]uint32, 10)}
	want := make([]uint32, len(values))
	for d := range docs {
		if d%3 == 0 {
			continue
		}
		rows.count(uint64(d), fc)
		for _, o := range docs[d] {
			want[o]++
		}
	}
	got := slices.Clone(fc.counts)
	got = append(got, make([]uint32, len(want)-len(got))...)
	if !slices.Equal(got, want) {
		for o := range want {
			if got[o] != want[o] {
				t.Fatalf("ordinal %d counted %d times, want %d", o, got[o], want[o])
			}
		}
	}
	if len(rows.wide) == 0 {
		t.Fatal("no wide row: the test lost its cases")
	}
}
