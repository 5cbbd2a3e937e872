package search

import (
	"strings"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// reasons says why a hit is like the profile: the distinctive words both
// have (strongest first; matched holds the hit's words, see vectorOf) and
// the labels they share.
func reasons(p profile, h *bsearch.DocumentMatch, matched map[string]float64, terms []weighted, surface map[string]string) []Reason {
	var out []Reason
	var words []string
	for _, t := range terms {
		if matched[t.term] > 0 && len(words) < 8 {
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
