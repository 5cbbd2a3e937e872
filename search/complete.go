package search

import (
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A word typed unfinished ("cert", "kube", "postg") is rarely a typo of
// anything: the words it stands for are those it begins. When exact
// matching finds nothing and typos are tried (the fuzzy fallback), a word
// of completeMin to completeMax letters that is no word of the index also
// matches the indexed words that start with it, as near terms as far as
// its typos may go: they score below the word itself, and highlights mark
// them as they mark near words. Only the word as typed is completed, not
// its stem.
//
// A short beginning starts many words ("data": database, datacenter,
// datadog, …); the maxCompletion in most documents are kept, so that a
// vague beginning costs a bounded search rather than one over hundreds of
// words, and at most maxCompletionScan words are read to choose them.
// They are chosen once a search, over the shards of the incidents every
// viewer may see (not the restricted incidents' shard): which words a
// search completes, and whether it completes one at all, must not depend
// on what the viewer may not read. A generation from before the
// restricted shard, where restricted incidents are in every shard,
// completes nothing.
const (
	completeMin       = 4
	completeMax       = 10
	maxCompletion     = 32
	maxCompletionScan = 4096
)

// mayComplete has c complete term, a word as typed.
func (c *fuzzyCache) mayComplete(term string) {
	c.mu.Lock()
	c.typed[term] = true
	c.mu.Unlock()
}

// completes reports whether term is one a completion is tried for: a word
// of letters alone (an identifier or a number is typed whole), of
// completeMin to completeMax of them.
func completes(term string) bool {
	n := utf8.RuneCountInString(term)
	if n < completeMin || n > completeMax {
		return false
	}
	for _, r := range term {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// completion is the words completing a term in a field, found once.
type completion struct {
	once  sync.Once
	words []string
	err   error
}

type completionKey struct{ field, term string }

// completeWord adds to near (term's near terms in field, in term order)
// the words completing term (completions), each at edit distance
// fuzziness, and returns the list in term order. A word already near
// keeps its own distance.
func (c *fuzzyCache) completeWord(snap *scorch.IndexSnapshot, field, term string, fuzziness int,
	near []index.DictEntry) ([]index.DictEntry, error) {
	c.mu.Lock()
	typed := c.typed[term]
	c.mu.Unlock()
	if fuzziness <= 0 || !typed || len(c.shards) == 0 || !completes(term) {
		return near, nil
	}
	words, err := c.completions(field, term)
	if err != nil || len(words) == 0 {
		return near, err
	}
	have := make(map[string]bool, len(near))
	for _, e := range near {
		have[e.Term] = true
	}
	out := append(make([]index.DictEntry, 0, len(near)+len(words)), near...)
	for _, w := range words {
		if !have[w] {
			out = append(out, index.DictEntry{Term: w, EditDistance: uint8(fuzziness)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Term < out[j].Term })
	return out, nil
}

// completions are the words of field that begin with term, at most
// maxCompletion of them: those in most documents, then in term order; none
// when term is itself a word of the field (it was typed whole). They are
// counted once a search over c.shards.
func (c *fuzzyCache) completions(field, term string) ([]string, error) {
	k := completionKey{field, term}
	c.mu.Lock()
	e := c.compl[k]
	if e == nil {
		e = &completion{}
		c.compl[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		counts := map[string]uint64{}
		if e.err = countPrefixedIn(c.shards, field, term, counts); e.err == nil {
			e.words = completionsOf(counts, term)
		}
	})
	return e.words, e.err
}

// countPrefixedIn counts into counts the words of field starting with
// term in each of shards, read from a snapshot of its own, until
// maxCompletionScan are read; term itself, when a word of the field, is
// all it counts.
func countPrefixedIn(shards []bleve.Index, field, term string, counts map[string]uint64) error {
	for _, sh := range shards {
		adv, err := sh.Advanced()
		if err != nil {
			return err
		}
		r, err := adv.Reader()
		if err != nil {
			return err
		}
		snap, ok := r.(*scorch.IndexSnapshot)
		if ok {
			err = countPrefixed(snap, field, term, counts)
		}
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// countPrefixed adds to counts, for each word of field in snap that
// starts with term, how many documents hold it, while counts holds fewer
// than maxCompletionScan words. When term is itself a word of the field,
// counts holds it alone (completionsOf then completes nothing).
func countPrefixed(snap *scorch.IndexSnapshot, field, term string, counts map[string]uint64) error {
	if _, whole := counts[term]; whole {
		return nil
	}
	beg := []byte(term)
	end := prefixEnd(beg)
	dicts := make([]segment.TermDictionary, 0, len(snap.Segments()))
	for _, s := range snap.Segments() {
		d, err := s.Segment().Dictionary(field)
		if err != nil {
			return err
		}
		// The word itself first: a dictionary lookup, not a walk.
		if found, err := d.Contains(beg); err != nil || found {
			if found {
				clear(counts)
				counts[term] = 1
			}
			return err
		}
		dicts = append(dicts, d)
	}
	var pl segment.PostingsList
	for _, d := range dicts {
		// termCount reads each word's postings: the walk need not.
		var it segment.DictionaryIterator
		if oc, ok := d.(omitCounter); ok {
			it = oc.AutomatonIteratorOmitCount(nil, beg, end)
		} else {
			it = d.AutomatonIterator(nil, beg, end)
		}
		for {
			e, err := it.Next()
			if err != nil {
				return err
			}
			if e == nil {
				break
			}
			if _, ok := counts[e.Term]; !ok && len(counts) >= maxCompletionScan {
				return nil
			}
			var n uint64
			if n, pl, err = termCount(d, e.Term, pl); err != nil {
				return err
			}
			counts[e.Term] += n
		}
	}
	return nil
}

// omitCounter is a dictionary (zap's) that walks its words without
// reading their postings.
type omitCounter interface {
	AutomatonIteratorOmitCount(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator
}

// termCount is how many documents of a segment's dictionary hold term
// (deleted ones included, as a dictionary entry's Count). The entries'
// Count is not it: zap's iterator reads it into a postings list it reuses
// and never clears, so after a term merged into a segment as a "1-hit"
// (one document, kept in the dictionary itself) every term reads as held
// by one document (zapx v17.2.5). Merged segments are full of those. pl is
// reused, and returned for the next call.
func termCount(d segment.TermDictionary, term string, pl segment.PostingsList) (uint64, segment.PostingsList, error) {
	pl, err := d.PostingsList([]byte(term), nil, pl)
	if err != nil {
		return 0, pl, err
	}
	return pl.Count(), pl, nil
}

// completionsOf are the completions of term among the words counted
// (countPrefixed): none when term is one of them.
func completionsOf(counts map[string]uint64, term string) []string {
	if _, ok := counts[term]; ok {
		return nil
	}
	return mostFrequent(counts, maxCompletion)
}

// mostFrequent is the n words of counts with the highest counts (ties in
// term order), in that order.
func mostFrequent(counts map[string]uint64, n int) []string {
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > n {
		words = words[:n]
	}
	return words
}
