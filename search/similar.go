package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

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
// fields, with the source's services, tags and categories; the best few
// are ranked again by how much of their whole text is about the source's
// words (similar_rerank.go); published RCAs are preferred. Each result
// says why it matched.
//
// (Measured on the 242 real post-mortems, searchload -sizes 0: nDCG@5
// of the even- and odd-numbered halves 0.651 and 0.642 before the
// re-ranking, the rarity counted without the incident itself, the square
// root of the rarity as boost and 40 words; 0.667 and 0.677 with them.)
const (
	// similarTerms is how many distinctive words the query uses.
	// (With the re-ranking, on the 242 post-mortems, more words rank
	// better — 30 scored nDCG@5 0.670, 40 0.676, 60 0.682 — and each
	// costs a lookup per field and candidate.)
	similarTerms = 40
	// firstStageTerms and firstStageHits shape the first stage of the
	// query (see similar).
	// (8 words rank the 242 post-mortems better than 5 or 6. 30
	// candidates rank them as well as 50 or 100 — nDCG@5 0.003 lower —
	// and the second stage, which looks every word up for each candidate,
	// costs as many times less at 100k.)
	firstStageTerms = 8
	firstStageHits  = 30
	// firstStageLongShare: a word in at most 1/share of the incidents is
	// looked up in the long fields, RCAs and timelines, in the first
	// stage. (A common word's RCA postings were a third of the first
	// stage's time at 100k incidents; from 1/20 to 1/100 of them, the five
	// found stayed the same for 95% of 200 incidents, p50 0.9x.)
	firstStageLongShare = 100
	// timelineCommonFrom and timelineShare: in an index of at least
	// timelineCommonFrom incidents, the second stage looks a word up in
	// the timelines only when at most 1/timelineShare of them hold it, as
	// the first stage does. (A candidate's words are looked up by skipping
	// through their postings to it, which costs as much as the postings
	// are dense: at 100k incidents, 1/20 instead of 1/100 made similar
	// incidents a quarter slower.)
	timelineCommonFrom = 10_000
	timelineShare      = 100
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
	// indexed says the index holds the profile's incident (read from it,
	// or a fresher document of it): its words are counted in their
	// document frequencies.
	indexed bool
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
			if p.id != 0 {
				var err error
				if p.indexed, err = holds(ctx, idx, p.id); err != nil {
					return err
				}
			}
		case req.ID != 0:
			// The viewer may see some restricted incidents and still not
			// this one: only one it may see is read.
			if err := ix.visibleTo(ctx, idx, req.ID, req.Viewer); err != nil {
				return err
			}
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

// hitID is the incident id of a hit.
func hitID(h *bsearch.DocumentMatch) int64 {
	id, _ := strconv.ParseInt(h.ID, 10, 64)
	return id
}

// holds reports whether the index holds incident id.
func holds(ctx context.Context, idx bleve.Index, id int64) (bool, error) {
	r, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewDocIDQuery([]string{docID(id)}), 0, 0, false))
	if err != nil {
		return false, fmt.Errorf("search: look for incident %d: %w", id, err)
	}
	return r.Total > 0, nil
}

// visibleTo is nil when v may see the incident id, else its NotFound (the
// same answer as for an incident that does not exist).
func (ix *Index) visibleTo(ctx context.Context, idx bleve.Index, id int64, v Viewer) error {
	hidden := ix.builder().visibility(v)
	if hidden == nil {
		return nil
	}
	q := ix.builder().combine(bleve.NewDocIDQuery([]string{docID(id)}), nil, nil, hidden)
	r, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false))
	if err != nil {
		return fmt.Errorf("search: look for incident %d: %w", id, err)
	}
	if r.Total == 0 {
		return incident.NotFound("incident", strconv.FormatInt(id, 10))
	}
	return nil
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
	p := profile{id: id, texts: map[string][]string{}, indexed: true}
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

// similarQuery is the weighted query of the terms and labels.
func similarQuery(terms []weighted, p profile) query.Query {
	return similarQueryIn(terms, p, targetFields, 0)
}

// firstStageFields are the fields the first stage looks every word up in:
// the short written parts of an incident (the RCA and the timeline only
// for the rarer words, see similar).
var firstStageFields = []string{FieldTitle, FieldRootCauses, FieldSummary}

// writtenFields are the target fields but the timeline.
var writtenFields = []string{FieldTitle, FieldRootCauses, FieldSummary, FieldRCA, FieldActions}

// similarQueryIn is similarQuery over some of the text fields, and over
// the timeline for the words at most timelineDocs incidents hold.
func similarQueryIn(terms []weighted, p profile, fields []string, timelineDocs uint64) query.Query {
	return similarQueryRare(terms, p, fields, map[string]uint64{FieldTimeline: timelineDocs})
}

// rareFields are the fields similarQueryRare looks only the rarer words
// up in.
var rareFields = []string{FieldRCA, FieldTimeline}

// similarQueryRare is similarQuery over some of the text fields, and over
// each of rareFields in rare for the words at most rare[field] incidents
// hold.
func similarQueryRare(terms []weighted, p profile, fields []string, rare map[string]uint64) query.Query {
	var alts []query.Query
	top := 0.0
	for _, t := range terms {
		top = max(top, t.boost)
	}
	for _, t := range terms {
		w := t.boost / top
		for _, f := range fields {
			tq := bleve.NewTermQuery(t.term)
			tq.SetField(f)
			tq.SetBoost(w * targetBoosts[f])
			alts = append(alts, tq)
		}
		for _, f := range rareFields {
			if maxDocs, ok := rare[f]; ok && t.df > 0 && t.df <= maxDocs {
				tq := bleve.NewTermQuery(t.term)
				tq.SetField(f)
				tq.SetBoost(w * targetBoosts[f])
				alts = append(alts, tq)
			}
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

// candidateBoost is the score the second stage's candidate filter adds to
// every candidate: next to nothing, so the words alone rank them.
const candidateBoost = 1e-6

// similar runs the query of a profile.
func (ix *Index) similar(ctx context.Context, idx *shardIndex, p profile, v Viewer, limit int) ([]Similar, error) {
	var visible func(string) (uint64, error)
	b := ix.builder()
	hidden := b.visibility(v)
	if hidden != nil {
		visible = func(term string) (uint64, error) {
			var alts []query.Query
			for _, f := range visibleFields {
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
	all, err := ix.distinctive(ctx, idx, p, visible)
	if err != nil {
		return nil, err
	}
	terms := all[:min(len(all), similarTerms)]
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
		// Two stages: the most distinctive words pick the candidates, then
		// every word ranks only those — the full query over the whole
		// index costs several times more for the same top. The first
		// stage looks the words up in the short written parts, and in
		// RCAs and timelines only the rarer words (error codes, hosts,
		// products): the common words' long postings there are most of
		// the cost and pick the same candidates. Services count; teams
		// and categories, held by thousands, would only add cost.
		pre := similarQueryRare(terms[:firstStageTerms], profile{services: p.services}, firstStageFields,
			map[string]uint64{FieldTimeline: max(n/firstStageLongShare, 20), FieldRCA: max(n/firstStageLongShare, 20)})
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
	depth := max(rerankDepth, limit)
	sr := bleve.NewSearchRequestOptions(b.combine(scope, nil, nil, hidden), max(limit*3, depth)+1, 0, false)
	// Small fields only: the texts (for the re-ranking and the reasons)
	// are read for the few best, not for every candidate.
	sr.Fields = []string{FieldKey, FieldTitle, FieldStatus, FieldSeverity, FieldWhen, FieldPublished,
		FieldServices, FieldTags, FieldCategories, FieldTeams}
	res, err := idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, err
	}
	hits := make([]ranked, 0, len(res.Hits))
	// The query's score of the incident itself is what Relative divides
	// the query's score of the others by: how like it they are, as a share
	// of how like itself it is (what a recurrence is told by; the
	// re-ranking's scores are relative to the hits, not to the incident).
	self := 0.0
	for _, h := range res.Hits {
		if p.id != 0 && h.ID == docID(p.id) {
			self = h.Score
			continue
		}
		hits = append(hits, ranked{h: h, score: h.Score})
	}
	hits = hits[:min(len(hits), depth)]
	if len(hits) == 0 {
		return []Similar{}, nil
	}
	if err := rerank(idx, b.an, p, all, hits); err != nil {
		return nil, err
	}
	for i := range hits {
		if fieldString(hits[i].h.Fields, FieldPublished) == "t" {
			hits[i].score *= publishedBoost
		}
	}
	// Incidents alike score alike (the same words in as long a text), and
	// which of them were found first depends on how the index is split:
	// the older (lower id) is listed first, so that every answer is the
	// same.
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hitID(hits[i].h) < hitID(hits[j].h)
	})
	hits = hits[:min(len(hits), limit)]
	surface := make(map[string]string, len(terms))
	for _, t := range terms {
		surface[t.term] = t.surface
	}
	out := make([]Similar, 0, len(hits))
	for _, r := range hits {
		h := r.h
		id, _ := strconv.ParseInt(h.ID, 10, 64)
		s := Similar{ID: id, Score: finite(r.score),
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
		s.Reasons = reasons(p, h, r.vec.weights, terms, surface)
		out = append(out, s)
	}
	return out, nil
}
