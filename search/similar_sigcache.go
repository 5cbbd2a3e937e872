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
	// owned is the segments of each shard's last snapshot seen, for the
	// shards of the generation in use (a snapshot of another one, of a
	// query or warm-up still running on it, is read but not kept).
	owned map[*scorch.Scorch][]any
	// loads counts the segments read (tests).
	loads int
	// vocab numbers the words and labels of every segment.
	vocab *vocabulary
	// scratch holds the per-segment arrays queries score in (*[]float32),
	// so that a query allocates next to nothing: garbage at the rate of
	// queries would let the heap grow to twice the signatures' size
	// between collections.
	scratch sync.Pool
}

// floats is a zeroed array of n from the scratch pool; give it back with
// putFloats.
func (c *sigCache) floats(n int) *[]float32 {
	if p, ok := c.scratch.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		clear(*p)
		return p
	}
	b := make([]float32, n)
	return &b
}

// putFloats gives an array of floats back to the scratch pool.
func (c *sigCache) putFloats(p *[]float32) { c.scratch.Put(p) }

// newSigCache is an empty cache (forget names the generation in use).
func newSigCache() *sigCache {
	return &sigCache{segs: map[any]*segSigs{}, owned: map[*scorch.Scorch][]any{}, vocab: newVocabulary()}
}

// vocabulary numbers words (and labels, prefixed by labelKey), once for
// all segments: a segment's lists are keyed by number, so a word's text
// is held once however many segments hold it.
type vocabulary struct {
	mu  sync.RWMutex
	ids map[string]uint32
}

// newVocabulary is an empty vocabulary.
func newVocabulary() *vocabulary { return &vocabulary{ids: map[string]uint32{}} }

// labelKey prefixes a label in the vocabulary (no word starts with it).
const labelKey = "\x01"

// number is w's number, given one if it has none.
func (v *vocabulary) number(w []byte) uint32 {
	v.mu.RLock()
	id, ok := v.ids[string(w)]
	v.mu.RUnlock()
	if ok {
		return id
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if id, ok := v.ids[string(w)]; ok {
		return id
	}
	id = uint32(len(v.ids))
	v.ids[string(w)] = id
	return id
}

// lookup is w's number (ok false when no segment read held it).
func (v *vocabulary) lookup(w string) (uint32, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	id, ok := v.ids[w]
	return id, ok
}

// segSigs is one segment's signatures, by the segment's document number.
type segSigs struct {
	once sync.Once
	err  error
	// ids is each document's incident id (0: none, as for a document
	// without a signature).
	ids []int64
	// signed counts the documents with a signature, sumNorm adds up their
	// lengths.
	signed  int
	sumNorm float64
	norms   []float32
	flags   []uint8
	// shown is what each document's result shows (the shown terms'
	// bodies, one after the other: document d's is
	// shownText[shownOffs[d]:shownOffs[d+1]]).
	shownText []byte
	shownOffs []uint32
	// access is who may see each restricted document (its normalised
	// principals).
	access map[uint32][]string
	// The inverted lists of the words and labels, one after the other:
	// keys are their vocabulary numbers in increasing order, and key k's
	// list is docs[offs[k]:offs[k+1]] with the weights ws[offs[k]:offs[k+1]]
	// in sigUnits (5 bytes a document and word: the lists of 100k
	// incidents hold some 6 million).
	vocab *vocabulary
	keys  []uint32
	offs  []uint32
	docs  []uint32
	ws    []sigQ
}

// Flags of a document in segSigs.
const (
	flagPublished uint8 = 1 << iota
	flagRestricted
)

// sigList is the documents holding a word, in increasing order, and the
// word's weight in each, in sigUnits.
//
// Its slices (and every array of a segSigs but flags and access) are
// memory outside the Go heap, unmapped once their segSigs is collected
// (similar_offheap.go): never keep one beyond the sigView it came from —
// a query keeps its view, and so its segments, alive until it returns
// (runtime.KeepAlive in similar and distinctive) — and copy what outlives
// it (shown does).
type sigList struct {
	docs []uint32
	ws   []sigQ
}

// shown is what document d's result shows.
func (s *segSigs) shown(d uint32) shown {
	if int(d)+1 >= len(s.shownOffs) {
		return shown{}
	}
	return parseShown(string(s.shownText[s.shownOffs[d]:s.shownOffs[d+1]]))
}

// list is the list of vocabulary number id (empty when none).
func (s *segSigs) list(id uint32) sigList {
	k, ok := slices.BinarySearch(s.keys, id)
	if !ok {
		return sigList{}
	}
	return sigList{docs: s.docs[s.offs[k]:s.offs[k+1]], ws: s.ws[s.offs[k]:s.offs[k+1]]}
}

// word is the list of a word.
func (s *segSigs) word(w string) sigList {
	if s.vocab == nil {
		return sigList{}
	}
	id, ok := s.vocab.lookup(w)
	if !ok {
		return sigList{}
	}
	return s.list(id)
}

// label is the list of a label ("s" + service, see sigLabel's kinds).
func (s *segSigs) label(l string) sigList {
	return s.word(labelKey + l)
}

// weight is the word's weight in document d (0 when d does not hold it).
func (l sigList) weight(d uint32) float64 {
	if k, ok := slices.BinarySearch(l.docs, d); ok {
		return float64(l.ws[k]) * sigUnit
	}
	return 0
}

// forget drops every segment (a generation was replaced by idx, or the
// index closed: idx nil) and starts a new vocabulary: the words of
// updated and deleted incidents stay in one until then (a few of each
// incident's 64, a few bytes each), and queries still on the old
// generation keep the old one through their segments. Only idx's shards'
// segments are kept from now on.
func (c *sigCache) forget(idx *shardIndex) {
	c.mu.Lock()
	c.segs = map[any]*segSigs{}
	c.owned = map[*scorch.Scorch][]any{}
	if idx != nil {
		for _, p := range idx.all() {
			if s := scorchOf(p); s != nil {
				c.owned[s] = nil
			}
		}
	}
	c.vocab = newVocabulary()
	c.mu.Unlock()
}

// current reports whether owner is a shard of the generation in use.
func (c *sigCache) current(owner *scorch.Scorch) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.owned[owner]
	return ok
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
	_, current := c.owned[owner]
	var running uint64
	for i, ss := range segs {
		seg := ss.Segment()
		keys[i] = seg
		ns := c.segs[seg]
		if ns == nil {
			ns = &segSigs{}
			if current {
				c.segs[seg] = ns
			}
		}
		out[i] = sigSeg{sigs: ns, deleted: ss.Deleted(), first: running}
		running += seg.Count()
	}
	if current {
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
// first. The doc values are read twice: once to count each word's
// documents (and read the rest), once to fill the lists in place — so a
// load allocates the lists and nothing of their size besides (holding
// the (word, document) pairs to sort them took as much again, and twice
// that while growing: at 100k incidents the heap peaked at 230 MB).
func (c *sigCache) load(s *segSigs, dvr index.DocValueReader, first, n uint64) error {
	c.mu.Lock()
	c.loads++
	s.vocab = c.vocab
	c.mu.Unlock()
	vocab := s.vocab
	// ids and norms (written by the first pass) outside the heap, and
	// the lists and what results show (sized by it) in a second mapping.
	small, err := newOffHeap(offHeapSize[float32](offHeapSize[int64](0, int(n)), int(n)))
	if err != nil {
		return err
	}
	small.freeWith(s)
	at := 0
	s.ids = carve[int64](small, &at, int(n))
	s.norms = carve[float32](small, &at, int(n))
	s.flags = make([]uint8, n)
	s.access = map[uint32][]string{}
	shownLen := 0
	counts := map[uint32]uint32{}
	var d uint32
	labelBuf := []byte(labelKey)
	// key is the vocabulary number of a word or label term (ok false for
	// another term).
	key := func(term []byte) (uint32, sigQ, bool) {
		switch term[0] {
		case sigWord:
			if w, q, ok := parseSigWord(term[1:]); ok {
				return vocab.number(w), q, true
			}
		case sigLabel:
			labelBuf = append(labelBuf[:len(labelKey)], term[1:]...)
			return vocab.number(labelBuf), 1, true
		}
		return 0, 0, false
	}
	count := func(field string, term []byte) {
		if field != FieldSignature || len(term) == 0 {
			return
		}
		if k, _, ok := key(term); ok {
			counts[k]++
			return
		}
		body := term[1:]
		switch term[0] {
		case sigID:
			// The first id read wins; one that does not parse is no id.
			if x, err := strconv.ParseInt(string(body), 10, 64); err == nil && x != 0 && s.ids[d] == 0 {
				s.ids[d] = x
				s.signed++
			}
		case sigNorm:
			x, _ := strconv.ParseFloat(string(body), 64)
			s.norms[d] = float32(x)
			s.sumNorm += float64(s.norms[d])
		case sigShown:
			shownLen += len(body)
		case sigPublished:
			s.flags[d] |= flagPublished
		case sigRestricted:
			s.flags[d] |= flagRestricted
		case sigAccess:
			s.access[d] = append(s.access[d], string(body))
		}
	}
	id := make(index.IndexInternalID, 8)
	var shownAt uint32
	each := func(visit index.DocValueVisitor) error {
		var err error
		for i := uint64(0); i < n; i++ {
			d = uint32(i)
			if s.shownOffs != nil {
				s.shownOffs[d] = shownAt
			}
			id.SetValue(first + i)
			if verr := dvr.VisitDocValues(id, visit); verr != nil && err == nil {
				err = verr
			}
		}
		return err
	}
	if err := each(count); err != nil {
		return err
	}
	s.keys = make([]uint32, 0, len(counts))
	for k := range counts {
		s.keys = append(s.keys, k)
	}
	slices.Sort(s.keys)
	s.offs = make([]uint32, len(s.keys)+1)
	for i, k := range s.keys {
		s.offs[i+1] = s.offs[i] + counts[k]
		counts[k] = s.offs[i] // now where its next document goes
	}
	total := s.offs[len(s.keys)]
	size := offHeapSize[uint32](0, int(total))
	size = offHeapSize[uint32](size, int(n)+1)
	size = offHeapSize[sigQ](size, int(total))
	size = offHeapSize[byte](size, shownLen)
	big, err := newOffHeap(size)
	if err != nil {
		return err
	}
	big.freeWith(s)
	at = 0
	s.docs = carve[uint32](big, &at, int(total))
	s.shownOffs = carve[uint32](big, &at, int(n)+1)
	s.ws = carve[sigQ](big, &at, int(total))
	s.shownText = carve[byte](big, &at, shownLen)
	// Documents are visited in order: each list fills in document order.
	err = each(func(field string, term []byte) {
		if field != FieldSignature || len(term) == 0 {
			return
		}
		if term[0] == sigShown {
			shownAt += uint32(copy(s.shownText[shownAt:], term[1:]))
			return
		}
		if k, q, ok := key(term); ok {
			if at, known := counts[k]; known && at < total {
				s.docs[at], s.ws[at] = d, q
				counts[k] = at + 1
			}
		}
	})
	if s.shownOffs != nil {
		s.shownOffs[n] = shownAt
	}
	return err
}
