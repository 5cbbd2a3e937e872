package search

import (
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A planned term (fastplan.go) reads its postings from a decoded copy
// when it can: each segment's document numbers, frequencies and field
// lengths of the term, in arrays, kept across searches. zap decodes a
// posting through a few interface calls, a roaring iterator and two
// varint readers, and that was most of what a search of a common word
// spent. A segment never changes once written, so a copy is exact for as
// long as the segment lives. Deletions are not in it (they change from
// one snapshot to the next): a search skips the documents its snapshot
// has deleted in that segment (listSearcher, by the segment's deletion
// bitmap) and counts the term's documents with zap's postings list, which
// leaves them out. Live servers' segments have deletions after edits; a
// test drives the decoded and zap's postings side by side there.
//
// The cache is bounded (postingsBudget, counting each entry's key and
// arrays) and keeps the terms searched last. A term too big to keep
// (over a quarter of the budget in a segment) is never decoded: its
// search reads zap. So is a term past what one search may decode
// (searchDecodeBudget a shard): a search of many common words decodes
// a bounded amount, whatever the cache holds. An empty list is not kept. A generation replaced drops it whole; the postings of a shard's
// segments that are gone (merged away, or an in-memory segment replaced
// by its persisted copy) are dropped by the first search that sees the
// shard's segments change (observe). A search still on an older snapshot
// may add a gone segment's postings back meanwhile: the next change drops
// them, and they are evicted in time, within the budget.

// postings are one term's postings in one segment, in document order.
type postings struct {
	docs []uint32
	// fl are each posting's frequency and field length, 16 bits each
	// (frequency high); when one does not fit, freqs and lens hold them
	// instead and fl is nil.
	fl          []uint32
	freqs, lens []uint32
	used        uint64 // the cache's tick when a search last read it
	// owner is the shard the segment is of (nil: unknown, only evicted).
	owner *scorch.Scorch
}

// postingsKey names a term of a field in a segment (the segment itself:
// a merged segment is a new one).
type postingsKey struct {
	seg         segment.Segment
	field, term string
}

// postingsCache holds decoded postings and the BM25 length tables of the
// index's fields.
type postingsCache struct {
	mu    sync.Mutex
	m     map[postingsKey]*postings
	bytes int
	tick  uint64
	// lengths are the length tables by average field length (lengthTerms).
	lengths map[float64]*lengthTerms
	// seen are the segments of each shard's snapshot observed last.
	seen map[*scorch.Scorch][]segment.Segment
	// decodeBudget is what one search may decode in a shard
	// (searchDecodeBudget; tests lower it).
	decodeBudget int
}

const (
	// postingsBudget bounds the memory the decoded postings take.
	postingsBudget = 32 << 20
	// postingsEntry is what an entry costs besides its arrays and the
	// bytes of its field and term (key, map slot, struct), roughly.
	postingsEntry = 160
	// postingBytes is what a posting takes decoded: its document number
	// (32 bits), frequency and length (16 bits each; a list with one
	// wider keeps them in 32 bits each, counted by entryBytes).
	postingBytes = 8
	// searchDecodeBudget is how many bytes of postings one search may
	// decode in a shard; the terms past it are read from zap.
	searchDecodeBudget = postingsBudget / 4
	// maxLengthTables bounds the length tables kept (a few fields, each
	// with an average per shard).
	maxLengthTables = 64
)

func newPostingsCache() *postingsCache {
	return &postingsCache{m: map[postingsKey]*postings{}, lengths: map[float64]*lengthTerms{},
		seen: map[*scorch.Scorch][]segment.Segment{}, decodeBudget: searchDecodeBudget}
}

// lookup is the decoded postings of term in field of seg when the cache
// holds them.
func (c *postingsCache) lookup(seg segment.Segment, field, term string) (*postings, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	p := c.m[postingsKey{seg, field, term}]
	if p == nil {
		return nil, false
	}
	p.used = c.tick
	return p, true
}

// get is the decoded postings of term in field of seg (of shard owner),
// decoding them from dict on first use, out of the search's *left bytes
// to decode; ok is false when they are not decoded — too many to keep
// or to decode now, a posting that does not hand out its field length,
// or a frequency or length past 32 bits: the caller reads zap.
func (c *postingsCache) get(owner *scorch.Scorch, seg segment.Segment, dict segment.TermDictionary, field, term string,
	left *int) (*postings, bool, error) {
	k := postingsKey{seg, field, term}
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, false, err
	}
	n := int(min(pl.Count(), math.MaxInt32))
	if size := entrySize(k, n); size > postingsBudget/4 || size > *left {
		return nil, false, nil
	}
	p, ok, err := decodePostings(pl)
	if err != nil || !ok {
		return nil, ok, err
	}
	p.owner = owner
	size := entryBytes(k, p)
	*left -= size
	if len(p.docs) == 0 {
		return p, true, nil // nothing to keep
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if q := c.m[k]; q != nil {
		return q, true, nil // decoded meanwhile by another search
	}
	p.used = c.tick
	c.m[k] = p
	c.bytes += size
	if c.bytes > postingsBudget {
		c.evict()
	}
	return p, true, nil
}

// entryBytes is what the cache counts for p, the postings of k: entrySize
// with the arrays p has (a wide list's 32-bit frequencies and lengths).
func entryBytes(k postingsKey, p *postings) int {
	return postingsEntry + len(k.field) + len(k.term) + 4*(cap(p.docs)+cap(p.fl)+cap(p.freqs)+cap(p.lens))
}

// entrySize is what the cache counts for n postings of k, packed.
func entrySize(k postingsKey, n int) int {
	return postingsEntry + len(k.field) + len(k.term) + postingBytes*n
}

// evict drops the postings read longest ago until the cache is within
// three quarters of its budget; the caller holds c.mu.
func (c *postingsCache) evict() {
	for c.bytes > postingsBudget*3/4 && len(c.m) > 0 {
		// The oldest half's tick: a pass drops about half the entries
		// (a sort would cost more than the few passes this takes).
		var lo, hi uint64 = math.MaxUint64, 0
		for _, p := range c.m {
			lo, hi = min(lo, p.used), max(hi, p.used)
		}
		cut := lo + (hi-lo)/2
		for k, p := range c.m {
			if p.used <= cut {
				delete(c.m, k)
				c.bytes -= entryBytes(k, p)
			}
		}
	}
}

// observe notes the segments of a snapshot of shard owner; when they are
// not those it noted last, the postings of owner's segments not among
// them are dropped.
func (c *postingsCache) observe(owner *scorch.Scorch, segs []*scorch.SegmentSnapshot) {
	if owner == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	last := c.seen[owner]
	same := len(last) == len(segs)
	for i := 0; same && i < len(segs); i++ {
		same = last[i] == segs[i].Segment()
	}
	if same {
		return
	}
	now := make([]segment.Segment, len(segs))
	live := make(map[segment.Segment]bool, len(segs))
	for i, s := range segs {
		now[i] = s.Segment()
		live[now[i]] = true
	}
	c.seen[owner] = now
	for k, p := range c.m {
		if p.owner == owner && !live[k.seg] {
			delete(c.m, k)
			c.bytes -= entryBytes(k, p)
		}
	}
}

// forget drops everything (the generation searched was replaced).
func (c *postingsCache) forget() {
	c.mu.Lock()
	c.m = map[postingsKey]*postings{}
	c.bytes = 0
	c.seen = map[*scorch.Scorch][]segment.Segment{}
	c.mu.Unlock()
}

// decodePostings reads pl, a term's postings (deleted documents
// included), into arrays.
func decodePostings(pl segment.PostingsList) (*postings, bool, error) {
	n := pl.Count()
	p := &postings{docs: make([]uint32, 0, n), fl: make([]uint32, 0, n)}
	it := pl.Iterator(true, true, false, nil)
	for {
		x, err := it.Next()
		if err != nil {
			return nil, false, err
		}
		if x == nil {
			return p, true, nil
		}
		z, ok := x.(normBits)
		if !ok {
			return nil, false, nil
		}
		d, f, l := x.Number(), x.Frequency(), z.NormUint64()
		if d > math.MaxUint32 || f > math.MaxUint32 || l > math.MaxUint32 {
			return nil, false, nil
		}
		p.docs = append(p.docs, uint32(d))
		if p.fl != nil && (f > math.MaxUint16 || l > math.MaxUint16) {
			// Wide: 32 bits each from here on, for all.
			p.freqs, p.lens = make([]uint32, len(p.fl), n), make([]uint32, len(p.fl), n)
			for i, v := range p.fl {
				p.freqs[i], p.lens[i] = v>>16, v&0xFFFF
			}
			p.fl = nil
		}
		if p.fl != nil {
			p.fl = append(p.fl, uint32(f)<<16|uint32(l))
		} else {
			p.freqs, p.lens = append(p.freqs, uint32(f)), append(p.lens, uint32(l))
		}
	}
}

// freqLen is posting i's frequency and field length.
func (p *postings) freqLen(i int) (uint64, uint64) {
	if p.fl != nil {
		v := p.fl[i]
		return uint64(v >> 16), uint64(v & 0xFFFF)
	}
	return uint64(p.freqs[i]), uint64(p.lens[i])
}

// lengthsFor is the length table of a field of average length avg, made
// whole on first use and then only read (searches share it).
func (c *postingsCache) lengthsFor(avg float64) *lengthTerms {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.lengths[avg]; l != nil {
		return l
	}
	if len(c.lengths) >= maxLengthTables {
		c.lengths = map[float64]*lengthTerms{}
	}
	l := &lengthTerms{avg: avg, v: make([]float64, maxLengthTerms)}
	for n := range l.v {
		l.v[n] = lengthPart(uint64(n), avg)
	}
	c.lengths[avg] = l
	return l
}

// lengthPart is the length part of BM25's denominator for a field length
// n, as scorer.TermQueryScorer computes it from the norm of n.
func lengthPart(n uint64, avg float64) float64 {
	norm := float64(float32(1.0 / math.Sqrt(float64(n))))
	fieldLength := 1 / (norm * norm)
	return 1 - bsearch.BM25_b + (bsearch.BM25_b * fieldLength / avg)
}
