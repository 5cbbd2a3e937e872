package search

import (
	"slices"
	"strconv"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// The signatures of the index's segments in memory. A segment never
// changes once written, so each one's signatures are read once (from its
// doc values: a compact part of the file, read in order) into inverted
// lists — word → the segment's incidents holding it, with their weights —
// and every similar-incident query walks those. A segment merged away is
// forgotten when its shard's next snapshot no longer holds it.

// sigCache holds the segments' signatures, for one Index.
type sigCache struct {
	mu   sync.Mutex
	segs map[any]*segSigs
	// owned is the segments of each shard's last snapshot seen.
	owned map[*scorch.Scorch][]any
	// loads counts the segments read (tests).
	loads int
}

func newSigCache() *sigCache {
	return &sigCache{segs: map[any]*segSigs{}, owned: map[*scorch.Scorch][]any{}}
}

// segSigs is one segment's signatures, by the segment's document number.
type segSigs struct {
	once sync.Once
	err  error
	// ids is each document's incident id (0: none, as for a document
	// without a signature).
	ids []int64
	// signed counts the documents with a signature.
	signed int
	norms  []float32
	flags  []uint8
	// access is who may see each restricted document (its normalised
	// principals).
	access map[uint32][]string
	// words are the inverted lists of the words, labels those of the
	// labels ("s" + service, see sigLabel's kinds).
	words  map[string]*sigList
	labels map[string]*sigList
}

// Flags of a document in segSigs.
const (
	flagPublished uint8 = 1 << iota
	flagRestricted
)

// sigList is the documents holding a word, in increasing order, and the
// word's weight in each, in sigUnits (6 bytes a document and word: the
// lists of 100k incidents hold some 6 million).
type sigList struct {
	docs []uint32
	ws   []uint16
}

// weight is the word's weight in document d (0 when d does not hold it).
func (l *sigList) weight(d uint32) float64 {
	lo, hi := 0, len(l.docs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.docs[m] < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(l.docs) && l.docs[lo] == d {
		return float64(l.ws[lo]) * sigUnit
	}
	return 0
}

// forget drops every segment (a generation was replaced).
func (c *sigCache) forget() {
	c.mu.Lock()
	c.segs = map[any]*segSigs{}
	c.owned = map[*scorch.Scorch][]any{}
	c.mu.Unlock()
}

// sigSeg is a segment of a snapshot: its signatures, deletions and where
// its document numbers start in the snapshot.
type sigSeg struct {
	sigs    *segSigs
	deleted *roaring.Bitmap
	first   uint64
}

// live reports whether document d of the segment is not deleted.
func (s *sigSeg) live(d uint32) bool {
	return d < uint32(len(s.sigs.ids)) && s.sigs.ids[d] != 0 && (s.deleted == nil || !s.deleted.Contains(d))
}

// forSnapshot is snap's segments with their signatures, read once per
// segment. owner is the shard snap is of (nil: do not forget others).
func (c *sigCache) forSnapshot(owner *scorch.Scorch, snap *scorch.IndexSnapshot) ([]sigSeg, error) {
	segs := snap.Segments()
	out := make([]sigSeg, len(segs))
	keys := make([]any, len(segs))
	c.mu.Lock()
	var running uint64
	for i, ss := range segs {
		seg := ss.Segment()
		keys[i] = seg
		ns := c.segs[seg]
		if ns == nil {
			ns = &segSigs{}
			c.segs[seg] = ns
		}
		out[i] = sigSeg{sigs: ns, deleted: ss.Deleted(), first: running}
		running += seg.Count()
	}
	if owner != nil {
		// Segments of this shard not in its new snapshot were merged
		// away: queries on older snapshots keep what they hold.
		keep := make(map[any]bool, len(keys))
		for _, k := range keys {
			keep[k] = true
		}
		for _, k := range c.owned[owner] {
			if !keep[k] {
				delete(c.segs, k)
			}
		}
		c.owned[owner] = keys
	}
	c.mu.Unlock()

	var dvr index.DocValueReader
	for i := range out {
		s := &out[i]
		s.sigs.once.Do(func() {
			if dvr == nil {
				if dvr, s.sigs.err = snap.DocValueReader([]string{FieldSignature}); s.sigs.err != nil {
					return
				}
			}
			s.sigs.err = c.load(s.sigs, dvr, s.first, segs[i].Segment().Count())
		})
		if s.sigs.err != nil {
			c.mu.Lock()
			delete(c.segs, keys[i])
			c.mu.Unlock()
			return nil, s.sigs.err
		}
	}
	return out, nil
}

// load reads the signatures of the n documents starting at global number
// first.
func (c *sigCache) load(s *segSigs, dvr index.DocValueReader, first, n uint64) error {
	c.mu.Lock()
	c.loads++
	c.mu.Unlock()
	s.ids = make([]int64, n)
	s.norms = make([]float32, n)
	s.flags = make([]uint8, n)
	s.access = map[uint32][]string{}
	s.words = map[string]*sigList{}
	s.labels = map[string]*sigList{}
	add := func(m map[string]*sigList, key []byte, d uint32, w uint16) {
		l := m[string(key)]
		if l == nil {
			l = &sigList{}
			m[string(key)] = l
		}
		l.docs = append(l.docs, d)
		l.ws = append(l.ws, w)
	}
	var d uint32
	visit := func(field string, term []byte) {
		if field != FieldSignature || len(term) == 0 {
			return
		}
		body := term[1:]
		switch term[0] {
		case sigWord:
			if w, q, ok := parseSigWord(body); ok {
				add(s.words, w, d, q)
			}
		case sigID:
			if s.ids[d], _ = strconv.ParseInt(string(body), 10, 64); s.ids[d] != 0 {
				s.signed++
			}
		case sigNorm:
			x, _ := strconv.ParseFloat(string(body), 64)
			s.norms[d] = float32(x)
		case sigLabel:
			add(s.labels, body, d, 1)
		case sigPublished:
			s.flags[d] |= flagPublished
		case sigRestricted:
			s.flags[d] |= flagRestricted
		case sigAccess:
			s.access[d] = append(s.access[d], string(body))
		}
	}
	id := make(index.IndexInternalID, 8)
	var err error
	for i := uint64(0); i < n; i++ {
		d = uint32(i)
		id.SetValue(first + i)
		if verr := dvr.VisitDocValues(id, visit); verr != nil && err == nil {
			err = verr
		}
	}
	// Lists are filled in document order; their spare capacity (up to
	// as much again, from growing) is given back.
	for _, m := range []map[string]*sigList{s.words, s.labels} {
		for _, l := range m {
			l.docs, l.ws = slices.Clone(l.docs), slices.Clone(l.ws)
		}
	}
	return err
}
