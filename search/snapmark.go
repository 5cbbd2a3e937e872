package search

import (
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// A page after a cursor by relevance continues below the score its last
// hit has now (anchor.go). Scoring it again costs a walk of the page's
// searcher up to it, and on bleve's path building that searcher once more
// — for a typo search, its automata and near terms too (20 ms for
// "certficate" in 100k incidents). Mostly the index has not changed since
// the cursor was made — somebody clicking "next" with no write in between
// — and the score the cursor carries is still the hit's: it stands, and
// the hit is not scored again.
//
// A shard's root epoch tells whether it changed: scorch makes a new root,
// with the next epoch, for every batch, persist and merge, so a shard
// whose epoch is the same holds the same segments, deletions and word
// statistics, and scores every incident as before. A cursor carries a mark
// (cursor.Snap) of the epochs of the shards that may hold its incident
// (homesOf: a shard scores its incidents with its own statistics only) and
// of the generation as this process opened it (epochs start again in a new
// generation, after a restart and on another server). A page makes the
// mark only when its search read one root of each shard — their epochs the
// same before and after it. The mark is no secret: one made by hand to
// match only makes the cursor's own score stand, as it does for an
// incident that no longer matches.

// snapMarks are the root epochs of the shards a search reads, in the
// order of its view's searched (nil: not known).
type snapMarks []uint64

// marks are the root epochs of the shards s searches now (nil when a
// shard is not a scorch index).
func (s *shardIndex) marks() snapMarks {
	out := make(snapMarks, len(s.searched))
	for i, p := range s.searched {
		e, ok := rootEpoch(p)
		if !ok {
			return nil
		}
		out[i] = e
	}
	return out
}

// rootEpoch is the epoch of shard p's current root.
func rootEpoch(p bleve.Index) (uint64, bool) {
	adv, err := p.Advanced()
	if err != nil {
		return 0, false
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return 0, false
	}
	st, ok := sc.Stats().(*scorch.Stats)
	if !ok {
		return 0, false
	}
	// (Stored under the root's lock after each swap: a reader opened
	// between two loads that agree is of that root. The root a shard
	// opens with, loaded from disk, is not stored and reads 0 until the
	// next: still one number for one root in this opening.)
	return atomic.LoadUint64(&st.CurRootEpoch), true
}

// same reports whether m and n are known and equal: nothing was written,
// persisted or merged between the two.
func (m snapMarks) same(n snapMarks) bool { return m != nil && n != nil && slices.Equal(m, n) }

// of is the mark of incident id's score in the snapshots m of s's shards
// ("" when m is not known).
func (m snapMarks) of(s *shardIndex, id int64) string {
	if m == nil || len(m) != len(s.searched) {
		return ""
	}
	h := fnv.New64a()
	var b []byte
	b = binary.LittleEndian.AppendUint64(b, s.opened)
	all := s.all()
	for _, home := range s.homesOf(id) {
		b = binary.LittleEndian.AppendUint64(b, uint64(slices.Index(all, home)))
		b = binary.LittleEndian.AppendUint64(b, m[slices.Index(s.searched, home)])
	}
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 36)
}

// maxSnapMark is the length of the longest mark (a 64-bit hash in base 36).
const maxSnapMark = 13

// stands reports whether the score cursor c carries is still its
// incident's in the snapshots whose marks are m, the search's, given the
// shards' marks now: none changed since the search opened its snapshots,
// and c was made in these.
func (m snapMarks) stands(s *shardIndex, c *cursor, now snapMarks) bool {
	return c.Snap != "" && m.same(now) && m.of(s, c.ID) == c.Snap
}
