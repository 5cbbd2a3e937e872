package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Similar incidents ("more like this", which bleve has not): the source's
// words are weighted by where they appear (a title or root cause says more
// than chat) and how rare they are (inverse document frequency), and the
// most distinctive, with the source's services, tags and categories, score
// every incident by what its signature holds of them (similar_signature.go:
// its most telling written words, read into memory per segment, so a
// query touches none of the index's postings); the best few are ranked
// again by how much of their whole text is about the source's words
// (similar_rerank.go); published RCAs are preferred. Each result says why
// it matched.
//
// (Measured on the 242 real post-mortems, searchload -sizes 0: nDCG@5
// of the even- and odd-numbered halves 0.651 and 0.642 before the
// re-ranking, the rarity counted without the incident itself, the square
// root of the rarity as boost and 40 words; 0.667 and 0.677 with them,
// over the index's postings; 0.679 and 0.671 over the signatures.)
const (
	// similarTerms is how many distinctive words score the incidents.
	// (With the re-ranking, on the 242 post-mortems, more words rank
	// better — 30 scored nDCG@5 0.670, 40 0.676, 60 0.682 — when each
	// cost a lookup per field and candidate.)
	similarTerms = 40
	// rareDocs is the document frequency at or below which a word's rarity
	// is counted over the incidents the viewer may see (see distinctive).
	rareDocs = 5
	// similarCandidates bounds the words whose rarity is counted.
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
		out, err = ix.similar(idx, p, req.Viewer, limit)
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

// labelScale is what a shared label adds to the similar score, times its
// labelBoosts, next to the words' (each word's boost divided by the
// strongest's, times its weight in the candidate).
const labelScale = 1.0

// sourceLabels are the profile's labels as the signatures hold them.
func sourceLabels(p profile) []string {
	var out []string
	seen := map[string]bool{}
	add := func(kind byte, vals []string) {
		for _, v := range vals {
			if v = normalizeKeyword(v); v != "" && !seen[string(kind)+v] {
				seen[string(kind)+v] = true
				out = append(out, string(kind)+v)
			}
		}
	}
	add(labelService, p.services)
	add(labelCategory, p.categories)
	add(labelTag, p.tags)
	add(labelTeam, p.teams)
	return out
}

// candidate is a document the similar score found.
type candidate struct {
	ref   docRef
	id    int64
	score float64 // the similar score (see similar)
	final float64
	cos   float64
	// matched are the candidate's weights of the source's words.
	matched map[string]float64
}

// similar ranks the incidents of idx like the profile, from the
// signatures alone: the score of an incident is what its signature holds
// of the profile's most distinctive words (each word's boost times its
// weight in the incident) and of its labels; the best rerankDepth are
// ranked again by the cosine of the profile's words and their whole
// written text (similar_rerank.go). What the results show comes from the
// signatures too, and only incidents the viewer may see are counted or
// ranked (the rule of queryBuilder.visibility, on each signature's
// restriction): no stored document but the source's is read.
func (ix *Index) similar(idx *shardIndex, p profile, v Viewer, limit int) ([]Similar, error) {
	view, err := ix.sigView(idx)
	if err != nil {
		return nil, err
	}
	defer view.close()
	if view.n > 0 && view.signed == 0 {
		// An index of a mapping before signatures, serving while its
		// rebuild runs: similar incidents wait for the new one.
		return nil, ErrNotReady
	}
	viewer := &v
	all := ix.distinctiveIn(view, p, viewer)
	terms := all[:min(len(all), similarTerms)]
	labels := sourceLabels(p)
	if len(terms) == 0 && len(labels) == 0 {
		return []Similar{}, nil
	}
	top := 0.0
	for _, t := range terms {
		top = max(top, t.boost)
	}
	self, hasSelf := view.find(p.id)
	if hasSelf && !view.segs[self.seg].visibleTo(self.doc, viewer) {
		hasSelf = false
	}
	src := vectorOf(ix.builder().an, p.texts, sourceRerankWeights)
	depth := max(rerankDepth, limit)
	var pool []candidate
	better := func(a, b candidate) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return a.id < b.id
	}
	for i := range view.segs {
		s := &view.segs[i]
		if len(s.sigs.ids) == 0 {
			continue
		}
		acc := make([]float32, len(s.sigs.ids))
		for _, t := range terms {
			if l := s.sigs.word(t.term); len(l.docs) > 0 {
				w := float32(t.boost / top * sigUnit)
				for k, d := range l.docs {
					acc[d] += w * float32(l.ws[k])
				}
			}
		}
		for _, lb := range labels {
			if l := s.sigs.label(lb); len(l.docs) > 0 {
				w := float32(labelBoosts[lb[0]] * labelScale)
				for _, d := range l.docs {
					acc[d] += w
				}
			}
		}
		for d, x := range acc {
			if x <= 0 {
				continue
			}
			doc := uint32(d)
			if !s.live(doc) || s.sigs.ids[d] == p.id || !s.visibleTo(doc, viewer) {
				continue
			}
			c := candidate{ref: docRef{seg: i, doc: doc}, id: s.sigs.ids[d], score: float64(x)}
			if len(pool) == depth && !better(c, pool[len(pool)-1]) {
				continue
			}
			at, _ := slices.BinarySearchFunc(pool, c, func(a, b candidate) int {
				if better(a, b) {
					return -1
				}
				return 1
			})
			pool = slices.Insert(pool, at, c)
			if len(pool) > depth {
				pool = pool[:depth]
			}
		}
	}
	if len(pool) == 0 {
		return []Similar{}, nil
	}
	rerankSigs(view, src, all, pool)
	// Incidents alike score alike (the same words in as long a text), and
	// which of them were found first depends on how the index is split:
	// the older (lower id) is listed first, so that every answer is the
	// same.
	sort.Slice(pool, func(i, j int) bool {
		if pool[i].final != pool[j].final {
			return pool[i].final > pool[j].final
		}
		return pool[i].id < pool[j].id
	})
	pool = pool[:min(len(pool), limit)]
	surface := make(map[string]string, len(terms))
	for _, t := range terms {
		surface[t.term] = t.surface
	}
	out := make([]Similar, 0, len(pool))
	for _, c := range pool {
		sg := view.segs[c.ref.seg].sigs
		sh := parseShown(sg.shown[c.ref.doc])
		s := Similar{ID: c.id, Score: finite(c.final), Key: strings.ToUpper(sh.key), Title: sh.title,
			Status: sh.status, Severity: strings.ToUpper(sh.severity), StartedAt: sh.when,
			Published: sg.flags[c.ref.doc]&flagPublished != 0}
		if hasSelf {
			s.Relative = relative(view, c.ref, src, terms, labels)
		}
		has := func(label string) bool { return sg.label(label).weight(c.ref.doc) > 0 }
		s.Reasons = reasons(p, has, c.matched, terms, surface)
		out = append(out, s)
	}
	return out, nil
}

// relative is how like the source an incident is, as a share of how like
// itself the source is (what a recurrence is told by): each word counted in the incident as much as the
// source says it, no more (its weight capped by the source's), so that
// an incident repeating the source's words in every field is not more
// like it than the source itself, and the source's own score is the best
// any incident can have. (The similar score, which ranks, counts them
// uncapped: where a candidate says a word tells what it is about. Its
// ratio to the source's own score, as Relative was, put unrelated long
// write-ups above a short live write-up's own post-mortem.)
// (On the real post-mortems, TestApp_RecurrenceThreshold: a live
// write-up's own post-mortem scores 0.87 or more, the best unrelated one
// 0.12 to 0.49, median 0.23.)
func relative(view *sigView, c docRef, src textVector, terms []weighted, labels []string) float64 {
	s := &view.segs[c.seg]
	got, ideal := 0.0, 0.0
	for _, t := range terms {
		most := float64(sigQuantum(src.weights[t.term])) * sigUnit
		// Each word by how distinctive it is (tf·idf, as the words are
		// chosen: rather than the boost, which counts the rarity less,
		// the words many incidents share would make unrelated ones look
		// alike — on the real post-mortems, TestApp_RecurrenceThreshold's
		// best unrelated scored up to 0.50 with the boosts).
		w := t.weight / terms[0].weight
		ideal += w * most
		got += w * min(s.sigs.word(t.term).weight(c.doc), most)
	}
	// A shared label counts as much as one of the words, the strongest
	// (a service's boost, 3) or less: in a short write-up, a service shared
	// with the incidents of the same team would otherwise be most of it.
	word := 0.0
	if len(terms) > 0 {
		word = ideal / float64(len(terms))
	}
	for _, lb := range labels {
		w := labelBoosts[lb[0]] / labelBoosts[labelService] * word
		ideal += w
		if s.sigs.label(lb).weight(c.doc) > 0 {
			got += w
		}
	}
	if ideal == 0 {
		return 0
	}
	return math.Min(1, got/ideal)
}
