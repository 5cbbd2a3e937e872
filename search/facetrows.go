package search

import (
	"slices"
	"sync"
)

// facetRows are a segment's facet ordinals in rows of the same length, one
// a document: its count, then its ordinals. A search counts a match with
// one read of its row, mostly one cache line; with the ordinals in one
// array and where each document's start in another, a match far from the
// last one cost two reads from memory, the second waiting for the first
// (a tenth of a search of a rare word went there). A document with more
// ordinals than a row holds, or one past 16 bits, has its row marked wide
// and its ordinals kept aside.
type facetRows struct {
	rows []uint16
	wide map[uint32][]uint32
	// maxOrd is the largest ordinal of a row (not a wide one's).
	maxOrd uint16
}

const (
	// rowLen is a row's length: 32 bytes, a count and 15 ordinals (an
	// incident has about eight facet values: a year, a severity, a service
	// or two, tags and categories).
	rowLen = 16
	// wideRow is the count of a row whose ordinals are kept aside.
	wideRow = 0xFFFF
)

// newFacetRows lays out the ordinals of documents 0..len(start)-2, which
// are ords[start[d]:start[d+1]].
func newFacetRows(start, ords []uint32) facetRows {
	n := max(len(start)-1, 0)
	r := facetRows{rows: make([]uint16, n*rowLen)}
	for d := range n {
		os := ords[start[d]:start[d+1]]
		row := r.rows[d*rowLen : (d+1)*rowLen]
		if len(os) < rowLen && !slices.ContainsFunc(os, func(o uint32) bool { return o >= wideRow }) {
			row[0] = uint16(len(os))
			for i, o := range os {
				row[1+i] = uint16(o)
				r.maxOrd = max(r.maxOrd, uint16(o))
			}
			continue
		}
		row[0] = wideRow
		if r.wide == nil {
			r.wide = map[uint32][]uint32{}
		}
		r.wide[uint32(d)] = slices.Clone(os)
	}
	return r
}

// docs is how many documents the rows are of.
func (r *facetRows) docs() uint64 { return uint64(len(r.rows) / rowLen) }

// count adds the ordinals of document d (< docs) to fc.
func (r *facetRows) count(d uint64, fc *facetCounter) {
	row := r.rows[d*rowLen : d*rowLen+rowLen]
	counts := fc.counts // (held here, the loop keeps it in registers)
	if row[0] == wideRow {
		for _, o := range r.wide[uint32(d)] {
			if int(o) >= len(counts) {
				fc.grow()
				counts = fc.counts
			}
			counts[o]++
		}
		return
	}
	for _, o := range row[1 : 1+row[0]] {
		if int(o) >= len(counts) {
			fc.grow()
			counts = fc.counts
		}
		counts[o]++
	}
}

// countAll adds the ordinals of the documents off+d of docs (ascending,
// those past the rows left out) to fc. The documents take turns at
// countBanks arrays of counts, summed into the first at the end: a value most
// matches have (a year, a severity) is otherwise added to in one chain,
// each addition waiting for the last one's store.
func (r *facetRows) countAll(docs []uint32, off uint64, fc *facetCounter) {
	if len(docs) < 64 {
		for _, d := range docs {
			if local := uint64(d) - off; local < r.docs() {
				r.count(local, fc)
			}
		}
		return
	}
	n := len(fc.counts)
	var banks [countBanks][]uint32
	banks[0] = fc.counts
	spare := countBankPool.Get().(*[]uint32)
	defer countBankPool.Put(spare)
	if cap(*spare) < (countBanks-1)*n {
		*spare = make([]uint32, (countBanks-1)*n)
	}
	all := (*spare)[:(countBanks-1)*n]
	clear(all)
	for i := 1; i < countBanks; i++ {
		banks[i] = all[(i-1)*n : i*n]
	}
	rows := r.rows
	// An ordinal past the counts (numbered since the counter was made) is
	// counted by count, which grows them; when none is, no row is looked
	// over for one.
	past := int(r.maxOrd) >= n
	for k, d := range docs {
		local := uint64(d) - off
		if local >= r.docs() {
			continue
		}
		row := rows[local*rowLen : local*rowLen+rowLen]
		if row[0] == wideRow || (past && row[0] > 0 && int(slices.Max(row[1:1+row[0]])) >= n) {
			r.count(local, fc)
			banks[0] = fc.counts // (grown, maybe)
			continue
		}
		c := banks[k%countBanks]
		for _, o := range row[1 : 1+row[0]] {
			c[o]++
		}
	}
	for _, b := range banks[1:] {
		for i, v := range b {
			fc.counts[i] += v
		}
	}
}

// countBanks is how many arrays countAll counts in.
const countBanks = 4

// countBankPool holds countAll's other arrays between searches.
var countBankPool = sync.Pool{New: func() any { return new([]uint32) }}
