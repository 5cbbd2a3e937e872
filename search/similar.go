package search

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/hindsightrca/hindsight/internal/bm25"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Similar incidents ("more like this", which bleve has not): the source's
// words are weighted by where they appear (its written vector,
// similar_vector.go: RCA and root causes above title and summary, chat a
// little) and how rare they are (inverse document frequency); its 120
// heaviest, with its services, tags and categories, score every incident
// by BM25 over its signature (similar_signature.go: its most telling
// written words, read into memory per segment, so a query touches none of
// the index's postings); published RCAs are preferred. Each result says
// why it matched: the most distinctive words both hold (distinctive) and
// the labels they share.
//
// (Measured on the 242 real post-mortems, searchload -sizes 0: nDCG@5
// of the even- and odd-numbered halves 0.667 and 0.677 with a weighted
// query over the index's fields re-ranked by a cosine; 0.679 and 0.671
// with the same over the signatures; 0.713 and 0.696 with BM25.)
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
	// similarQueryWords is how many of the source's words rank the
	// incidents. (On the 242 post-mortems the 120 heaviest ranked as well
	// as all of them, the 60 heaviest nDCG@5 0.02 less: lane P's
	// measurement, internal/bm25.)
	similarQueryWords = 120
	// publishedBoost favours incidents whose RCA is published: they have
	// the answer.
	publishedBoost = 1.15
	// DefaultSimilar is how many similar incidents are returned by default.
	DefaultSimilar = 5
	// MaxSimilar bounds them.
	MaxSimilar = 50
)

// sourceWeights weigh a word by the field of the source it was found in
// (and choose a signature's words: changing them needs a MappingVersion
// bump).
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
	// word says little. (It shapes the distinctive words — the reasons and
	// Relative — and BM25's B, pastedLengthB; the ranking query weighs a
	// pasted word by 1 + log of its count like any other, which ranked the
	// post-mortems asked by text best: nDCG@5 0.615. Review P3-10.)
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

// pastedLengthB is BM25's B (how much a long incident is discounted) for
// pasted text: a pasted alert or symptom is about one thing, and a long
// write-up holding its words among many others is less likely about it
// than a short one (TestSimilar_PastedAlertPrefersFocusedIncidentOverLongGenericOne;
// bm25.LogTF's 0.3 ranks it first). On the 242 post-mortems asked by
// title and summary: nDCG@5 0.615 (halves 0.608 / 0.621) with 0.6, 0.627
// with 0.3, 0.605 with 0.75; 0.612 before BM25.
const pastedLengthB = 0.6

// labelScale is a shared label's weight in the similar query, times its
// labelBoosts and its rarity, next to a word's (its weight in the source's
// written vector — 1 for an RCA word said once — times its rarity).
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
	// category: tags count as categories (a Doc's tags still hold them;
	// the signatures' do not).
	add(labelTag, withoutCategoryTags(p.tags))
	add(labelTeam, p.teams)
	return out
}

// candidate is a document the similar query found.
type candidate struct {
	ref   docRef
	id    int64
	score float64 // its BM25 score
	final float64 // and with publishedBoost
}

// similar ranks the incidents of idx like the profile, from the
// signatures alone: an incident's score is BM25 (bm25.LogTF) of the
// profile's heaviest words and labels (similarQuery) over its signature,
// its length the length of its whole written vector; a published RCA
// counts publishedBoost more. What the results show comes from the
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
	src := vectorOf(ix.builder().an, p.texts, sourceRerankWeights)
	query := ix.similarQuery(view, p, src, labels, viewer)
	if len(query) == 0 {
		return []Similar{}, nil
	}
	var pool []candidate
	better := func(a, b candidate) bool {
		if a.final != b.final {
			return a.final > b.final
		}
		return a.id < b.id
	}
	k1, b := bm25.LogTF.K1, bm25.LogTF.B
	if p.binary {
		b = pastedLengthB
	}
	for i := range view.segs {
		s := &view.segs[i]
		if len(s.sigs.ids) == 0 {
			continue
		}
		// BM25 (bm25.LogTF.Contribution, inlined): each document's
		// length part of the denominator once, then a few flops a
		// posting.
		normBuf, accBuf := ix.scache.floats(len(s.sigs.ids)), ix.scache.floats(len(s.sigs.ids))
		norm, acc := *normBuf, *accBuf
		for d, x := range s.sigs.norms {
			rel := 1.0
			if view.meanNorm > 0 {
				rel = float64(x) / view.meanNorm
			}
			norm[d] = float32(k1 * (1 - b + b*rel))
		}
		for _, q := range query {
			if q.label {
				for _, d := range s.sigs.label(q.Word).docs {
					acc[d] += float32(q.Weight*(k1+1)) / (1 + norm[d])
				}
				continue
			}
			l := s.sigs.word(q.Word)
			w := float32(q.Weight * (k1 + 1))
			for k, d := range l.docs {
				tf := float32(l.ws[k]) * sigUnit
				acc[d] += w * tf / (tf + norm[d])
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
			c := candidate{ref: docRef{seg: i, doc: doc}, id: s.sigs.ids[d], score: float64(x), final: float64(x)}
			if s.sigs.flags[d]&flagPublished != 0 {
				c.final *= publishedBoost
			}
			if len(pool) == limit && !better(c, pool[len(pool)-1]) {
				continue
			}
			at, _ := slices.BinarySearchFunc(pool, c, func(a, b candidate) int {
				if better(a, b) {
					return -1
				}
				return 1
			})
			pool = slices.Insert(pool, at, c)
			if len(pool) > limit {
				pool = pool[:limit]
			}
		}
		ix.scache.putFloats(normBuf)
		ix.scache.putFloats(accBuf)
	}
	if len(pool) == 0 {
		return []Similar{}, nil
	}
	surface := make(map[string]string, len(terms))
	for _, t := range terms {
		surface[t.term] = t.surface
	}
	out := make([]Similar, 0, len(pool))
	for _, c := range pool {
		sg := view.segs[c.ref.seg].sigs
		sh := sg.shown(c.ref.doc)
		s := Similar{ID: c.id, Score: finite(c.final), Key: strings.ToUpper(sh.key), Title: sh.title,
			Status: sh.status, Severity: strings.ToUpper(sh.severity), StartedAt: sh.when,
			Published: sg.flags[c.ref.doc]&flagPublished != 0}
		if p.id != 0 {
			// Of an incident (not pasted text), indexed yet or not: the
			// measure needs only its words (review P3-5).
			s.Relative = relative(view, c.ref, src, terms, labels)
		}
		has := func(label string) bool { return sg.label(label).weight(c.ref.doc) > 0 }
		matched := map[string]float64{}
		for _, t := range terms {
			if w := sg.word(t.term).weight(c.ref.doc); w > 0 {
				matched[t.term] = w
			}
		}
		s.Reasons = reasons(p, has, matched, terms, surface)
		out = append(out, s)
	}
	// The signatures' memory is unmapped once their segments are
	// collected: nothing read from it may be used after the view goes.
	runtime.KeepAlive(view)
	return out, nil
}

// simTerm is a word or label of the similar query.
type simTerm struct {
	bm25.Term
	label bool
}

// similarQuery is what ranks the incidents: the source's similarTerms
// heaviest words by their weight in its written vector (and its timeline,
// a little) times their rarity over the signatures, as bm25.QueryOfWeights
// makes them, and its labels as words of labelBoosts' weight.
// (On the 242 post-mortems, searchload -sizes 0: nDCG@5 0.704, halves
// 0.713 / 0.696, where the signature score re-ranked by a cosine over the
// words scored 0.675, 0.679 / 0.671, and BM25 over the distinctive words
// rather than the heaviest 0.687.)
func (ix *Index) similarQuery(view *sigView, p profile, src textVector, labels []string, viewer *Viewer) []simTerm {
	self, hasSelf := docRef{}, false
	if p.indexed {
		self, hasSelf = view.find(p.id)
	}
	// A word only the incident itself holds (or, of the rare ones, only
	// incidents the viewer may not see) finds nothing and is left out.
	weights := make(map[string]float64, len(src.weights))
	dfs := make(map[string]int, len(src.weights))
	for w, x := range src.weights {
		df := view.docFreq(w, self, hasSelf, nil)
		if !viewer.All && df <= rareDocs {
			df = view.docFreq(w, self, hasSelf, viewer)
		}
		if df > 0 {
			weights[w], dfs[w] = x, int(df)
		}
	}
	q := bm25.QueryOfWeights(weights, bm25.Corpus{Docs: int(view.n), DocFreq: func(w string) int { return dfs[w] }}, similarQueryWords)
	out := make([]simTerm, 0, len(q)+len(labels))
	for _, t := range q {
		out = append(out, simTerm{Term: t})
	}
	for _, lb := range labels {
		// A rare label's rarity is counted over what the viewer may see,
		// as a rare word's: a label only hidden incidents hold is left out
		// (review P3-7).
		df := view.labelFreq(lb, nil)
		if !viewer.All && df <= rareDocs {
			df = view.labelFreq(lb, viewer)
		}
		if df == 0 {
			continue
		}
		w := labelBoosts[lb[0]] * labelScale * bm25.IDF(int(view.n), df)
		out = append(out, simTerm{Term: bm25.Term{Word: lb, Weight: w}, label: true})
	}
	return out
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
