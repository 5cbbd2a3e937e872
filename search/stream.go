package search

import (
	"math"
	"sort"
	"sync"
)

// Most plans are walked as arrays rather than through their searchers
// (fastexec.go). A searcher's matches and scores are pure when they are a
// function of the index alone, whatever order its parent moves it in: a
// term's postings, a disjunction's union (each match's scores summed in
// the children's order, times the coordination factor), a scaled one's,
// and a conjunction's intersection of pure children. The one searcher that
// is not is a boolean searcher moved by a conjunction (it advances its
// should clause past a match it holds, fastexec.go), so a query of several
// words, each a boolean searcher under a conjunction, keeps its searchers.
//
// What a pure plan root matches and how it scores each match is then read
// child by child: each child's matches and scores into two arrays in one
// tight loop, merged or intersected into its parent's, the root's offered
// to the page and the facets in document order as the searchers would
// have. No interface call, no branch on the kind of searcher, per match.
// The tests that compare plans with bleve (fastexec_test.go) run through
// here for every pure query, and TestStream_SameAsSearchers compares the
// two walks directly.
//
// Why a child is pure where the plan can put it:
//   - Moved only by next (the root, a disjunction's children under a
//     searcher moved by next, a boolean root's must clause), every searcher
//     hands out its matches in order: pure, a conjunction included.
//   - Advanced (a conjunction's children, a boolean root's should,
//     must-not and filter clauses), always to a document past the last one
//     it handed out: a term's postings then never start over, and a
//     disjunction's children (even those run out) are advanced past all
//     they handed out. A conjunction advanced after it ran out advances
//     its children again, which may start over; it should find no match
//     that way, but the argument is longer than the gain (words under a
//     conjunction are rarely in a should clause), so an advanced
//     conjunction keeps its searchers.

// streamArena hands out a walk's arrays from a few large chunks, kept
// across walks (streamArenas): a walk's streams are a few times its
// matches, and allocating them afresh doubled what a search allocated.
// useArena lends one to a walk.
type streamArena struct {
	docs   []uint32
	scores []float64
	// need is what the walk asked for in all, the size of the next chunks.
	need int
}

var streamArenas = sync.Pool{New: func() any { return &streamArena{} }}

// maxArena bounds the chunks an arena keeps for the next walk, in matches
// (12 bytes each: 1.5 MB; an arena is kept for each walk under way, and a
// server's memory counts). A walk of a word in most incidents asks for
// more, some 12 bytes a match at each step, and gets arrays of its own.
const maxArena = 1 << 17

// stream is an empty stream with room for n matches.
func (a *streamArena) stream(n int) stream {
	a.need += n
	if n > maxArena {
		// (Its own arrays: a chunk this size would be kept.)
		return stream{docs: make([]uint32, 0, n), scores: make([]float64, 0, n)}
	}
	if len(a.docs)+n > cap(a.docs) {
		size := max(n, min(a.need, maxArena))
		a.docs, a.scores = make([]uint32, 0, size), make([]float64, 0, size)
	}
	k := len(a.docs)
	a.docs, a.scores = a.docs[:k+n], a.scores[:k+n]
	return stream{docs: a.docs[k : k : k+n], scores: a.scores[k : k : k+n]}
}

// docs32 is an empty array with room for n document numbers (the
// arena's scores beside them left unused; past maxArena, an array of its
// own).
func (a *streamArena) docs32(n int) []uint32 {
	if n > maxArena {
		return make([]uint32, 0, n)
	}
	return a.stream(n).docs
}

// useArena lends an arena until the returned function gives it back.
func useArena() (*streamArena, func()) {
	a := streamArenas.Get().(*streamArena)
	return a, func() {
		a.reset()
		streamArenas.Put(a)
	}
}

// reset readies a for another walk, with one chunk of what this one
// asked for (up to maxArena).
func (a *streamArena) reset() {
	if size := min(a.need, maxArena); cap(a.docs) < size {
		a.docs, a.scores = make([]uint32, 0, size), make([]float64, 0, size)
	}
	a.docs, a.scores, a.need = a.docs[:0], a.scores[:0], 0
}

// stream is a searcher's matches, in document order, and their scores.
type stream struct {
	docs   []uint32
	scores []float64
}

func (s *stream) add(d uint32, sc float64) {
	s.docs = append(s.docs, d)
	s.scores = append(s.scores, sc)
}

// streamable reports whether root is walked as streams in ps: pure, and
// every document number of the shard in 32 bits.
func streamable(ps *planShard, root planNode) bool {
	if !fits32(ps) {
		return false
	}
	if b, ok := root.(*planBool); ok {
		return pureMoved(b.must, false) && (b.should == nil || pureMoved(b.should, true)) &&
			(b.not == nil || pureMoved(b.not, true)) && (b.filter == nil || pureMoved(b.filter, true))
	}
	return pureMoved(root, false)
}

// fits32 reports whether every document number of ps's shard fits in 32
// bits.
func fits32(ps *planShard) bool {
	n := len(ps.offsets)
	return n == 0 || ps.offsets[n-1]+ps.segs[n-1].Segment().Count() <= math.MaxUint32
}

// pureMoved reports whether n is pure moved by next only or, when
// advanced, by advance as well.
func pureMoved(n planNode, advanced bool) bool {
	switch x := n.(type) {
	case *planTerm, planNone:
		return true
	case *planScaled:
		return pureMoved(x.inner, advanced)
	case *planDisj:
		for _, k := range x.kids {
			if !pureMoved(k, advanced) {
				return false
			}
		}
		return true
	case *planConj:
		if advanced {
			return false
		}
		for _, k := range x.kids {
			if !pureMoved(k, true) {
				return false
			}
		}
		return true
	}
	return false
}

// streamOf reads n's matches and scores in ps: all of them when in is
// nil, else those among the documents of in.
func streamOf(a *streamArena, ps *planShard, n planNode, in []uint32, e *iterErr) stream {
	switch x := n.(type) {
	case *planTerm:
		if x.lists == nil {
			return zapTermStream(a, ps, x, in, e)
		}
		return termStream(a, ps, x, in)
	case planNone:
		return stream{}
	case *planScaled:
		s := streamOf(a, ps, x.inner, in, e)
		for i, sc := range s.scores {
			s.scores[i] = sc * x.factor
		}
		return s
	case *planDisj:
		kids := make([]stream, len(x.kids))
		for i, k := range x.kids {
			kids[i] = streamOf(a, ps, k, in, e)
		}
		return unionOf(a, kids, x.total)
	case *planConj:
		return intersectionOf(a, ps, x.kids, in, e)
	}
	// (streamable lets no other searcher here.)
	e.set(errNotPlanned)
	return stream{}
}

// termStream is a term's matches (among in, when set) as its searcher
// hands them out, read from its decoded postings.
func termStream(a *streamArena, ps *planShard, t *planTerm, in []uint32) stream {
	n := 0
	for _, l := range t.lists {
		n += len(l.docs)
	}
	if in != nil {
		n = min(n, len(in))
	}
	s := a.stream(n)
	for seg, l := range t.lists {
		del, off := ps.dels[seg], uint32(ps.offsets[seg])
		if in == nil {
			for i, d := range l.docs {
				if del != nil && del.Contains(d) {
					continue
				}
				s.docs = append(s.docs, d+off)
				s.scores = append(s.scores, t.postingScore(l, i))
			}
			continue
		}
		// The documents of in in this segment, met with its postings by
		// galloping each towards the other.
		lo := sortSearch32(in, off)
		hi := len(in)
		if seg+1 < len(ps.offsets) {
			hi = lo + sortSearch32(in[lo:], uint32(ps.offsets[seg+1]))
		}
		docs, want := l.docs, in[lo:hi]
		for i, j := 0, 0; i < len(want) && j < len(docs); {
			w, d := want[i]-off, docs[j]
			switch {
			case d < w:
				j = gallop(docs, j, w)
			case w < d:
				i = gallop(want, i, d+off)
			default:
				if del == nil || !del.Contains(d) {
					s.docs = append(s.docs, d+off)
					s.scores = append(s.scores, t.postingScore(l, j))
				}
				i++
				j++
			}
		}
	}
	return s
}

// zapTermStream is termStream of a term whose postings are zap's, read
// through the term's searcher.
func zapTermStream(a *streamArena, ps *planShard, t *planTerm, in []uint32, e *iterErr) stream {
	var s stream
	x := t.searcher(ps, e)
	if in == nil {
		for d, sc := x.next(); d != noDoc; d, sc = x.next() {
			s.add(uint32(d), sc)
		}
		return s
	}
	// Each advance is past the last match read (an advance to it would
	// start the term over).
	for i := 0; i < len(in); {
		d, sc := x.advance(uint64(in[i]))
		if d == noDoc {
			break
		}
		i += sortSearch32(in[i:], uint32(d))
		if i < len(in) && in[i] == uint32(d) {
			s.add(uint32(d), sc)
			i++
		}
	}
	return s
}

// sortSearch32 is the first index of docs at or after d.
func sortSearch32(docs []uint32, d uint32) int {
	lo, hi := 0, len(docs)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if docs[mid] < d {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// unionOf is disjSearcher's matches of kids: each document any of them
// has, its scores summed in the kids' order, times the share of total
// that has it.
func unionOf(a *streamArena, kids []stream, total int) stream {
	switch len(kids) {
	case 0:
		return stream{}
	case 1:
		if total == 1 {
			// coord 1/1: the scores times one, as they are.
			return kids[0]
		}
	}
	coords := make([]float64, len(kids)+1)
	n := 0
	for i, k := range kids {
		coords[i+1] = float64(i+1) / float64(total)
		n += len(k.docs)
	}
	out := a.stream(n)
	pos := make([]int, len(kids))
	for {
		min := uint32(math.MaxUint32)
		any := false
		for i, k := range kids {
			if p := pos[i]; p < len(k.docs) && (!any || k.docs[p] < min) {
				min, any = k.docs[p], true
			}
		}
		if !any {
			return out
		}
		var sum float64
		c := 0
		for i, k := range kids {
			if p := pos[i]; p < len(k.docs) && k.docs[p] == min {
				sum += k.scores[p]
				c++
				pos[i] = p + 1
			}
		}
		out.add(min, sum*coords[c])
	}
}

// intersectionOf is conjSearcher's matches of kids (among in, when set):
// the documents all of them have, their scores summed in the kids' order.
// The kid with fewest matches is read first, each other only among the
// documents those before it have in common.
func intersectionOf(a *streamArena, ps *planShard, kids []planNode, in []uint32, e *iterErr) stream {
	if len(kids) == 0 {
		return stream{}
	}
	order := make([]int, len(kids))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return kids[order[i]].count() < kids[order[j]].count() })
	got := make([]stream, len(kids))
	for _, k := range order {
		got[k] = streamOf(a, ps, kids[k], in, e)
		in = got[k].docs
		if len(in) == 0 {
			return stream{}
		}
	}
	// in is now the documents all have; each kid's stream holds them.
	out := a.stream(len(in))
	pos := make([]int, len(kids))
	for _, d := range in {
		var sum float64
		for i, k := range got {
			p := pos[i]
			if k.docs[p] < d {
				p = gallop(k.docs, p, d)
			}
			pos[i] = p
			sum += k.scores[p]
		}
		out.add(d, sum)
	}
	return out
}

// streamMember is whether a stream has documents asked in order.
type streamMember struct {
	s stream
	p int
}

func (m *streamMember) has(d uint32) bool {
	if m.p < len(m.s.docs) && m.s.docs[m.p] < d {
		m.p = gallop(m.s.docs, m.p, d)
	}
	return m.p < len(m.s.docs) && m.s.docs[m.p] == d
}

// rootStream is the matches of root (streamable) in ps, in document order
// with their scores, as root's searcher hands them out.
func rootStream(a *streamArena, ps *planShard, root planNode, e *iterErr) stream {
	b, ok := root.(*planBool)
	if !ok {
		return streamOf(a, ps, root, nil, e)
	}
	must := streamOf(a, ps, b.must, nil, e)
	if len(must.docs) == 0 {
		// (A nil in would read the other clauses whole.)
		return stream{}
	}
	// The other clauses only among the must clause's matches.
	var should, not, filter streamMember
	if b.should != nil {
		should.s = streamOf(a, ps, b.should, must.docs, e)
	}
	if b.not != nil {
		not.s = streamOf(a, ps, b.not, must.docs, e)
	}
	if b.filter != nil {
		filter.s = streamOf(a, ps, b.filter, must.docs, e)
	}
	if e.err != nil {
		return stream{}
	}
	// (In place: a match is written at or before where it is read.)
	out := stream{docs: must.docs[:0], scores: must.scores[:0]}
	for i, d := range must.docs {
		if b.not != nil && not.has(d) {
			continue
		}
		var sum float64
		sum += must.scores[i]
		if should.has(d) {
			sum += should.s.scores[should.p]
		}
		if b.filter != nil && !filter.has(d) {
			continue
		}
		out.add(d, sum)
	}
	return out
}
