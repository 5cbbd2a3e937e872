package search

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// queryBuilder turns a parsed Query into bleve queries, analysing words
// with the index's text analyzer.
type queryBuilder struct {
	an analysis.Analyzer
	// legacy builds queries for a generation of the shape before fieldAll
	// (see legacyShape).
	legacy bool
	// fuzzy holds the search's Levenshtein automata (nil: bleve builds
	// its own for every lookup).
	fuzzy *fuzzyCache
}

func (ix *Index) builder() queryBuilder {
	return queryBuilder{an: ix.im.AnalyzerNamed(AnalyzerText)}
}

// builderFor is the query builder for a generation, in its shape.
func (ix *Index) builderFor(idx *shardIndex) queryBuilder {
	b := ix.builder()
	b.legacy = legacyShape(idx.version)
	return b
}

// positions analyses s into its terms grouped by position: one group per
// word, holding the word and — for an identifier — its first part, so a
// multi-phrase over the groups finds the identifier whole or within a
// longer one.
func (b queryBuilder) positions(s string) [][]string {
	ts := b.an.Analyze([]byte(s))
	var out [][]string
	last := -1
	for _, t := range ts {
		if len(t.Term) == 0 {
			continue
		}
		if t.Position != last || len(out) == 0 {
			out = append(out, nil)
			last = t.Position
		}
		g := &out[len(out)-1]
		add := func(term string) {
			for _, x := range *g {
				if x == term {
					return
				}
			}
			*g = append(*g, term)
		}
		add(string(t.Term))
		// The word as typed, lower-cased, too: an identifier in a text is
		// indexed whole and unstemmed ("ZooKeeper" as zookeeper), while the
		// same word typed plainly is stemmed (zookeep).
		if t.Start >= 0 && t.End <= len(s) && t.Start < t.End {
			add(strings.ToLower(s[t.Start:t.End]))
		}
	}
	return out
}

// fuzziness is how many edits a fuzzy term may differ by: none for short
// words (too many false friends), one up to five letters, two beyond —
// and none past maxFuzzyRunes. Fuzzy matching is only the fallback when
// exact matching found little.
func fuzziness(term string) int {
	switch n := utf8.RuneCountInString(term); {
	case n < 4, n > maxFuzzyRunes:
		return 0
	case n < 6:
		return 1
	}
	return 2
}

// maxFuzzyRunes is the longest word matched with typos. A word that long
// is an identifier or a pasted token, typed whole rather than misspelled,
// and the automaton of a word of some 600 letters is past what vellum
// builds (a search failed with "dfa contains more than 10000 states").
const maxFuzzyRunes = 40

// wordIn is one word or phrase in one text field.
func (b queryBuilder) wordIn(field string, groups [][]string, fuzzy bool) query.Query {
	boost, ok := textBoosts[field]
	if !ok {
		boost = 1
	}
	if len(groups) == 1 {
		alts := make([]query.Query, 0, len(groups[0])*2)
		// Typos are judged by the longest form (the word as typed): a
		// stem is shorter and a typo moves it further ("certficate" stems
		// to certfic, two edits from certif).
		fuzz, typed := 0, ""
		for _, term := range groups[0] {
			fuzz = max(fuzz, fuzziness(term))
			if utf8.RuneCountInString(term) > utf8.RuneCountInString(typed) {
				typed = term
			}
		}
		if fuzzy && b.fuzzy != nil {
			// Only the word as typed is completed: its stem begins
			// other words ("serving" stems to serv, which begins
			// servlet).
			b.fuzzy.mayComplete(typed)
		}
		for _, term := range groups[0] {
			tq := bleve.NewTermQuery(term)
			tq.SetField(field)
			tq.SetBoost(boost)
			alts = append(alts, tq)
			if f := fuzz; fuzzy && f > 0 {
				// The first letter must match (typos rarely hit it, and
				// it keeps the candidates few); a near word scores far
				// below the word itself.
				fq := bleve.NewFuzzyQuery(term)
				fq.SetField(field)
				fq.SetFuzziness(f)
				fq.SetPrefix(1)
				fq.SetBoost(boost * 0.2)
				if b.fuzzy != nil {
					alts = append(alts, &cachedFuzzy{FuzzyQuery: fq, cache: b.fuzzy})
				} else {
					alts = append(alts, fq)
				}
			}
		}
		if len(alts) == 1 {
			return alts[0]
		}
		return newSparseDisjunction(alts...)
	}
	if field == fieldAll && !b.legacy {
		return b.phraseInAll(groups, boost)
	}
	return b.pairsIn(field, groups, boost)
}

// pairsIn is a phrase (or an identifier's parts) in one text field: every
// pair of neighbouring words, matched as the pair terms the index holds —
// in fieldAll, tagged, for a field indexed without its pairs.
func (b queryBuilder) pairsIn(field string, groups [][]string, boost float64) query.Query {
	in, tagged := field, false
	if _, ok := pairlessFields[field]; ok && !b.legacy {
		in, tagged = fieldAll, true
	}
	pairs := make([]query.Query, 0, len(groups)-1)
	for i := 0; i+1 < len(groups); i++ {
		var alts []query.Query
		for _, x := range groups[i] {
			for _, y := range groups[i+1] {
				t := x + pairSep + y
				if tagged {
					t = pairTerm(field, t)
				}
				tq := bleve.NewTermQuery(t)
				tq.SetField(in)
				tq.SetBoost(boost)
				alts = append(alts, tq)
			}
		}
		pairs = append(pairs, newSparseDisjunction(alts...))
	}
	if len(pairs) == 1 {
		return pairs[0]
	}
	return bleve.NewConjunctionQuery(pairs...)
}

// phraseInAll is a phrase typed without a field. One pair is looked up in
// fieldAll plain (the short fields' and labels' pairs) and tagged with each
// long field. A longer phrase must have all its pairs in one field, so it
// is a phrase of one of the text fields (each of its own pairs), as before
// fieldAll.
func (b queryBuilder) phraseInAll(groups [][]string, boost float64) query.Query {
	if len(groups) > 2 {
		alts := make([]query.Query, 0, len(textFields))
		for _, f := range textFields {
			alts = append(alts, b.pairsIn(f, groups, textBoosts[f]))
		}
		return newSparseDisjunction(alts...)
	}
	var alts []query.Query
	for _, x := range groups[0] {
		for _, y := range groups[1] {
			pair := x + pairSep + y
			tq := bleve.NewTermQuery(pair)
			tq.SetField(fieldAll)
			tq.SetBoost(boost)
			alts = append(alts, tq)
			for _, f := range []string{FieldTimeline, FieldRCA, FieldActions} {
				tq := bleve.NewTermQuery(pairTerm(f, pair))
				tq.SetField(fieldAll)
				tq.SetBoost(boost)
				alts = append(alts, tq)
			}
		}
	}
	return newSparseDisjunction(alts...)
}

// labelWordFields holds, for the label fields, the field of their words.
var labelWordFields = map[string]string{FieldServices: FieldServiceWords, FieldTags: FieldTagWords}

// term is one Term as a query (nil when it holds nothing searchable, such
// as a stop word).
func (b queryBuilder) term(t Term, fuzzy bool) query.Query {
	if t.Field != "" && !IsTextField(t.Field) {
		v := normalizeKeyword(t.Value)
		if v == "" {
			return nil
		}
		tq := bleve.NewTermQuery(v)
		tq.SetField(t.Field)
		// A typed service:s3 or tag:east also finds "Amazon S3" and
		// "us east": people type a word of the name.
		if wf, ok := labelWordFields[t.Field]; ok && !strings.ContainsAny(v, " ") {
			wq := bleve.NewTermQuery(v)
			wq.SetField(wf)
			wq.SetBoost(0.5)
			return bleve.NewDisjunctionQuery(tq, wq)
		}
		return tq
	}
	groups := b.positions(t.Value)
	if len(groups) == 0 {
		return nil
	}
	if t.Field != "" {
		return b.wordIn(t.Field, groups, fuzzy)
	}
	if b.legacy {
		return b.legacyTerm(t, groups, fuzzy)
	}
	// Every text field at once: fieldAll holds their terms, so a word is
	// matched (and counted) by one posting walk.
	all := b.wordIn(fieldAll, groups, fuzzy)
	v := normalizeKeyword(t.Value)
	if t.Phrase || v == "" {
		return all
	}
	// A key names one incident, and a service or tag is often typed as
	// its whole name (us-east-1, payments-api-v2, whose parts are no
	// phrase of any one text field): looked up whole, they match too (and
	// rank: a service beats a tag).
	must := []query.Query{all, termIn(FieldKey, v, keyBoost)}
	for _, l := range wordLabelBoosts {
		must = append(must, termIn(l.field, v, l.boost))
	}
	// fieldAll scores an incident as one long text, where a word of the
	// title weighs little more than a line of chat (BM25 saturates a
	// repeated count). The short fields that say what an incident is
	// about add their own scores, as optional clauses: they only rank what
	// the must clause matched, and their postings are short.
	should := make([]query.Query, 0, len(rankFields))
	for _, f := range rankFields {
		should = append(should, b.wordIn(f, groups, fuzzy))
	}
	return &query.BooleanQuery{Must: newSparseDisjunction(must...), Should: newSparseDisjunction(should...)}
}

// termIn is a term query for v in field with a boost.
func termIn(field, v string, boost float64) query.Query {
	tq := bleve.NewTermQuery(v)
	tq.SetField(field)
	tq.SetBoost(boost)
	return tq
}

// keyBoost is the boost of a typed word found as an incident's key.
const keyBoost = 10

// rankFields are the short text fields whose own scores rank a typed word
// on top of fieldAll's (see term).
var rankFields = []string{FieldTitle, FieldRootCauses, FieldSummary}

// wordLabelBoosts are the label fields a typed word ranks higher in when it
// is a whole value of theirs: a service beats a tag.
var wordLabelBoosts = []struct {
	field string
	boost float64
}{{FieldServices, 4}, {FieldTags, 2}}

// legacyTerm is an unfielded word in a generation without fieldAll: a
// disjunction over every text field and, unless a phrase, the key,
// services and tags, as those generations were searched.
func (b queryBuilder) legacyTerm(t Term, groups [][]string, fuzzy bool) query.Query {
	alts := make([]query.Query, 0, len(textFields)+3)
	for _, f := range textFields {
		alts = append(alts, b.wordIn(f, groups, fuzzy))
	}
	if v := normalizeKeyword(t.Value); v != "" && !t.Phrase {
		key := bleve.NewTermQuery(v)
		key.SetField(FieldKey)
		key.SetBoost(keyBoost)
		alts = append(alts, key)
		for _, l := range wordLabelBoosts {
			tq := bleve.NewTermQuery(v)
			tq.SetField(l.field)
			tq.SetBoost(l.boost)
			alts = append(alts, tq)
		}
	}
	return newSparseDisjunction(alts...)
}

// text is the query's words and phrases: every group must match (nil
// when there are none to rank by).
func (b queryBuilder) text(q Query, fuzzy bool) query.Query {
	var must []query.Query
	for _, g := range q.Groups {
		var alts []query.Query
		for _, t := range g.Terms {
			if x := b.term(t, fuzzy); x != nil {
				alts = append(alts, x)
			}
		}
		switch len(alts) {
		case 0:
		case 1:
			must = append(must, alts[0])
		default:
			must = append(must, bleve.NewDisjunctionQuery(alts...))
		}
	}
	switch len(must) {
	case 0:
		return nil
	case 1:
		return must[0]
	}
	return bleve.NewConjunctionQuery(must...)
}

// anyOf is the query's groups as alternatives: an incident needs one of
// them, and ranks higher the more it has.
func (b queryBuilder) anyOf(q Query) query.Query {
	var alts []query.Query
	for _, g := range q.Groups {
		if x := b.text(Query{Groups: []Group{g}}, false); x != nil {
			alts = append(alts, x)
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// exclusions are the query's -terms.
func (b queryBuilder) exclusions(q Query) []query.Query {
	var out []query.Query
	for _, t := range q.Not {
		if x := b.term(t, false); x != nil {
			out = append(out, x)
		}
	}
	return out
}

// filters are the request's filters and the query's dates.
func (b queryBuilder) filters(f Filters, q Query) []query.Query {
	var out []query.Query
	anyOf := func(field string, vals []string) {
		var alts []query.Query
		for _, v := range vals {
			if v = normalizeKeyword(v); v != "" {
				tq := bleve.NewTermQuery(v)
				tq.SetField(field)
				alts = append(alts, tq)
			}
		}
		switch len(alts) {
		case 0:
		case 1:
			out = append(out, alts[0])
		default:
			out = append(out, bleve.NewDisjunctionQuery(alts...))
		}
	}
	anyOf(FieldServices, f.Services)
	anyOf(FieldSeverity, normalizeSeverities(f.Severities))
	anyOf(FieldStatus, f.Statuses)
	anyOf(FieldTags, f.Tags)
	anyOf(FieldTeams, f.Teams)
	anyOf(FieldCategories, f.Categories)
	if f.Published != nil {
		anyOf(FieldPublished, []string{boolKeyword(*f.Published)})
	}
	after, before := laterOf(f.After, q.After), earlierOf(f.Before, q.Before)
	if after != nil || before != nil {
		var from, to time.Time
		if after != nil {
			from = after.UTC()
		}
		if before != nil {
			to = before.UTC()
		}
		yes, no := true, false
		dq := bleve.NewDateRangeInclusiveQuery(from, to, &yes, &no)
		dq.SetField(FieldWhen)
		out = append(out, dq)
	}
	return out
}

// normalizeSeverities reads "1", "SEV-1" and "sev1" alike.
func normalizeSeverities(vals []string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		v = strings.ToLower(strings.TrimSpace(v))
		v = strings.ReplaceAll(strings.ReplaceAll(v, "-", ""), " ", "")
		if len(v) == 1 && v[0] >= '0' && v[0] <= '9' {
			v = "sev" + v
		}
		out = append(out, v)
	}
	return out
}

func laterOf(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}

func earlierOf(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

// visibility is what the viewer may not see, as a query to exclude (nil
// for a viewer who sees everything): the restricted incidents, except those
// open to one of the viewer's principals. Restricted incidents are few, so
// excluding them costs far less than filtering on the many others.
func (b queryBuilder) visibility(v Viewer) query.Query {
	if v.All {
		return nil
	}
	restricted := bleve.NewTermQuery(boolKeyword(true))
	restricted.SetField(FieldRestricted)
	open := opening(v)
	if len(open) == 0 {
		return restricted
	}
	hidden := bleve.NewBooleanQuery()
	hidden.AddMust(restricted)
	hidden.AddMustNot(open...)
	return hidden
}

// opening is the queries for restricted incidents open to one of v's
// principals.
func opening(v Viewer) []query.Query {
	var open []query.Query
	for _, p := range v.Principals {
		if p = normalizeKeyword(p); p != "" && p != accessAll {
			tq := bleve.NewTermQuery(p)
			tq.SetField(FieldAccess)
			open = append(open, tq)
		}
	}
	return open
}

// combine is text AND every filter AND NOT any exclusion or hidden
// incident. Filters are a bleve filter: they keep documents without scoring
// them.
func (b queryBuilder) combine(text query.Query, not, filters []query.Query, hidden query.Query) query.Query {
	if text != nil && len(not) == 0 && len(filters) == 0 && hidden == nil {
		// Alone, as is: a boolean query would wrap it in a conjunction of
		// one, a searcher more for every match to go through.
		return text
	}
	bq := bleve.NewBooleanQuery()
	if text != nil {
		bq.AddMust(text)
	} else {
		bq.AddMust(bleve.NewMatchAllQuery())
	}
	var keep []query.Query
	for _, f := range filters {
		if f != nil {
			keep = append(keep, f)
		}
	}
	if hidden != nil {
		not = append(not, hidden)
	}
	switch len(keep) {
	case 0:
	case 1:
		bq.AddFilter(keep[0])
	default:
		bq.AddFilter(bleve.NewConjunctionQuery(keep...))
	}
	if len(not) > 0 {
		bq.AddMustNot(not...)
	}
	return bq
}
