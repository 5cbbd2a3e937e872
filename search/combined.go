package search

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// fieldAll is the field a word typed without a field is matched in: the
// terms and pairs of all six text fields of an incident and of its
// services and tags, each counted as often as it occurs in a field times
// that field's weight (textWeights); the long fields' pairs are tagged
// with their field (pairlessFields). A search then walks one posting list
// a word instead of nine to find and count its matches; the short fields
// add their own scores to rank them (queryBuilder.term). It is indexed
// only; nothing reads it but searches, and it is not a field a query can
// name.
const fieldAll = "all_text"

// textWeights are how many times an occurrence of a word in a field
// counts in fieldAll: what a title or a root cause says weighs more than a
// line of chat. BM25 saturates a count (and fieldAll's length is the whole
// incident's), so the weights only nudge: the short fields' own scores
// rank a word (queryBuilder.term).
var textWeights = map[string]int{
	FieldTitle:      9,
	FieldRootCauses: 6,
	FieldSummary:    5,
	FieldRCA:        2,
	FieldActions:    2,
	FieldTimeline:   1,
	// The services and tags, analysed as text: a word typed is found as
	// a word of a label here rather than by a lookup of its own.
	FieldServices: 8,
	FieldTags:     5,
}

// combinedField is fieldAll of one incident. It is added to a document
// after its text fields and analysed after them (bleve analyses fields in
// order), so it only merges their token counts: nothing is analysed twice.
type combinedField struct {
	parts []document.Field
	// labels are texts of no text field of their own (services and tags),
	// analysed here.
	labels []labelText
	an     analysis.Analyzer
	length int
	freqs  index.TokenFrequencies
	arena  []byte // the tagged pairs' terms
}

// labelText is a label and the field it is a value of.
type labelText struct{ field, text string }

// addLabel makes text, a value of field, a part of c.
func (c *combinedField) addLabel(field, text string) {
	if c != nil {
		c.labels = append(c.labels, labelText{field, text})
	}
}

// add makes f a part of c.
// A nil c (a document of the shape before fieldAll) takes nothing.
func (c *combinedField) add(f document.Field) {
	if c != nil {
		c.parts = append(c.parts, f)
	}
}

// partTerms is a part's terms and length, its pairs included, and the
// tag its pairs carry in fieldAll ("" for none).
func partTerms(f document.Field) (index.TokenFrequencies, int, string) {
	if p, ok := f.(*pairlessField); ok {
		return p.TextField.AnalyzedTokenFrequencies(), p.TextField.AnalyzedLength(), pairlessFields[p.Name()]
	}
	return f.AnalyzedTokenFrequencies(), f.AnalyzedLength(), ""
}

// Name implements document.Field.
func (c *combinedField) Name() string { return fieldAll }

// ArrayPositions implements document.Field.
func (c *combinedField) ArrayPositions() []uint64 { return nil }

// Options implements document.Field: indexed, neither stored nor kept in
// doc values.
func (c *combinedField) Options() index.FieldIndexingOptions { return index.IndexField }

// Analyze implements document.Field: it sums the parts' weighted counts.
// The length is the parts' own (unweighted) length, so a long incident is
// still scored as long.
func (c *combinedField) Analyze() {
	n := 0
	for _, p := range c.parts {
		tfs, _, _ := partTerms(p)
		n += len(tfs)
	}
	c.freqs = make(index.TokenFrequencies, n)
	c.length = 0
	for _, p := range c.parts {
		w := textWeights[p.Name()]
		if w <= 0 {
			w = 1
		}
		tfs, length, tag := partTerms(p)
		c.length += length
		c.merge(tfs, w, tag)
	}
	for _, l := range c.labels {
		if c.an == nil {
			break
		}
		tokens := c.an.Analyze([]byte(l.text))
		c.length += len(tokens)
		c.merge(analysis.TokenFrequency(tokens, nil, index.IndexField), textWeights[l.field], "")
	}
}

// merge adds tfs, each count times w, its pairs tagged with tag.
func (c *combinedField) merge(tfs index.TokenFrequencies, w int, tag string) {
	for k, tf := range tfs {
		term := tf.Term
		if tag != "" && isPair(term) {
			// The tagged terms of a document share a few arrays (one
			// allocation each would cost a rebuild dearly).
			if len(c.arena)+len(tag)+len(k) > cap(c.arena) {
				c.arena = make([]byte, 0, max(4096, len(tag)+len(k)))
			}
			start := len(c.arena)
			c.arena = append(append(c.arena, tag...), k...)
			term = c.arena[start:len(c.arena):len(c.arena)]
			k = string(term)
		}
		if e, ok := c.freqs[k]; ok {
			e.SetFrequency(e.Frequency() + w*tf.Frequency())
			continue
		}
		e := &index.TokenFreq{Term: term}
		e.SetFrequency(w * tf.Frequency())
		c.freqs[k] = e
	}
}

// Value implements document.Field: the field holds no text of its own.
func (c *combinedField) Value() []byte { return nil }

// NumPlainTextBytes implements document.Field: its parts count the text.
func (c *combinedField) NumPlainTextBytes() uint64 { return 0 }

// Size implements document.Field (bleve's estimate of memory held).
func (c *combinedField) Size() int {
	if c.freqs == nil {
		return 64
	}
	return 64 + c.freqs.Size()
}

// EncodedFieldType implements document.Field: a text field.
func (c *combinedField) EncodedFieldType() byte { return 't' }

// AnalyzedLength implements document.Field.
func (c *combinedField) AnalyzedLength() int { return c.length }

// AnalyzedTokenFrequencies implements document.Field.
func (c *combinedField) AnalyzedTokenFrequencies() index.TokenFrequencies { return c.freqs }

// pairlessFields are the long text fields indexed without the pairs of
// their words (bigram.go), with the tag their pairs carry in fieldAll. The
// timeline alone holds about half the words of an incident, and its pairs
// as many terms again, so indexing them once rather than twice is a good
// part of a rebuild's time and of the index's size. In fieldAll each pair
// is tagged with its field (pairTerm), so a phrase asked of one of these
// fields (timeline:"leap second") matches a pair of that field alone — a
// pair never spans two events, nor comes from the title — and a phrase
// typed without a field looks for the plain pair and the tagged ones.
var pairlessFields = map[string]string{FieldTimeline: "\x01t", FieldRCA: "\x01r", FieldActions: "\x01a"}

// pairTerm is the term of the pair "a b" of field in fieldAll: tagged for
// a pairless field, plain for any other.
func pairTerm(field, pair string) string { return pairlessFields[field] + pair }

// pairlessField is a text field analysed with the pair analyzer whose own
// terms are its words alone; its pairs go, tagged, only to fieldAll
// (combinedField.Analyze).
type pairlessField struct {
	*document.TextField
	words  index.TokenFrequencies
	length int
}

// Analyze implements document.Field.
func (p *pairlessField) Analyze() {
	p.TextField.Analyze()
	all := p.TextField.AnalyzedTokenFrequencies()
	p.words = make(index.TokenFrequencies, len(all)/2+1)
	p.length = p.TextField.AnalyzedLength()
	for k, tf := range all {
		if isPair(tf.Term) {
			p.length -= tf.Frequency()
			continue
		}
		p.words[k] = tf
	}
}

// AnalyzedLength implements document.Field: the words counted.
func (p *pairlessField) AnalyzedLength() int { return p.length }

// AnalyzedTokenFrequencies implements document.Field: the words alone.
func (p *pairlessField) AnalyzedTokenFrequencies() index.TokenFrequencies { return p.words }

// isPair says whether an analysed term is a pair of words (no word holds
// pairSep).
func isPair(term []byte) bool { return bytes.Contains(term, []byte(pairSep)) }
