package search

import (
	"math"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A planned term (fastplan.go): its postings in each segment, decoded
// (postcache.go) or zap's, and the figures bleve's term scorer keeps.

// term mirrors searcher.NewTermSearcher and scorer.TermQueryScorer.
func (p *planShard) term(field, term string, boost float64, scoring bool) (planNode, error) {
	t := &planTerm{boost: boost, qw: 1, scoring: scoring}
	if err := p.postingsOf(t, field, term); err != nil {
		return nil, err
	}
	total := p.docTotal
	if p.bm25 {
		// bm25ScoreMetrics: the average is the field's distinct terms
		// over the documents, rounded up.
		card, err := p.snap.FieldCardinality(field)
		if err != nil {
			return nil, err
		}
		if !(total == 0 && card == 0) {
			t.avg = math.Ceil(float64(card) / float64(total))
		} else {
			total = 0
		}
	}
	if t.avg > 0 {
		t.lengths = p.posts.lengthsFor(t.avg)
		t.idf = math.Log(1 + (float64(total)-float64(t.docTerm)+0.5)/
			(float64(t.docTerm)+0.5))
	} else {
		t.idf = 1.0 + math.Log(float64(total)/
			float64(t.docTerm+1.0))
	}
	return t, nil
}

// postingsOf finds term's postings in field in each segment, and how many
// documents hold it: decoded (postcache.go) when every segment's can be,
// else zap's postings lists.
func (p *planShard) postingsOf(t *planTerm, field, term string) error {
	lists := make([]*postings, len(p.segs))
	for i, s := range p.segs {
		l, ok := p.posts.lookup(s.Segment(), field, term)
		if !ok {
			dicts, err := p.dictsOf(field)
			if err != nil {
				return err
			}
			if l, ok, err = p.posts.get(p.owner, s.Segment(), dicts[i], field, term, &p.decodeLeft); err != nil {
				return err
			}
			if !ok {
				lists = nil
				break
			}
		}
		lists[i] = l
	}
	if lists != nil {
		t.lists = lists
		for i, l := range lists {
			if p.dels[i] == nil {
				t.docTerm += uint64(len(l.docs))
				continue
			}
			// Deleted documents are still in the decoded postings.
			dicts, err := p.dictsOf(field)
			if err != nil {
				return err
			}
			pl, err := dicts[i].PostingsList([]byte(term), p.dels[i], nil)
			if err != nil {
				return err
			}
			t.docTerm += pl.Count()
		}
		return nil
	}
	dicts, err := p.dictsOf(field)
	if err != nil {
		return err
	}
	t.pls = make([]segment.PostingsList, len(p.segs))
	for i, s := range p.segs {
		pl, err := dicts[i].PostingsList([]byte(term), s.Deleted(), nil)
		if err != nil {
			return err
		}
		t.pls[i] = pl
		t.docTerm += pl.Count()
	}
	return nil
}

// planTerm is a term in a field: scorer.TermQueryScorer's figures and
// the term's postings in each segment.
type planTerm struct {
	// lists are the term's decoded postings by segment, else pls zap's.
	lists   []*postings
	pls     []segment.PostingsList
	docTerm uint64
	boost   float64
	idf     float64
	avg     float64 // BM25's average field length; 0 for TF-IDF
	qw      float64 // the query weight (1 until a norm is set)
	scoring bool
	// lengths are the field's length terms (BM25), shared by its terms.
	lengths *lengthTerms
}

func (t *planTerm) count() uint64 { return t.docTerm }

func (t *planTerm) weight() float64 {
	sum := t.boost * t.idf
	return sum * sum
}

func (t *planTerm) setNorm(qn float64) { t.qw = t.boost * t.idf * qn }
