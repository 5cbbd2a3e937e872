package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Similar incidents ("more like this", which bleve has not): the source's
// words are weighted by where they appear (a title or root cause says more
// than chat) and how rare they are in the index (inverse document
// frequency), the most distinctive become one weighted query over the
// fields, with the source's services, tags and categories; published RCAs
// are preferred. Each result says why it matched.
const (
	// similarTerms is how many distinctive words the query uses.
	// (Measured on the 242 real post-mortems, make bench: more words rank
	// better — 16 scored nDCG@5 0.64, 30 0.65, 45 0.66 — and cost more.)
	similarTerms = 30
	// firstStageTerms and firstStageHits shape the first stage of the
	// query (see similar).
	// (8 words rank the 242 post-mortems as well as 10, 6 a little worse.)
	firstStageTerms = 8
	firstStageHits  = 100
	// firstStageTimelineShare: a word in at most 1/share of the incidents
	// is looked up in the timelines in the first stage.
	firstStageTimelineShare = 100
	// timelineCommonFrom and timelineShare: in an index of at least
	// timelineCommonFrom incidents, the second stage looks a word up in
	// the timelines only when at most 1/timelineShare of them hold it.
	timelineCommonFrom = 10_000
	timelineShare      = 20
	// rareDocs is the document frequency at or below which a word's rarity
	// is counted over the incidents the viewer may see (see distinctive).
	rareDocs = 5
	// similarCandidates bounds the words whose rarity is looked up.
	similarCandidates = 120
	// publishedBoost favours incidents whose RCA is published: they have
	// the answer.
	publishedBoost = 1.15
	// DefaultSimilar is how many similar incidents are returned by default.
	DefaultSimilar = 5
	// MaxSimilar bounds them.
	MaxSimilar = 50
)

// sourceWeights weigh a word by the field of the source it was found in.
var sourceWeights = map[string]float64{
	FieldTitle:      3,
	FieldRootCauses: 3,
	FieldSummary:    2,
	FieldRCA:        1,
	FieldActions:    1,
	FieldTimeline:   0.4,
}

// targetBoosts weigh a match by the field of the candidate it is in. A
// candidate's timeline is not searched: what a past incident was about is
// in its title, summary, root causes and RCA, and the long postings of chat
// would make the query several times slower for little.
var targetBoosts = map[string]float64{
	FieldTitle:      3,
	FieldRootCauses: 3,
	FieldSummary:    2,
	FieldRCA:        1,
	FieldActions:    1,
	FieldTimeline:   0.4,
}

// dfFields are the fields a word's rarity is counted in (the long ones).
var dfFields = []string{FieldRCA, FieldTitle, FieldSummary, FieldTimeline}

// targetFields are targetBoosts' fields in a stable order.
var targetFields = []string{FieldTitle, FieldRootCauses, FieldSummary, FieldRCA, FieldActions, FieldTimeline}

// profile is what a similar-incident query is made from.
type profile struct {
	id         int64
	texts      map[string][]string // text field → texts
	services   []string
	tags       []string
	categories []string
	teams      []string
	// binary counts each word once: in a short pasted text, repeating a
	// word says little.
	binary bool
}

// Similar returns the incidents most like the request's incident (its
// document as indexed, or req.Doc when given) or text, best first, each
// with its reasons, never the incident itself, and only what the viewer
// may see.
func (ix *Index) Similar(ctx context.Context, req SimilarRequest) ([]Similar, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = DefaultSimilar
	}
	limit = min(limit, MaxSimilar)
	var out []Similar
	err := ix.reader(func(idx *shardIndex) error {
		idx = idx.forViewer(ctx, req.Viewer)
		var p profile
		switch {
		case req.Doc != nil:
			p = profileOfDoc(req.Doc)
		case req.ID != 0:
			var err error
			if p, err = profileOfIndexed(idx, req.ID); err != nil {
				return err
			}
		default:
			p = profile{texts: map[string][]string{FieldSummary: {req.Text}}, binary: true}
		}
		var err error
		out, err = ix.similar(ctx, idx, p, req.Viewer, limit)
		return err
	})
	return out, err
}

// profileOfDoc reads a Doc.
func profileOfDoc(d *Doc) profile {
	p := profile{id: d.ID, texts: map[string][]string{}, services: d.Services, tags: d.Tags,
		categories: d.Categories(), teams: d.Teams}
	p.texts[FieldTitle] = []string{d.Title}
	p.texts[FieldSummary] = []string{d.Summary, d.CustomerImpact}
	for _, s := range d.Sections {
		p.texts[FieldRCA] = append(p.texts[FieldRCA], s.Body)
	}
	for _, rc := range d.RootCauses {
		p.texts[FieldRootCauses] = append(p.texts[FieldRootCauses], rc.Description)
	}
	for _, a := range d.Actions {
		p.texts[FieldActions] = append(p.texts[FieldActions], a.Title+"\n"+a.Description)
	}
	for _, e := range d.Events {
		p.texts[FieldTimeline] = append(p.texts[FieldTimeline], e.Body)
	}
	return p
}

// profileOfIndexed reads an incident's stored fields.
func profileOfIndexed(idx bleve.Index, id int64) (profile, error) {
	doc, err := idx.Document(docID(id))
	if err != nil {
		return profile{}, fmt.Errorf("search: read incident %d: %w", id, err)
	}
	if doc == nil {
		return profile{}, incident.NotFound("incident", strconv.FormatInt(id, 10))
	}
	p := profile{id: id, texts: map[string][]string{}}
	doc.VisitFields(func(f index.Field) {
		v := string(f.Value())
		switch name := f.Name(); name {
		case FieldServices:
			p.services = append(p.services, v)
		case FieldTags:
			p.tags = append(p.tags, v)
		case FieldCategories:
			p.categories = append(p.categories, v)
		case FieldTeams:
			p.teams = append(p.teams, v)
		default:
			if IsTextField(name) {
				p.texts[name] = append(p.texts[name], v)
			}
		}
	})
	return p, nil
}

// weighted is a candidate word: its term, how it was written, and weights.
type weighted struct {
	term    string
	surface string
	tf      float64
	weight  float64
	df      uint64
}

// distinctive picks the profile's most distinctive terms.
//
// visible, when not nil, counts the incidents the viewer may see that hold
// a word: a rare word's rarity is taken from those alone, so what a viewer
// may not see cannot change their results (a word found only in hidden
// incidents is not used).
func (ix *Index) distinctive(ctx context.Context, idx *shardIndex, p profile, visible func(term string) (uint64, error)) ([]weighted, error) {
	an := ix.im.AnalyzerNamed(AnalyzerText)
	// cands are words and whole identifiers; parts holds, for each whole
	// identifier, the weight its parts would add. An identifier counts as
	// itself when other incidents have it, else by its parts — never both
	// ("pager", "duty" and "pagerduty" would count PagerDuty thrice).
	cands := map[string]*weighted{}
	parts := map[string]map[string]*weighted{}
	note := func(m map[string]*weighted, term, surface string) *weighted {
		c, ok := m[term]
		if !ok {
			c = &weighted{term: term, surface: surface}
			m[term] = c
		}
		return c
	}
	for field, texts := range p.texts {
		w := sourceWeights[field]
		counts := map[*weighted]int{}
		for _, text := range texts {
			whole, wholeEnd := "", -1
			for _, t := range an.Analyze([]byte(text)) {
				term := string(t.Term)
				inside := t.Start < wholeEnd
				if t.KeyWord && !inside {
					whole, wholeEnd = term, t.End
				}
				if !usefulTerm(term) {
					continue
				}
				surface := strings.ToLower(text[t.Start:t.End])
				switch {
				case inside:
					if parts[whole] == nil {
						parts[whole] = map[string]*weighted{}
					}
					counts[note(parts[whole], term, surface)]++
				default:
					counts[note(cands, term, surface)]++
				}
			}
		}
		for c, n := range counts {
			if p.binary {
				n = 1
			}
			c.tf += w * (1 + math.Log(float64(n)))
		}
	}
	top := func(m map[string]*weighted) []*weighted {
		list := make([]*weighted, 0, len(m))
		for _, c := range m {
			list = append(list, c)
		}
		sort.Slice(list, func(i, j int) bool {
			if list[i].tf != list[j].tf {
				return list[i].tf > list[j].tf
			}
			return list[i].term < list[j].term
		})
		return list[:min(len(list), similarCandidates)]
	}
	list := top(cands)

	rs, err := idx.readers()
	if err != nil {
		return nil, err
	}
	defer closeReaders(rs)
	var n uint64
	for _, r := range rs {
		c, err := r.DocCount()
		if err != nil {
			return nil, err
		}
		n += c
	}
	N := float64(max(n, 1))
	// A word's document frequency is its largest over the fields, each
	// summed over the shards.
	docFreq := func(term string) (uint64, error) {
		df := uint64(0)
		for _, f := range dfFields {
			var c uint64
			for _, r := range rs {
				tfr, err := r.TermFieldReader(ctx, []byte(term), f, false, false, false)
				if err != nil {
					return 0, err
				}
				c += tfr.Count()
				tfr.Close()
			}
			df = max(df, c)
		}
		return df, nil
	}
	byTerm := map[string]*weighted{}
	var unknownWholes []string
	weigh := func(c *weighted) error {
		df, err := docFreq(c.term)
		if err != nil || df == 0 {
			return err
		}
		if visible != nil && df <= rareDocs {
			if df, err = visible(c.term); err != nil || df == 0 {
				return err
			}
		}
		idf := math.Log(1 + (N-float64(df)+0.5)/(float64(df)+0.5))
		if prev, ok := byTerm[c.term]; ok {
			prev.tf += c.tf
			prev.weight = prev.tf * idf
			return nil
		}
		c.weight, c.df = c.tf*idf, df
		byTerm[c.term] = c
		return nil
	}
	for _, c := range list {
		before := len(byTerm)
		if err := weigh(c); err != nil {
			return nil, err
		}
		if len(byTerm) == before && parts[c.term] != nil {
			unknownWholes = append(unknownWholes, c.term) // nobody else has it whole
		}
	}
	for _, w := range unknownWholes {
		for _, c := range top(parts[w]) {
			if err := weigh(c); err != nil {
				return nil, err
			}
		}
	}
	// Words most incidents have are left out when enough others remain:
	// their long postings would make the query slow at scale for little
	// (nDCG@5 on the real post-mortems 0.652 with them, 0.65 without).
	common := func(c *weighted) bool { return N >= 50 && float64(c.df) > commonShare*N }
	out := make([]weighted, 0, len(byTerm))
	var dropped []weighted
	for _, c := range byTerm {
		if common(c) {
			dropped = append(dropped, *c)
			continue
		}
		out = append(out, *c)
	}
	if len(out) < 5 {
		out = append(out, dropped...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].weight != out[j].weight {
			return out[i].weight > out[j].weight
		}
		return out[i].term < out[j].term
	})
	return out[:min(len(out), similarTerms)], nil
}

// boilerplate are words of alert and chat formats that say nothing about
// what went wrong (as analysed: stemmed).
// (Built on first use: the analyzers are registered by init functions,
// which run after package variables are initialised.)
var boilerplate = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"firing", "fired", "resolved", "triggered", "trigger", "alert", "alerts", "alerting",
		"alarm", "warning", "critical", "info", "problem", "recovery", "severity", "status", "value", "summary",
		"description", "labels", "annotations", "instance", "job", "runbook", "url", "http", "https", "www", "com",
		"html", "org", "net", "utc", "gmt", "pst", "pdt", "est", "am", "pm", "today", "yesterday", "incident",
		"incidents", "outage", "issue", "issues", "please", "thanks", "hi", "hey", "ok", "okay", "yes", "no",
		"looking", "look", "see", "seeing", "think", "know", "just", "now", "still", "also", "get", "got",
		// Alerting and paging tools name themselves in every alert.
		"pagerduty", "opsgenie", "victorops", "prometheus", "alertmanager", "grafana", "nagios", "icinga",
		"zabbix", "zenoss", "newrelic", "datadog", "cacti", "munin", "sensu",
		// Post-mortem write-ups: where they were posted, not what happened.
		"source", "posted", "postmortem", "mortem", "details", "update", "updates", "ycombinator", "news"} {
		for _, t := range AnalyzeTerms(w) {
			m[t] = true
		}
		m[w] = true
	}
	return m
})

// commonShare is the share of incidents above which a word is common.
const commonShare = 0.3

// usefulTerm keeps words that can say what an incident is about: not
// numbers, not one or two letters, not alert boilerplate.
func usefulTerm(t string) bool {
	if len(t) < 3 || boilerplate()[t] {
		return false
	}
	if strings.Contains(t, "/") {
		return false // a link or path: where something was written, not what happened
	}
	for _, r := range t {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// similarQuery is the weighted query of the terms and labels.
func similarQuery(terms []weighted, p profile) query.Query {
	return similarQueryIn(terms, p, targetFields, 0)
}

// firstStageFields are the fields the first stage looks the words up in:
// the written parts of an incident, not its long timeline.
var firstStageFields = []string{FieldTitle, FieldRootCauses, FieldSummary, FieldRCA}

// writtenFields are the target fields but the timeline.
var writtenFields = []string{FieldTitle, FieldRootCauses, FieldSummary, FieldRCA, FieldActions}

// similarQueryIn is similarQuery over some of the text fields, and over
// the timeline for the words at most timelineDocs incidents hold.
func similarQueryIn(terms []weighted, p profile, fields []string, timelineDocs uint64) query.Query {
	var alts []query.Query
	top := 1.0
	if len(terms) > 0 {
		top = terms[0].weight
	}
	for _, t := range terms {
		w := t.weight / top
		for _, f := range fields {
			tq := bleve.NewTermQuery(t.term)
			tq.SetField(f)
			tq.SetBoost(w * targetBoosts[f])
			alts = append(alts, tq)
		}
		if t.df > 0 && t.df <= timelineDocs {
			tq := bleve.NewTermQuery(t.term)
			tq.SetField(FieldTimeline)
			tq.SetBoost(w * targetBoosts[FieldTimeline])
			alts = append(alts, tq)
		}
	}
	label := func(field string, vals []string, boost float64) {
		for _, v := range vals {
			if v = normalizeKeyword(v); v != "" {
				tq := bleve.NewTermQuery(v)
				tq.SetField(field)
				tq.SetBoost(boost)
				alts = append(alts, tq)
			}
		}
	}
	label(FieldServices, p.services, 3)
	label(FieldCategories, p.categories, 2)
	label(FieldTags, p.tags, 1.5)
	label(FieldTeams, p.teams, 0.5)
	if len(alts) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// similar runs the query of a profile.
// candidateBoost is the score the second stage's candidate filter adds to
// every candidate: next to nothing, so the words alone rank them.
const candidateBoost = 1e-6

func (ix *Index) similar(ctx context.Context, idx *shardIndex, p profile, v Viewer, limit int) ([]Similar, error) {
	var visible func(string) (uint64, error)
	b := ix.builder()
	hidden := b.visibility(v)
	if hidden != nil {
		visible = func(term string) (uint64, error) {
			var alts []query.Query
			for _, f := range dfFields {
				tq := bleve.NewTermQuery(term)
				tq.SetField(f)
				alts = append(alts, tq)
			}
			q := b.combine(bleve.NewDisjunctionQuery(alts...), nil, nil, hidden)
			r, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false))
			if err != nil {
				return 0, err
			}
			return r.Total, nil
		}
	}
	terms, err := ix.distinctive(ctx, idx, p, visible)
	if err != nil {
		return nil, err
	}
	n, err := idx.DocCount()
	if err != nil {
		return nil, err
	}
	mlt := similarQuery(terms, p)
	if n >= timelineCommonFrom {
		// In a large index a common word's timeline postings are long and
		// cost most of the query while saying little (chat repeats common
		// words); only the rarer words are looked up in timelines.
		mlt = similarQueryIn(terms, p, writtenFields, n/timelineShare)
	}
	if mlt == nil {
		return []Similar{}, nil
	}
	scope := mlt
	if len(terms) > firstStageTerms && !p.binary {
		// Two stages: the most distinctive words (short postings) pick the
		// candidates, then every word ranks only those — the full query
		// over the whole index costs several times more for the same top.
		// The first stage looks the words up in the written parts, and in
		// timelines only the rare words (error codes, hosts): the common
		// words' timeline postings are most of the cost and pick the
		// same candidates. Services count; teams and categories, held
		// by thousands, would only add cost.
		pre := similarQueryIn(terms[:firstStageTerms], profile{services: p.services}, firstStageFields,
			max(n/firstStageTimelineShare, 20))
		r1, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(b.combine(pre, nil, nil, hidden), firstStageHits, 0, false))
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(r1.Hits)+1)
		for _, h := range r1.Hits {
			ids = append(ids, h.ID)
		}
		if p.id != 0 {
			ids = append(ids, docID(p.id)) // its score is what Relative divides by
		}
		// The candidates drive and the words are only looked up for them
		// (a should clause is advanced to each candidate; a conjunction
		// would also walk the words' union of postings between them).
		only := bleve.NewDocIDQuery(ids)
		only.SetBoost(candidateBoost)
		bq := bleve.NewBooleanQuery()
		bq.AddMust(only)
		bq.AddShould(mlt)
		scope = bq
	}
	full := b.combine(scope, nil, nil, hidden)
	sr := bleve.NewSearchRequestOptions(full, limit*3+1, 0, false)
	// Small fields only: the texts (for the reasons) are read for the few
	// hits kept, not for every candidate.
	sr.Fields = []string{FieldKey, FieldTitle, FieldStatus, FieldSeverity, FieldWhen, FieldPublished,
		FieldServices, FieldTags, FieldCategories, FieldTeams}
	res, err := idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, err
	}
	self := 0.0
	hits := make(bsearch.DocumentMatchCollection, 0, len(res.Hits))
	for _, h := range res.Hits {
		if p.id != 0 && h.ID == docID(p.id) {
			self = h.Score
			continue
		}
		if fieldString(h.Fields, FieldPublished) == "t" {
			h.Score *= publishedBoost
		}
		hits = append(hits, h)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	hits = hits[:min(len(hits), limit)]
	if len(hits) == 0 {
		return []Similar{}, nil
	}
	m := &matcher{an: b.an, terms: map[string]map[string]bool{}}
	surface := make(map[string]string, len(terms))
	for _, t := range terms {
		surface[t.term] = t.surface
		m.add(t.term, "", t.surface)
	}
	out := make([]Similar, 0, len(hits))
	for _, h := range hits {
		id, _ := strconv.ParseInt(h.ID, 10, 64)
		s := Similar{ID: id, Score: finite(h.Score),
			Key:      strings.ToUpper(fieldString(h.Fields, FieldKey)),
			Title:    fieldString(h.Fields, FieldTitle),
			Status:   fieldString(h.Fields, FieldStatus),
			Severity: strings.ToUpper(fieldString(h.Fields, FieldSeverity)),
		}
		s.Published = fieldString(h.Fields, FieldPublished) == "t"
		if t, ok := parseWhen(fieldString(h.Fields, FieldWhen)); ok {
			s.StartedAt = &t
		}
		if self > 0 {
			s.Relative = math.Min(1, h.Score/self)
		}
		texts, err := targetTexts(idx, h.ID)
		if err != nil {
			return nil, err
		}
		s.Reasons = reasons(p, h, m.found(texts), terms, surface)
		out = append(out, s)
	}
	return out, nil
}

// targetTexts reads the texts of an incident's fields the similar query
// searched.
func targetTexts(idx bleve.Index, id string) (map[string][]string, error) {
	doc, err := idx.Document(id)
	if err != nil || doc == nil {
		return nil, err
	}
	out := map[string][]string{}
	doc.VisitFields(func(f index.Field) {
		if _, ok := targetBoosts[f.Name()]; ok {
			out[f.Name()] = append(out[f.Name()], string(f.Value()))
		}
	})
	return out, nil
}

// reasons says why a hit is like the profile: the distinctive words both
// have (strongest first) and the labels they share.
func reasons(p profile, h *bsearch.DocumentMatch, matched map[string]bool, terms []weighted, surface map[string]string) []Reason {
	var out []Reason
	var words []string
	for _, t := range terms {
		if matched[t.term] && len(words) < 8 {
			words = append(words, surface[t.term])
		}
	}
	if len(words) > 0 {
		out = append(out, Reason{Kind: ReasonTerms, Values: words, Text: "Both mention " + joinAnd(words)})
	}
	shared := func(kind, field string, mine []string, what string) {
		var vals []string
		theirs := map[string]bool{}
		for _, v := range fieldStrings(h.Fields, field) {
			theirs[normalizeKeyword(v)] = true
		}
		seen := map[string]bool{}
		for _, v := range mine {
			n := normalizeKeyword(v)
			if n != "" && theirs[n] && !seen[n] {
				seen[n] = true
				vals = append(vals, strings.TrimSpace(v))
			}
		}
		if len(vals) > 0 {
			label := what
			if len(vals) > 1 {
				label = plural[what]
			}
			out = append(out, Reason{Kind: kind, Values: vals, Text: "Same " + label + ": " + strings.Join(vals, ", ")})
		}
	}
	shared(ReasonService, FieldServices, p.services, "service")
	shared(ReasonCategory, FieldCategories, p.categories, "root-cause category")
	shared(ReasonTag, FieldTags, withoutCategoryTags(p.tags), "tag")
	shared(ReasonTeam, FieldTeams, p.teams, "team")
	if out == nil {
		out = []Reason{}
	}
	return out
}

var plural = map[string]string{"service": "services", "root-cause category": "root-cause categories",
	"tag": "tags", "team": "teams"}

// withoutCategoryTags drops the category: tags (counted as categories).
func withoutCategoryTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !isCategoryTag(t) {
			out = append(out, t)
		}
	}
	return out
}

func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
