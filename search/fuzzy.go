package search

import (
	"context"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
)

// A typo-tolerant search looks each word up with a fuzzy query in four
// fields (fieldAll and the ranking fields), as the word and as typed, in
// every shard: bleve builds a Levenshtein automaton for each of these
// lookups, and at 100k incidents building them took most of such a
// search. The automaton depends only on the word and the edits allowed,
// so a search builds each once (fuzzyCache) and finds every field's and
// shard's near terms with it, as bleve would with its own.

// automata keeps the automata searches built, for the next searches of
// the same word: an automaton depends on the word and the edits alone, and
// is only read once built. A person correcting a typo, or a team searching
// the same misspelt service name, searches the word again; building its
// automaton was about a third of such a search.
type automata struct {
	mu sync.Mutex
	m  map[fuzzyKey]vellum.Automaton
}

// maxAutomata bounds the automata kept: past it they are all dropped (an
// automaton of two edits of a long word is some hundreds of KB).
const maxAutomata = 64

var builtAutomata = &automata{m: map[fuzzyKey]vellum.Automaton{}}

func (c *automata) get(k fuzzyKey) vellum.Automaton {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *automata) put(k fuzzyKey, a vellum.Automaton) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxAutomata {
		clear(c.m)
	}
	c.m[k] = a
}

// fuzzyCache holds the automata one search has built.
type fuzzyCache struct {
	mu sync.Mutex
	a  map[fuzzyKey]vellum.Automaton
	// building are the automata one shard builds: the others, planned at
	// the same time, wait for it rather than build their own.
	building map[fuzzyKey]chan struct{}
	// near are the near terms found, by field: what a page's highlights
	// mark (matcher.addNear).
	near map[string]map[string]bool
	// shards are the shards the search reads, where unfinished words are
	// completed (complete.go); nil: each shard's own snapshot.
	shards []bleve.Index
	compl  map[completionKey]*completion
	// typed are the words as typed, the only ones completed.
	typed map[string]bool
}

type fuzzyKey struct {
	term      string
	fuzziness int
}

func newFuzzyCache() *fuzzyCache {
	return &fuzzyCache{a: map[fuzzyKey]vellum.Automaton{}, building: map[fuzzyKey]chan struct{}{},
		near: map[string]map[string]bool{}, compl: map[completionKey]*completion{}, typed: map[string]bool{}}
}

// noteNear records entries, the near terms of a word, as found in field,
// and returns them as a dictionary to read.
func (c *fuzzyCache) noteNear(field string, entries []index.DictEntry) *listDict {
	c.mu.Lock()
	if c.near[field] == nil {
		c.near[field] = map[string]bool{}
	}
	for _, e := range entries {
		c.near[field][e.Term] = true
	}
	c.mu.Unlock()
	return &listDict{entries: entries}
}

// readDict reads fd whole and closes it.
func readDict(fd index.FieldDict) ([]index.DictEntry, error) {
	var out []index.DictEntry
	for {
		e, err := fd.Next()
		if err != nil {
			_ = fd.Close()
			return nil, err
		}
		if e == nil {
			break
		}
		out = append(out, *e)
	}
	return out, fd.Close()
}

// dict is snap.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix):
// the terms of field within fuzziness edits of term that start with
// prefix, in order, with their edit distances.
func (c *fuzzyCache) dict(snap *scorch.IndexSnapshot, field, term string, fuzziness int,
	prefix string) (index.FieldDict, index.FuzzyAutomaton, error) {
	k := fuzzyKey{term, fuzziness}
	c.mu.Lock()
	a := c.a[k]
	if a == nil {
		if a = builtAutomata.get(k); a != nil {
			c.a[k] = a
		}
	}
	if ch, ok := c.building[k]; a == nil && ok {
		c.mu.Unlock()
		<-ch
		c.mu.Lock()
		a = c.a[k] // (nil when the build failed: built here)
	}
	if a == nil {
		ch := make(chan struct{})
		c.building[k] = ch
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			delete(c.building, k)
			c.mu.Unlock()
			close(ch)
		}()
		fd, fa, err := snap.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix)
		if err != nil {
			return nil, nil, err
		}
		if aut, ok := fa.(vellum.Automaton); ok {
			c.mu.Lock()
			c.a[k] = aut
			c.mu.Unlock()
			builtAutomata.put(k, aut)
		}
		entries, err := readDict(fd)
		if err != nil {
			return nil, nil, err
		}
		if entries, err = c.completeWord(snap, field, term, fuzziness, entries); err != nil {
			return nil, nil, err
		}
		return c.noteNear(field, entries), fa, nil
	}
	c.mu.Unlock()
	var beg, end []byte
	if prefix != "" {
		beg = []byte(prefix)
		end = prefixEnd(beg)
	}
	// The segments' matching terms merged, each once, in order (as
	// scorch's field dictionary merges them; a term has the same edit
	// distance in every segment).
	dist := map[string]uint8{}
	for _, s := range snap.Segments() {
		d, err := s.Segment().Dictionary(field)
		if err != nil {
			return nil, nil, err
		}
		it := d.AutomatonIterator(a, beg, end)
		for {
			e, err := it.Next()
			if err != nil {
				return nil, nil, err
			}
			if e == nil {
				break
			}
			if _, ok := dist[e.Term]; !ok {
				dist[e.Term] = e.EditDistance
			}
		}
	}
	entries := make([]index.DictEntry, 0, len(dist))
	for t, ed := range dist {
		entries = append(entries, index.DictEntry{Term: t, EditDistance: ed})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Term < entries[j].Term })
	entries, err := c.completeWord(snap, field, term, fuzziness, entries)
	if err != nil {
		return nil, nil, err
	}
	fa, _ := a.(index.FuzzyAutomaton)
	return c.noteNear(field, entries), fa, nil
}

// prefixEnd is the first key after every key starting with prefix (nil
// when there is none), as scorch computes it.
func prefixEnd(prefix []byte) []byte {
	out := append([]byte(nil), prefix...)
	for i := len(out) - 1; i >= 0; i-- {
		out[i]++
		if out[i] != 0 {
			return out
		}
	}
	return nil
}

// cachedFuzzy is a fuzzy query whose automaton is built once a search
// (fuzzyCache).
type cachedFuzzy struct {
	*query.FuzzyQuery
	cache *fuzzyCache
}

// Searcher implements query.Query: bleve's fuzzy searcher, reading the
// near terms through the cache.
func (q *cachedFuzzy) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping,
	options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		r = fuzzyReader{IndexSnapshot: snap, cache: q.cache}
	}
	return q.FuzzyQuery.Searcher(ctx, r, m, options)
}

// fuzzyReader is a snapshot whose fuzzy dictionaries come from a cache.
type fuzzyReader struct {
	*scorch.IndexSnapshot
	cache *fuzzyCache
}

// FieldDictFuzzyAutomaton implements index.IndexReaderFuzzy.
func (r fuzzyReader) FieldDictFuzzyAutomaton(field, term string, fuzziness int,
	prefix string) (index.FieldDict, index.FuzzyAutomaton, error) {
	return r.cache.dict(r.IndexSnapshot, field, term, fuzziness, prefix)
}

// FieldDictFuzzy implements index.IndexReaderFuzzy.
func (r fuzzyReader) FieldDictFuzzy(field, term string, fuzziness int, prefix string) (index.FieldDict, error) {
	fd, _, err := r.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix)
	return fd, err
}
