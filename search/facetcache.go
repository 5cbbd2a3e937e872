package search

import (
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// Facets are counted by the search itself rather than by bleve. bleve's
// facet builder reads every match's doc values, which are compressed in
// chunks of documents: a query decompresses about every chunk of the index
// however few incidents it matches, and that cost (tens of milliseconds at
// 100k incidents) dominated searches. Segments never change once written,
// so each segment's facet values are read once, into an array of small
// integers per document, and a search counts a match with a few array
// reads.

// errNotScorch says the index is not the kind facets can be counted on
// (every index this package opens is).
var errNotScorch = errors.New("search: the index is not a scorch index")

// facetCache holds the facet values of the segments the index is made of,
// for one bleve index (one generation).
type facetCache struct {
	mu sync.Mutex
	// segs is keyed by the segment itself: a segment is immutable, and a
	// merged one is a new segment.
	segs map[any]*segFacets
	// values numbers the facet values ("s:s3", "y:2024"); ords index it.
	values []string
	ordOf  map[string]uint32
	// kind is the facets' index (into facets) of each value, -1 for a
	// value of no facet asked for.
	kind []int8
	// tick counts the snapshots met (see forSnapshot); loads the segments
	// read (tests).
	tick, loads uint64
	// warming holds the shards whose background warm-up runs, each with
	// whether another was asked for meanwhile.
	warming map[*scorch.Scorch]bool
	// also, when set, is warmed with the facets: it is given each shard's
	// snapshot (the similar incidents' signatures, see sigCache).
	also func(s *scorch.Scorch, snap *scorch.IndexSnapshot)
}

func newFacetCache() *facetCache {
	return &facetCache{segs: map[any]*segFacets{}, ordOf: map[string]uint32{}, warming: map[*scorch.Scorch]bool{}}
}

// segFacets is one segment's facet values, by document (facetRows).
type segFacets struct {
	// used is the cache's tick when a search last met the segment.
	used uint64
	once sync.Once
	err  error
	rows facetRows
}

// ordinal numbers a value; the caller holds c.mu.
func (c *facetCache) ordinal(v string) uint32 {
	if o, ok := c.ordOf[v]; ok {
		return o
	}
	o := uint32(len(c.values))
	c.values = append(c.values, v)
	c.ordOf[v] = o
	k := int8(-1)
	for i, f := range facets {
		if strings.HasPrefix(v, f.prefix) {
			k = int8(i)
			break
		}
	}
	c.kind = append(c.kind, k)
	return o
}

// forgetAfter is how many snapshots later a segment no search met is
// forgotten (merged away, or of a closed generation).
const forgetAfter = 1024

// snapshotFacets is what one search needs to count: the segments of the
// snapshot it runs on, where each starts, and their facet values.
type snapshotFacets struct {
	offsets []uint64 // global number of each segment's first document
	segs    []*segFacets
}

// forSnapshot loads (once per segment) the facet values of snap's segments.
// It also forgets segments no search has met for a while (the cache serves
// every shard, so "not in this snapshot" does not mean gone).
func (c *facetCache) forSnapshot(snap *scorch.IndexSnapshot) (*snapshotFacets, error) {
	segs := snap.Segments()
	out := &snapshotFacets{offsets: make([]uint64, len(segs)), segs: make([]*segFacets, len(segs))}
	c.mu.Lock()
	c.tick++
	var running uint64
	for i, ss := range segs {
		seg := ss.Segment()
		out.offsets[i] = running
		// Scorch numbers documents across segments by the segments' full
		// counts, deleted documents included (see its introducer).
		running += seg.Count()
		sf := c.segs[seg]
		if sf == nil {
			sf = &segFacets{}
			c.segs[seg] = sf
		}
		sf.used = c.tick
		out.segs[i] = sf
	}
	if len(c.segs) > 64 && c.tick%64 == 0 {
		for k, sf := range c.segs {
			if c.tick-sf.used > forgetAfter {
				delete(c.segs, k)
			}
		}
	}
	c.mu.Unlock()

	var dvr index.DocValueReader
	for i, sf := range out.segs {
		sf.once.Do(func() {
			if dvr == nil {
				dvr, sf.err = snap.DocValueReader([]string{FieldFacets})
				if sf.err != nil {
					return
				}
			}
			sf.err = c.load(sf, dvr, out.offsets[i], segs[i].Segment().Count())
		})
		if sf.err != nil {
			// Try again next time rather than keep a broken segment.
			c.mu.Lock()
			delete(c.segs, segs[i].Segment())
			c.mu.Unlock()
			return nil, sf.err
		}
	}
	return out, nil
}

// load reads the facet values of the n documents starting at global
// number first.
func (c *facetCache) load(sf *segFacets, dvr index.DocValueReader, first, n uint64) error {
	c.mu.Lock()
	c.loads++
	c.mu.Unlock()
	// Document d's ordinals are ords[start[d]:start[d+1]], laid out in
	// rows when all are read.
	start := make([]uint32, n+1)
	ords := make([]uint32, 0, n*8)
	id := make(index.IndexInternalID, 8)
	// known saves taking the lock for values already numbered.
	known := map[string]uint32{}
	visit := func(field string, term []byte) {
		if field != FieldFacets {
			return
		}
		o, ok := known[string(term)]
		if !ok {
			c.mu.Lock()
			o = c.ordinal(string(term))
			c.mu.Unlock()
			known[string(term)] = o
		}
		ords = append(ords, o)
	}
	var err error
	for d := uint64(0); d < n; d++ {
		start[d] = uint32(len(ords))
		id.SetValue(first + d)
		verr := dvr.VisitDocValues(id, visit)
		if verr != nil && err == nil {
			err = verr
		}
	}
	start[n] = uint32(len(ords))
	sf.rows = newFacetRows(start, ords)
	return err
}

// facetCounter counts the facet values of the matches of one search.
type facetCounter struct {
	cache  *facetCache
	snap   *snapshotFacets
	counts []uint32 // by ordinal
	seg    int      // segment of the last match (matches come in order)
}

// count adds the match with global document number doc.
func (fc *facetCounter) count(doc uint64) {
	s := fc.snap
	i := fc.seg
	if i >= len(s.offsets) || doc < s.offsets[i] || (i+1 < len(s.offsets) && doc >= s.offsets[i+1]) {
		i = sort.Search(len(s.offsets), func(x int) bool { return s.offsets[x] > doc }) - 1
		if i < 0 {
			return
		}
		fc.seg = i
	}
	rows := &s.segs[i].rows
	if local := doc - s.offsets[i]; local < rows.docs() {
		rows.count(local, fc)
	}
}

// countAll adds the matches with global document numbers docs (ascending).
func (fc *facetCounter) countAll(docs []uint32) {
	s := fc.snap
	for len(docs) > 0 {
		doc := uint64(docs[0])
		i := sort.Search(len(s.offsets), func(x int) bool { return s.offsets[x] > doc }) - 1
		if i < 0 {
			docs = docs[1:]
			continue
		}
		end := len(docs)
		if i+1 < len(s.offsets) {
			next := s.offsets[i+1]
			end = sort.Search(len(docs), func(x int) bool { return uint64(docs[x]) >= next })
		}
		s.segs[i].rows.countAll(docs[:end], s.offsets[i], fc)
		docs = docs[end:]
	}
}

// grow makes room for ordinals numbered since the counter was made.
func (fc *facetCounter) grow() {
	fc.cache.mu.Lock()
	n := len(fc.cache.values)
	fc.cache.mu.Unlock()
	fc.counts = append(fc.counts, make([]uint32, n-len(fc.counts))...)
}

// result is the counts of each facet: the most frequent values first (the
// value breaks ties), at most the facet's size.
func (fc *facetCounter) result() map[string][]Count {
	fc.cache.mu.Lock()
	values := fc.cache.values[:len(fc.cache.values):len(fc.cache.values)]
	kinds := fc.cache.kind[:len(fc.cache.kind):len(fc.cache.kind)]
	fc.cache.mu.Unlock()
	// Each facet's top values, picked as the counts are read (a facet may
	// have a thousand values of which it shows fifteen).
	tops := make([][]Count, len(facets))
	for o, n := range fc.counts {
		if n == 0 || o >= len(values) || kinds[o] < 0 {
			continue
		}
		k := kinds[o]
		tops[k] = pushTop(tops[k], Count{Value: values[o][len(facets[k].prefix):], Count: int(n)}, facets[k].size)
	}
	out := make(map[string][]Count, len(facets))
	for k, f := range facets {
		cs := tops[k]
		if f.name == FacetYear {
			sort.Slice(cs, func(i, j int) bool { return cs[i].Value > cs[j].Value })
		}
		if cs == nil {
			cs = []Count{}
		}
		out[f.name] = cs
	}
	return out
}

// pushTop adds c to top, the n first counts so far in topCounts' order,
// if it is one of them.
func pushTop(top []Count, c Count, n int) []Count {
	before := func(a, b Count) bool {
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Value < b.Value
	}
	if n <= 0 || (len(top) == n && !before(c, top[n-1])) {
		return top
	}
	if top == nil {
		top = make([]Count, 0, n)
	}
	i := sort.Search(len(top), func(i int) bool { return before(c, top[i]) })
	if len(top) < n {
		top = append(top, Count{})
	}
	copy(top[i+1:], top[i:len(top)-1])
	top[i] = c
	return top
}

// facetCounters gathers the counters of one search's shards (each shard's
// search makes its own, at the same time as the others).
type facetCounters struct {
	mu   sync.Mutex
	list []*facetCounter
}

func (f *facetCounters) add(fc *facetCounter) {
	f.mu.Lock()
	f.list = append(f.list, fc)
	f.mu.Unlock()
}

// result sums the shards' counts (read once every shard's search is over).
func (f *facetCounters) result() map[string][]Count {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.list) == 0 {
		return map[string][]Count{}
	}
	sum := f.list[0]
	for _, fc := range f.list[1:] {
		if len(fc.counts) > len(sum.counts) {
			sum.counts = append(sum.counts, make([]uint32, len(fc.counts)-len(sum.counts))...)
		}
		for o, n := range fc.counts {
			sum.counts[o] += n
		}
	}
	f.list = f.list[:1]
	return sum.result()
}

// countingHandler is a bleve document-match handler maker that counts
// every match's facets into *fc before handing it to the handler inner
// makes (which keeps the page). It is given to bleve through the search's
// context.
func (c *facetCache) countingHandler(out *facetCounters, inner bsearch.MakeDocumentMatchHandler) bsearch.MakeDocumentMatchHandler {
	return func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		next, loadID, err := inner(sctx)
		if err != nil {
			return nil, false, err
		}
		snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			return nil, false, errNotScorch
		}
		sf, err := c.forSnapshot(snap)
		if err != nil {
			return nil, false, err
		}
		c.mu.Lock()
		n := len(c.values)
		c.mu.Unlock()
		fc := &facetCounter{cache: c, snap: sf, counts: make([]uint32, n)}
		out.add(fc)
		return func(d *bsearch.DocumentMatch) error {
			if d != nil && len(d.IndexInternalID) == 8 {
				fc.count(d.IndexInternalID.Value())
			}
			return next(d)
		}, loadID, nil
	}
}

// eventCallback is the name the index's scorch instances report their
// events under (see init): when a batch or a merge brings in a segment,
// its facet values are read right away, in the background, rather than by
// the first search that meets it (a merged segment of 100k incidents takes
// tens of milliseconds to read).
const eventCallback = "hindsight"

// warmers maps each open scorch instance to the facet cache to warm.
var warmers sync.Map // *scorch.Scorch → *facetCache

func init() {
	scorch.RegistryEventCallbacks[eventCallback] = func(e scorch.Event) bool {
		if e.Kind == scorch.EventKindMergeTaskIntroduction || e.Kind == scorch.EventKindBatchIntroduction {
			if c, ok := warmers.Load(e.Scorch); ok {
				c.(*facetCache).warmSoon(e.Scorch)
			}
		}
		return true
	}
}

// scorchConfig is the configuration every generation is created and
// opened with.
func scorchConfig() map[string]interface{} {
	return map[string]interface{}{"eventCallbackName": eventCallback}
}

// forgetSegments drops every segment's values (a generation was replaced).
func (c *facetCache) forgetSegments() {
	c.mu.Lock()
	c.segs = map[any]*segFacets{}
	c.mu.Unlock()
}

// watch has c warmed whenever a shard of idx takes in a segment, until
// unwatch.
func (c *facetCache) watch(idx *shardIndex) {
	for _, p := range idx.all() {
		if s := scorchOf(p); s != nil {
			warmers.Store(s, c)
			c.warmSoon(s)
		}
	}
}

// unwatch stops warming for idx (before it is closed).
func unwatch(idx *shardIndex) {
	for _, p := range idx.all() {
		if s := scorchOf(p); s != nil {
			warmers.Delete(s)
		}
	}
}

func scorchOf(idx bleve.Index) *scorch.Scorch {
	if idx == nil {
		return nil
	}
	adv, err := idx.Advanced()
	if err != nil {
		return nil
	}
	s, _ := adv.(*scorch.Scorch)
	return s
}

// warmingAny reports whether a background warm-up of a shard of idx
// runs.
func (c *facetCache) warmingAny(idx *shardIndex) bool {
	var shards []*scorch.Scorch
	for _, p := range idx.all() {
		if s := scorchOf(p); s != nil {
			shards = append(shards, s)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range shards {
		if _, ok := c.warming[s]; ok {
			return true
		}
	}
	return false
}

// warmSoon loads the facet values of s's segments in the background; a
// request while one runs makes it run once more when done.
func (c *facetCache) warmSoon(s *scorch.Scorch) {
	c.mu.Lock()
	if _, running := c.warming[s]; running {
		c.warming[s] = true
		c.mu.Unlock()
		return
	}
	c.warming[s] = false
	c.mu.Unlock()
	go func() {
		for {
			// A closed index has no snapshot (a nil one).
			if r, err := s.Reader(); err == nil {
				if snap, ok := r.(*scorch.IndexSnapshot); ok && snap != nil {
					_, _ = c.forSnapshot(snap) // an error is met again by the search
					if c.also != nil {
						c.also(s, snap)
					}
					_ = snap.Close()
				}
			}
			c.mu.Lock()
			if !c.warming[s] {
				delete(c.warming, s)
				c.mu.Unlock()
				return
			}
			c.warming[s] = false
			c.mu.Unlock()
		}
	}()
}
