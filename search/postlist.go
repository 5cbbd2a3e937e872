package search

import (
	"math"
	"sort"
)

// listSearcher is termSearcher (fastexec.go) over a term's decoded
// postings (postcache.go): the same matches, scores and moves, read from
// arrays. A position per segment is the next posting it has not handed
// out, as zap's iterator is; deleted documents are skipped as zap skips
// them.
type listSearcher struct {
	t   *planTerm
	p   *planShard
	pos []int
	seg int
	// cur is the last posting read (has says there was one; it stays
	// after the postings run out).
	cur uint64
	has bool
	// factors scale each score in turn (scaledDocSearchers folded in).
	factors []float64
}

func (x *listSearcher) next() (uint64, float64) {
	for x.seg < len(x.t.lists) {
		l, del := x.t.lists[x.seg], x.p.dels[x.seg]
		for i := x.pos[x.seg]; i < len(l.docs); i++ {
			if del != nil && del.Contains(l.docs[i]) {
				continue
			}
			x.pos[x.seg] = i + 1
			return x.hit(l, i, x.seg)
		}
		x.pos[x.seg] = len(l.docs)
		x.seg++
	}
	return noDoc, 0
}

func (x *listSearcher) advance(id uint64) (uint64, float64) {
	if x.has && x.cur >= id {
		// termSearcher starts over (scorch opens a new reader).
		clear(x.pos)
		x.seg, x.has = 0, false
	}
	seg := sort.Search(len(x.p.offsets), func(i int) bool { return x.p.offsets[i] > id }) - 1
	if seg < 0 || seg >= len(x.t.lists) {
		return noDoc, 0 // (a snapshot without segments)
	}
	x.seg = seg
	docs := x.t.lists[seg].docs
	local := id - x.p.offsets[seg]
	i := x.pos[seg]
	switch {
	case local > math.MaxUint32:
		i = len(docs)
	case i < len(docs) && uint64(docs[i]) < local:
		i = gallop(docs, i, uint32(local))
	}
	x.pos[seg] = i
	return x.next()
}

// hit is posting i of segment seg's, scored as termSearcher scores zap's.
func (x *listSearcher) hit(l *postings, i, seg int) (uint64, float64) {
	x.cur, x.has = uint64(l.docs[i])+x.p.offsets[seg], true
	sc := x.t.postingScore(l, i)
	for _, f := range x.factors {
		sc = sc * f
	}
	return x.cur, sc
}

// postingScore is the score of posting i of l, as termSearcher scores
// zap's.
func (t *planTerm) postingScore(l *postings, i int) float64 {
	if !t.scoring {
		return 0
	}
	f, n := l.freqLen(i)
	if t.lengths != nil {
		return t.scoreLength(f, n)
	}
	// zap's Posting.Norm of a length.
	return t.score(f, float64(float32(1.0/math.Sqrt(float64(n)))))
}

// gallop is the first index past lo whose document is at or after local,
// len(docs) when none is, given docs[lo] < local: steps doubling from lo,
// then halving back (a conjunction mostly advances a little way).
func gallop(docs []uint32, lo int, local uint32) int {
	hi, step := lo+1, 1
	for hi < len(docs) && docs[hi] < local {
		lo, step = hi, step*2
		hi = lo + step
	}
	hi = min(hi, len(docs))
	for lo+1 < hi { // docs[lo] < local, and docs[hi] >= local or hi is the end
		mid := int(uint(lo+hi) >> 1)
		if docs[mid] < local {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
