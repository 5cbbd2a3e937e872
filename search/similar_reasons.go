package search

import (
	"strings"
)

// reasons says why an incident is like the profile: the distinctive words
// both have (strongest first; matched holds the incident's weights of
// them) and the labels they share (has reports whether the incident holds
// a label, as its signature keys them: kind and normalised value).
func reasons(p profile, has func(label string) bool, matched map[string]float64, terms []weighted, surface map[string]string) []Reason {
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
	shared := func(kind string, label byte, mine []string, what string) {
		var vals []string
		seen := map[string]bool{}
		for _, v := range mine {
			n := normalizeKeyword(v)
			if n != "" && !seen[n] && has(string(label)+n) {
				seen[n] = true
				vals = append(vals, strings.TrimSpace(v))
			}
		}
		if len(vals) > 0 {
			noun := what
			if len(vals) > 1 {
				noun = plural[what]
			}
			out = append(out, Reason{Kind: kind, Values: vals, Text: "Same " + noun + ": " + strings.Join(vals, ", ")})
		}
	}
	shared(ReasonService, labelService, p.services, "service")
	shared(ReasonCategory, labelCategory, p.categories, "root-cause category")
	shared(ReasonTag, labelTag, withoutCategoryTags(p.tags), "tag")
	shared(ReasonTeam, labelTeam, p.teams, "team")
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
