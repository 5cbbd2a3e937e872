package search

import (
	"errors"
	"slices"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// sigView is the signatures of the shards one similar-incident query
// reads (those the viewer may search), as of one snapshot of each.
type sigView struct {
	segs  []sigSeg
	snaps []*scorch.IndexSnapshot
	// n is how many documents the shards hold (their live ones).
	n uint64
	// signed counts the documents of the segments with a signature;
	// meanNorm is their mean length (of the written vector).
	signed   int
	meanNorm float64
}

// sigView opens the signatures of idx's searched shards; close it after
// use.
func (ix *Index) sigView(idx *shardIndex) (*sigView, error) {
	v := &sigView{}
	for _, p := range idx.searched {
		s := scorchOf(p)
		if s == nil {
			v.close()
			return nil, errNotScorch
		}
		r, err := s.Reader()
		if err != nil {
			v.close()
			return nil, err
		}
		snap, ok := r.(*scorch.IndexSnapshot)
		if !ok || snap == nil {
			_ = r.Close()
			v.close()
			return nil, errors.Join(errNotScorch, errors.New("search: no snapshot of a shard"))
		}
		v.snaps = append(v.snaps, snap)
		segs, err := ix.scache.forSnapshot(s, snap)
		if err != nil {
			v.close()
			return nil, err
		}
		n, err := snap.DocCount()
		if err != nil {
			v.close()
			return nil, err
		}
		v.n += n
		for _, sg := range segs {
			// The live documents' lengths: a deleted one (an update's
			// old version) would make the mean depend on how the index
			// was written.
			signed, sum := sg.sigs.signed, sg.sigs.sumNorm
			if sg.deleted != nil && !sg.deleted.IsEmpty() {
				for it := sg.deleted.Iterator(); it.HasNext(); {
					if d := it.Next(); d < uint32(len(sg.sigs.ids)) && sg.sigs.ids[d] != 0 {
						signed--
						sum -= float64(sg.sigs.norms[d])
					}
				}
			}
			v.signed += signed
			v.meanNorm += sum
		}
		v.segs = append(v.segs, segs...)
	}
	if v.signed > 0 {
		v.meanNorm /= float64(v.signed)
	}
	return v, nil
}

// close releases the view's snapshots (its segments' signatures stay
// cached).
func (v *sigView) close() {
	for _, s := range v.snaps {
		_ = s.Close()
	}
	v.snaps = nil
}

// docRef is a document of the view: its segment (index in segs) and
// number there.
type docRef struct {
	seg int
	doc uint32
}

// find is the live document of incident id (ok false when none).
func (v *sigView) find(id int64) (docRef, bool) {
	if id == 0 {
		return docRef{}, false
	}
	// The newest segment holding it live is the one: look from the end.
	for i := len(v.segs) - 1; i >= 0; i-- {
		s := &v.segs[i]
		for d, x := range s.sigs.ids {
			if x == id && s.live(uint32(d)) {
				return docRef{seg: i, doc: uint32(d)}, true
			}
		}
	}
	return docRef{}, false
}

// visibleTo reports whether viewer may see document d of segment s (every
// document when viewer is nil): the rule of queryBuilder.visibility.
func (s *sigSeg) visibleTo(d uint32, viewer *Viewer) bool {
	if viewer == nil || viewer.All || s.sigs.flags[d]&flagRestricted == 0 {
		return true
	}
	for _, p := range viewer.Principals {
		if p = normalizeKeyword(p); p != "" && p != accessAll && slices.Contains(s.sigs.access[d], p) {
			return true
		}
	}
	return false
}

// docFreq is how many live documents hold word in their signature, but
// skip; with viewer, only those viewer may see.
func (v *sigView) docFreq(word string, skip docRef, hasSkip bool, viewer *Viewer) uint64 {
	var n uint64
	for i := range v.segs {
		s := &v.segs[i]
		l := s.sigs.word(word)
		if len(l.docs) == 0 {
			continue
		}
		if viewer == nil && (s.deleted == nil || s.deleted.IsEmpty()) {
			n += uint64(len(l.docs))
			if hasSkip && skip.seg == i && l.weight(skip.doc) > 0 {
				n--
			}
			continue
		}
		for _, d := range l.docs {
			if s.live(d) && !(hasSkip && skip.seg == i && skip.doc == d) && s.visibleTo(d, viewer) {
				n++
			}
		}
	}
	return n
}

// labelFreq is how many live documents hold label l (a deleted one, an
// update's old version not merged away yet, would make a label's rarity
// depend on how the index was written); with viewer, only those viewer
// may see.
func (v *sigView) labelFreq(l string, viewer *Viewer) int {
	n := 0
	for i := range v.segs {
		s := &v.segs[i]
		docs := s.sigs.label(l).docs
		if viewer == nil && (s.deleted == nil || s.deleted.IsEmpty()) {
			n += len(docs)
			continue
		}
		for _, d := range docs {
			if s.live(d) && s.visibleTo(d, viewer) {
				n++
			}
		}
	}
	return n
}
