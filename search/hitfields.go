package search

import (
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// hitLoader reads hits' stored fields from the shards of idx.
type hitLoader struct {
	idx   *shardIndex
	snaps map[bleve.Index]*storedSnap
}

func newHitLoader(idx *shardIndex) *hitLoader {
	return &hitLoader{idx: idx, snaps: map[bleve.Index]*storedSnap{}}
}

// storedSnap is a shard's snapshot and its segments' dictionaries of ids.
type storedSnap struct {
	snap *scorch.IndexSnapshot
	ids  []segment.TermDictionary
}

// load reads h's fields from its shard (from the restricted shard when it
// is not there and that shard is searched, as shardIndex.Document does);
// false when neither holds it.
func (l *hitLoader) load(h *bsearch.DocumentMatch) (bool, error) {
	n, err := strconv.ParseInt(h.ID, 10, 64)
	if err != nil {
		return false, nil // no incident has such an id
	}
	s := l.idx
	ok, err := l.loadFrom(s.parts[s.shardOf(n)], h)
	if err != nil || ok || s.restricted == nil || !slices.Contains(s.searched, s.restricted) {
		return ok, err
	}
	return l.loadFrom(s.restricted, h)
}

// loadFrom reads h's fields from shard p, where its id finds it (deleted
// incidents left out) in the first segment that has it, as scorch's
// Document does.
func (l *hitLoader) loadFrom(p bleve.Index, h *bsearch.DocumentMatch) (bool, error) {
	ss, err := l.snapOf(p)
	if err != nil {
		return false, err
	}
	for i, seg := range ss.snap.Segments() {
		if ss.ids[i] == nil {
			if ss.ids[i], err = seg.Segment().Dictionary("_id"); err != nil {
				return false, err
			}
		}
		pl, err := ss.ids[i].PostingsList([]byte(h.ID), seg.Deleted(), nil)
		if err != nil {
			return false, err
		}
		x, err := pl.Iterator(false, false, false, nil).Next()
		if err != nil {
			return false, err
		}
		if x == nil {
			continue
		}
		return true, seg.VisitDocument(x.Number(), func(name string, typ byte, val []byte, _ []uint64) bool {
			if !slices.Contains(hitFields, name) {
				return true
			}
			switch typ {
			case 't':
				h.AddFieldValue(name, string(val))
			case 'd':
				if t, _, err := document.NewDateTimeFieldFromBytes(name, nil, val).DateTime(); err == nil {
					h.AddFieldValue(name, t.Format(time.RFC3339Nano))
				}
			}
			return true
		})
	}
	return false, nil
}

// snapOf is shard p's snapshot, opened on first use.
func (l *hitLoader) snapOf(p bleve.Index) (*storedSnap, error) {
	if ss := l.snaps[p]; ss != nil {
		return ss, nil
	}
	adv, err := p.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		_ = r.Close()
		return nil, errBadSnapshot
	}
	ss := &storedSnap{snap: snap, ids: make([]segment.TermDictionary, len(snap.Segments()))}
	l.snaps[p] = ss
	return ss, nil
}

// close closes the snapshots opened.
func (l *hitLoader) close() {
	for _, ss := range l.snaps {
		_ = ss.snap.Close()
	}
}
