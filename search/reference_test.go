package search

import (
	"fmt"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// Helpers the tests use that searches no longer do this way: loading a
// page's fields one hit after the other, and picking a facet's top values
// from a list of counts.

// loadFields reads the stored fields a hit shows (hitFields) into each
// of hits, as bleve would for a search asking for them, and returns the
// hits that still exist. They are read after the search, from the index
// as it is then: an incident deleted (or made restricted, for a viewer
// who does not search that shard) in between is left out rather than
// shown as a row without a key or title.
//
// Each shard's snapshot is opened once for the page, and a hit's fields
// are read straight into it: bleve's Document opens a snapshot for each
// incident and builds every stored field as a document field first.
func loadFields(idx *shardIndex, hits []*bsearch.DocumentMatch) ([]*bsearch.DocumentMatch, error) {
	l := newHitLoader(idx)
	defer l.close()
	kept := hits[:0]
	for _, h := range hits {
		ok, err := l.load(h)
		if err != nil {
			return nil, fmt.Errorf("search: read incident %s: %w", h.ID, err)
		}
		if ok {
			kept = append(kept, h)
		}
	}
	return kept, nil
}

// topCounts is the n first of cs, most frequent first (the value breaks
// ties). A facet may have thousands of values of which it shows a few, so
// they are picked in one pass rather than all sorted.
func topCounts(cs []Count, n int) []Count {
	var top []Count
	for _, c := range cs {
		top = pushTop(top, c, n)
	}
	if top == nil && n > 0 {
		top = []Count{}
	}
	return top
}
