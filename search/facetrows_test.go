package search

import (
	"context"
	"fmt"
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

// TestFacetRows_CountAllLikeCount: counting a run of documents at once
// (countAll, in banks) adds what counting them one by one does — with
// documents without any value, wide rows, ordinals past the counts (which
// grow them midway), documents past the rows, runs short and long, and
// the banks reused from one call to the next.
func TestFacetRows_CountAllLikeCount(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for round := range 40 {
		var start, ords []uint32
		docs := 200 + r.IntN(400)
		for d := range docs {
			n := r.IntN(6)
			switch {
			case d%7 == 0:
				n = 0 // no values at all
			case d%97 == 5:
				n = rowLen + 2 // wide
			}
			start = append(start, uint32(len(ords)))
			for range n {
				ords = append(ords, uint32(r.IntN(300)))
			}
		}
		start = append(start, uint32(len(ords)))
		rows := newFacetRows(start, ords)
		// Counters made when fewer values were known than the rows name.
		known := 50 + r.IntN(300)
		values := make([]string, 300)
		one := &facetCounter{cache: &facetCache{values: values}, counts: make([]uint32, known)}
		all := &facetCounter{cache: &facetCache{values: values}, counts: make([]uint32, known)}
		var run []uint32
		off := uint64(r.IntN(3) * 1000)
		for d := range docs + 20 { // (the last past the rows)
			if r.IntN(3) > 0 {
				run = append(run, uint32(off)+uint32(d))
				if uint64(d) < rows.docs() {
					rows.count(uint64(d), one)
				}
			}
		}
		if round%2 == 0 {
			run = run[:min(len(run), 40)] // a short run too
			one = &facetCounter{cache: one.cache, counts: make([]uint32, known)}
			for _, d := range run {
				if l := uint64(d) - off; l < rows.docs() {
					rows.count(l, one)
				}
			}
		}
		rows.countAll(run, off, all)
		a, b := slices.Clone(one.counts), slices.Clone(all.counts)
		n := max(len(a), len(b))
		a, b = append(a, make([]uint32, n-len(a))...), append(b, make([]uint32, n-len(b))...)
		if !slices.Equal(a, b) {
			t.Fatalf("round %d: countAll %v, count %v", round, b, a)
		}
	}
}

// TestSearch_IncidentWithoutFacetValues: a search whose many matches
// include an incident with no facet value at all (no severity, service,
// tag, category or date) counts the others' (review: counting a run of
// matches at once crashed on its empty row).
func TestSearch_IncidentWithoutFacetValues(t *testing.T) {
	var docs []Doc
	for i := int64(1); i <= 100; i++ {
		d := Doc{ID: i, Key: fmt.Sprint("INC-", i), Title: "database outage", Visibility: "internal"}
		if i != 50 {
			d.Severity, d.Services, d.StartedAt = "SEV2", []string{"db"}, at("2024-01-02T00:00:00Z")
		}
		docs = append(docs, d)
	}
	ix := openBuilt(t, newMemSource(docs...))
	res, err := ix.Search(context.Background(), Request{Q: "outage", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 100 || len(res.Facets[FacetService]) != 1 || res.Facets[FacetService][0].Count != 99 {
		t.Fatalf("total %d, services %+v; want 100 and db 99", res.Total, res.Facets[FacetService])
	}
}
