package incident

import (
	"sort"
	"strings"
)

// Viewer says which incidents a caller may see. The zero Viewer sees the
// internal incidents only; All sees everything (administrators, the command
// line on the data dir, background jobs); Principals (the user's e-mail,
// login and groups) open the restricted incidents whose RestrictedTo names
// one of them, compared case-insensitively.
//
// The store applies a Viewer inside its queries, so lists, totals and
// counts never include an incident the viewer may not see; an incident
// asked for by id or key that the viewer may not see is reported as not
// found, exactly like one that does not exist.
type Viewer struct {
	All        bool
	Principals []string
}

// EveryIncident is the Viewer of callers that must see every incident:
// the command line on the data dir, jobs, the search indexer.
var EveryIncident = Viewer{All: true}

// FoldPrincipal is the form a principal (user or group) is compared in:
// trimmed and lower-cased. strings.ToLower folds every script, so the
// store keeps principals folded here rather than by SQL's lower().
func FoldPrincipal(p string) string { return strings.ToLower(strings.TrimSpace(CleanText(p))) }

// Folded returns the viewer's principals folded, without empty or repeated
// ones, sorted (what the store's queries match against).
func (v Viewer) Folded() []string {
	seen := make(map[string]bool, len(v.Principals))
	out := make([]string, 0, len(v.Principals))
	for _, p := range v.Principals {
		if f := FoldPrincipal(p); f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// Sees reports whether v may see an incident of that visibility restricted
// to those principals.
func (v Viewer) Sees(visibility Visibility, restrictedTo []string) bool {
	if v.All || visibility != VisibilityRestricted {
		return true
	}
	for _, p := range v.Principals {
		fp := FoldPrincipal(p)
		if fp == "" {
			continue
		}
		for _, r := range restrictedTo {
			if FoldPrincipal(r) == fp {
				return true
			}
		}
	}
	return false
}

// CanSee reports whether v may see inc.
func (v Viewer) CanSee(inc Incident) bool { return v.Sees(inc.Visibility, inc.RestrictedTo) }
