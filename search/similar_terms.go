package search

import (
	"context"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// weighted is a candidate word: its term, how it was written, and weights.
type weighted struct {
	term    string
	surface string
	// tf is how much the source says it: its count in each field (1 +
	// log), weighted by the field (sourceWeights).
	tf float64
	// weight is tf times the word's rarity (inverse document frequency):
	// what the words are chosen and re-ranked by.
	weight float64
	// boost is tf times the square root of the rarity: the word's boost
	// in the query, whose BM25 scoring counts the rarity again.
	// (Boosting by weight counted it three times over; on the 242 real
	// post-mortems nDCG@5 0.658 with the square root, 0.650 with weight.)
	boost float64
	// df is how many other incidents hold it.
	df uint64
	// in are the source's fields that hold it.
	in []string
}

// distinctive weighs the profile's words and returns those others hold,
// most distinctive first (see distinctiveIn), over idx's signatures.
func (ix *Index) distinctive(_ context.Context, idx *shardIndex, p profile, viewer *Viewer) ([]weighted, error) {
	view, err := ix.sigView(idx)
	if err != nil {
		return nil, err
	}
	defer view.close()
	out := ix.distinctiveIn(view, p, viewer)
	runtime.KeepAlive(view) // see sigList
	return out, nil
}

// distinctiveIn weighs the profile's words and returns those others hold,
// most distinctive first: the query uses the first similarTerms, the
// re-ranking all of them. A word's rarity is how many incidents' signatures
// hold it (the incident itself, when indexed, not counted: a word only it
// holds can find no other, and would take the place of one that can).
//
// viewer, when not nil, is who asks: a rare word's rarity is counted over
// the incidents they may see alone, so what a viewer may not see cannot
// change their results (a word found only in hidden incidents is not used).
func (ix *Index) distinctiveIn(view *sigView, p profile, viewer *Viewer) []weighted {
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
	// The fields in a stable order: a word's surface is where it is
	// first met, the same on every run.
	for _, field := range textFields {
		texts := p.texts[field]
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
			c.in = append(c.in, field)
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

	N := float64(max(view.n, 1))
	self, hasSelf := docRef{}, false
	if p.indexed {
		self, hasSelf = view.find(p.id)
	}
	byTerm := map[string]*weighted{}
	var unknownWholes []string
	weigh := func(c *weighted) {
		df := view.docFreq(c.term, self, hasSelf, nil)
		if viewer != nil && !viewer.All && df <= rareDocs {
			df = view.docFreq(c.term, self, hasSelf, viewer)
		}
		if df == 0 {
			return
		}
		idf := math.Log(1 + (N-float64(df)+0.5)/(float64(df)+0.5))
		if prev, ok := byTerm[c.term]; ok {
			prev.tf += c.tf
			prev.weight, prev.boost = prev.tf*idf, prev.tf*math.Sqrt(idf)
			return
		}
		c.weight, c.boost, c.df = c.tf*idf, c.tf*math.Sqrt(idf), df
		byTerm[c.term] = c
	}
	for _, c := range list {
		before := len(byTerm)
		weigh(c)
		if len(byTerm) == before && parts[c.term] != nil {
			unknownWholes = append(unknownWholes, c.term) // nobody else has it whole
		}
	}
	for _, w := range unknownWholes {
		for _, c := range top(parts[w]) {
			weigh(c)
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
	return out
}

// boilerplate are words of alert and chat formats that say nothing about
// what went wrong (as analysed: stemmed). With usefulTerm they shape the
// indexed signatures: changing either needs a MappingVersion bump.
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
