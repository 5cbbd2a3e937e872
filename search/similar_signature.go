package search

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// Signatures: what similar incidents need of an incident, kept apart from
// its text so that a similar-incident query reads no postings, dictionary
// or stored text of the index but its own source's. Walking the postings of
// some forty words over six fields touched nearly all of an index's mapped
// files (at 100k incidents 750 of its 810 MB became resident after 200
// queries); the signatures of every incident are read once per segment
// into memory (similar_sigcache.go), a few tens of MB, and a query is a
// walk of a few in-memory lists.
//
// An incident's signature is its written words (title, summary, root
// causes, RCA, actions: what rerankWeights weigh; not the timeline) with
// their re-ranking weights, the sigWords most telling of them, the length
// of its whole written vector (so that the cosine is normalised by the
// whole text, not by the kept words), its labels, whether its RCA is
// published and, for a restricted incident, who may see it. It is indexed
// as the doc values of FieldSignature, one term per item, so that it is
// written, replaced and deleted with the document itself, in every shard,
// rebuild and incremental update alike.

// FieldSignature holds an incident's signature as doc values (one term an
// item, see sigTerms); it is not stored and never searched.
const FieldSignature = "similar_sig"

// sigWords is how many words a signature keeps. Like everything a
// signature is made with — sigUnit and the terms' encoding here,
// rerankWeights, sourceWeights, usefulTerm and boilerplate — it is baked
// into every indexed signature: changing any of them needs a
// MappingVersion bump, or an index would mix signatures of both kinds.
// (The words are chosen by sourceWeights, the weights of the similar
// query's own words: those of the title and root causes first, then the
// words an incident repeats.)
const sigWords = 64

// Prefixes of the terms of a signature (indexed: see sigWords).
const (
	sigWord       = 'w' // w<word> <weight in sigUnits>
	sigID         = '#' // #<incident id>
	sigNorm       = 'n' // n<length of the written vector>
	sigLabel      = 'l' // l<kind><value>: kinds s (service), c (category), t (tag), m (team)
	sigPublished  = 'p' // p
	sigRestricted = 'r' // r
	sigAccess     = 'a' // a<principal> of a restricted incident
	sigShown      = 'd' // d<key>\x00<title>\x00<status>\x00<severity>\x00<when, RFC 3339>: what a result shows
)

// shownSep separates the parts of the shown term (no key, title, status
// or severity holds it: see shownPart).
const shownSep = "\x00"

// maxShownTitle bounds the title a signature holds (a title longer than
// that is shown cut, in similar incidents only).
const maxShownTitle = 4 << 10

// Label kinds in a signature's label terms.
const (
	labelService  = 's'
	labelCategory = 'c'
	labelTag      = 't'
	labelTeam     = 'm'
)

// sigUnit (indexed: see sigWords) is the precision of a word's weight
// in a signature: weights are kept as whole multiples of it, in a byte
// (rounding moves one by at most 1/32, 6% of the smallest, 0.5: see
// rerankWeights; the largest kept is 255/16, a word said some 20 times
// in every written field).
const sigUnit = 1.0 / 16

// sigQ is a weight in sigUnits.
type sigQ = uint8

// sigQuantum is a weight in sigUnits (at least 1, at most what a sigQ
// holds).
func sigQuantum(w float64) sigQ {
	return sigQ(min(max(math.Round(w/sigUnit), 1), math.MaxUint8))
}

// labelBoosts weigh a shared label in the similar score (as the query over
// the fields weighed them).
var labelBoosts = map[byte]float64{labelService: 3, labelCategory: 2, labelTag: 1.5, labelTeam: 0.5}

// signature is an incident's signature as the query uses it.
type signature struct {
	words map[string]float64 // kept word → re-ranking weight
	norm  float64            // length of the whole written vector
}

// signatureOf weighs d's written words: every word's re-ranking weight
// (as vectorOf), the length of the whole, and the sigWords kept.
func signatureOf(an analysis.Analyzer, texts map[string][]string) signature {
	return signatureFrom(func(field string, counts map[string]int) { countUseful(an, texts[field], counts) })
}

// signatureFrom is signatureOf of the counts of useful words countsOf sets
// for each written field (as countUseful does).
func signatureFrom(countsOf func(field string, counts map[string]int)) signature {
	// Each field's counts give both the word's re-ranking weight (as
	// vectorOf) and the choice — how much the similar query would make of
	// the word in the incident (sourceWeights, counted as distinctive
	// counts the source's).
	weights := map[string]float64{}
	choice := map[string]float64{}
	counts := map[string]int{}
	for _, field := range rerankFields {
		rw, ok := rerankWeights[field]
		if !ok {
			continue
		}
		countsOf(field, counts)
		for term, n := range counts {
			f := 1 + math.Log(float64(n))
			weights[term] += rw * f
			choice[term] += sourceWeights[field] * f
		}
	}
	norm := 0.0
	list := make([]string, 0, len(choice))
	for t := range choice {
		list = append(list, t)
	}
	sort.Strings(list) // sums in the same order give the same norm on every run
	for _, t := range list {
		norm += weights[t] * weights[t]
	}
	sort.SliceStable(list, func(i, j int) bool { return choice[list[i]] > choice[list[j]] })
	s := signature{words: make(map[string]float64, min(len(list), sigWords)), norm: math.Sqrt(norm)}
	for _, t := range list[:min(len(list), sigWords)] {
		s.words[t] = weights[t]
	}
	return s
}

// writtenOf is d's written texts by field (profileOfDoc's, without the
// timeline).
func writtenOf(d *Doc) map[string][]string {
	texts := profileOfDoc(d).texts
	delete(texts, FieldTimeline)
	return texts
}

// sigTerms is d's signature as the terms of FieldSignature, its written
// texts analysed with an.
func sigTerms(an analysis.Analyzer, d *Doc) []string {
	return sigTermsOf(d, signatureOf(an, writtenOf(d)))
}

// sigTermsOf is d's signature s as the terms of FieldSignature.
func sigTermsOf(d *Doc, s signature) []string {
	out := make([]string, 0, len(s.words)+16)
	out = append(out, string(sigID)+strconv.FormatInt(d.ID, 10),
		string(sigNorm)+strconv.FormatFloat(s.norm, 'g', 7, 64))
	// What a result shows, so that similar incidents read no stored
	// document but their source's.
	when := ""
	if t, ok := d.When(); ok {
		when = t.UTC().Format(time.RFC3339Nano)
	}
	out = append(out, string(sigShown)+strings.Join([]string{shownPart(normalizeKeyword(d.Key)),
		shownPart(cutUTF8(string(appendEventText(nil, d.Title)), maxShownTitle)),
		shownPart(normalizeKeyword(d.Status)), shownPart(normalizeKeyword(d.Severity)), when}, shownSep))
	for w, x := range s.words {
		out = append(out, string(sigWord)+w+" "+strconv.Itoa(int(sigQuantum(x))))
	}
	seen := map[string]bool{}
	label := func(kind byte, vals []string) {
		for _, v := range vals {
			if v = normalizeKeyword(v); v != "" {
				t := string(sigLabel) + string(kind) + v
				if !seen[t] {
					seen[t] = true
					out = append(out, t)
				}
			}
		}
	}
	label(labelService, d.Services)
	label(labelCategory, d.Categories())
	label(labelTag, withoutCategoryTags(d.Tags))
	label(labelTeam, d.Teams)
	if d.Published {
		out = append(out, string(sigPublished))
	}
	if strings.EqualFold(d.Visibility, "restricted") {
		out = append(out, string(sigRestricted))
		for _, p := range d.RestrictedTo {
			if p = normalizeKeyword(p); p != "" && !seen["a"+p] {
				seen["a"+p] = true
				out = append(out, string(sigAccess)+p)
			}
		}
	}
	// Doc values join a document's terms with byte 0xFF, which only
	// invalid UTF-8 holds: a title holding it would split into terms of
	// their own (an id, a restriction) when read (review P3-4).
	for i, t := range out {
		out[i] = strings.ToValidUTF8(t, "\uFFFD")
	}
	sort.Strings(out)
	return out
}

// shownPart is s without shownSep.
func shownPart(s string) string { return strings.ReplaceAll(s, shownSep, " ") }

// shown is what a similar incident shows of an indexed one.
type shown struct {
	key, title, status, severity string
	when                         *time.Time
}

// parseShown reads the body of a shown term.
func parseShown(body string) shown {
	parts := strings.SplitN(body, shownSep, 5)
	for len(parts) < 5 {
		parts = append(parts, "")
	}
	sh := shown{key: parts[0], title: parts[1], status: parts[2], severity: parts[3]}
	if t, ok := parseWhen(parts[4]); ok {
		sh.when = &t
	}
	return sh
}

// addSignature adds d's signature to doc as a sigField: made when the
// document is analysed, after the written fields in parts (which must be
// in doc before it), from their analysis.
func (b docBuilder) addSignature(doc *document.Document, d *Doc, parts []document.Field) {
	doc.AddField(&sigField{d: d, parts: parts, an: b.similar})
}

// sigField is FieldSignature of one incident, each term as it is (the
// title keeps its case). Its words are counted from what the written
// fields' analysis found rather than by analysing their text again (a
// good part of a rebuild's time): bleve analyses a document's fields in
// the order they were added, so the written fields, added before, have
// been analysed when this one is. Their analyzer (AnalyzerTextIndex) finds
// the similar analyzer's words and their pairs; the pairs are left out.
// The RCA field holds the sections' titles, which the signature does not
// count: they are analysed (they are short) and taken off. The signature
// is the one sigTerms makes of the document (tested).
type sigField struct {
	d     *Doc
	parts []document.Field
	an    analysis.Analyzer
	freqs index.TokenFrequencies
}

// Name implements document.Field.
func (f *sigField) Name() string { return FieldSignature }

// ArrayPositions implements document.Field.
func (f *sigField) ArrayPositions() []uint64 { return nil }

// Options implements document.Field: indexed, kept as doc values.
func (f *sigField) Options() index.FieldIndexingOptions { return facetOptions }

// Analyze implements document.Field.
func (f *sigField) Analyze() {
	s := signatureFrom(func(field string, counts map[string]int) {
		clear(counts)
		for _, p := range f.parts {
			if p.Name() != field {
				continue
			}
			for term, tf := range p.AnalyzedTokenFrequencies() {
				if usefulTerm(term) && !isPair(tf.Term) {
					counts[term] += tf.Frequency()
				}
			}
		}
		if field != FieldRCA {
			return
		}
		for _, sec := range f.d.Sections {
			if strings.TrimSpace(sec.Title) == "" {
				continue // joinNonEmpty left it out
			}
			for _, t := range f.an.Analyze([]byte(sec.Title)) {
				if term := string(t.Term); counts[term] > 0 {
					if counts[term]--; counts[term] == 0 {
						delete(counts, term)
					}
				}
			}
		}
	})
	terms := sigTermsOf(f.d, s)
	f.freqs = make(index.TokenFrequencies, len(terms))
	for _, t := range terms {
		tf := &index.TokenFreq{Term: []byte(t)}
		tf.SetFrequency(1)
		f.freqs[t] = tf
	}
	f.parts = nil // analysed: the parts are the document's to free
}

// Value implements document.Field.
func (f *sigField) Value() []byte { return nil }

// NumPlainTextBytes implements document.Field.
func (f *sigField) NumPlainTextBytes() uint64 { return 0 }

// Size implements document.Field (bleve's estimate of memory held).
func (f *sigField) Size() int { return 64 + f.freqs.Size() }

// EncodedFieldType implements document.Field: a text field.
func (f *sigField) EncodedFieldType() byte { return 't' }

// AnalyzedLength implements document.Field.
func (f *sigField) AnalyzedLength() int { return len(f.freqs) }

// AnalyzedTokenFrequencies implements document.Field.
func (f *sigField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// parseSigWord splits a word term's body ("<word> <weight in sigUnits>").
func parseSigWord(body []byte) ([]byte, sigQ, bool) {
	i := bytes.LastIndexByte(body, ' ')
	if i <= 0 {
		return nil, 0, false
	}
	q, err := strconv.ParseUint(string(body[i+1:]), 10, 8)
	if err != nil || q == 0 {
		return nil, 0, false
	}
	return body[:i], sigQ(q), true
}
