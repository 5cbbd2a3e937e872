// Package search keeps the full-text index of incidents: a bleve index in
// the data dir, derived from the database and fed by its change feed (the
// changes outbox), answering searches with facets and highlights, similar
// incidents with the reasons they are similar, and autocomplete.
//
// The index is disposable: its mapping carries a version, and an index of
// another version (or a deleted one) is rebuilt from the database while the
// old one, if any, keeps answering. The last change applied is stored inside
// the index, in the same batch as the documents it produced, so an indexer
// that stops at any moment resumes exactly where it was.
package search

import (
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Doc is the searchable form of one incident, built by the caller from the
// database (see Source). Text is plain text or markdown; it is indexed as
// written and shown, escaped, in highlights.
type Doc struct {
	ID             int64
	Key            string
	Title          string
	Summary        string
	CustomerImpact string
	Severity       string
	Status         string
	Services       []string
	Teams          []string
	Tags           []string
	Commander      string

	// Visibility is "internal" or "restricted"; a restricted incident is
	// found only by viewers holding one of RestrictedTo (users or groups).
	Visibility   string
	RestrictedTo []string

	// Sections are the RCA's sections; Published says the RCA is published.
	Sections  []Section
	Published bool

	RootCauses []RootCause
	Actions    []Action
	Events     []Event

	StartedAt  *time.Time
	ResolvedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Section is one RCA section.
type Section struct {
	Key      string
	Title    string
	Body     string
	Audience string
}

// RootCause is one root cause: its category (taxonomy) and description.
type RootCause struct {
	Category    string
	Description string
}

// Action is one corrective action.
type Action struct {
	Title       string
	Description string
	Status      string
}

// Event is one timeline event (hidden events are left out by the caller).
type Event struct {
	ID     int64
	At     time.Time
	Source string
	Kind   string
	Actor  string
	Body   string
}

// When is the time the incident is dated by — when it started, else when
// it was resolved — and false for an incident with neither (a post-mortem
// imported without dates is not dated by its import). Undated incidents
// have no year, sort last by date and fall outside date filters.
func (d *Doc) When() (time.Time, bool) {
	for _, t := range []*time.Time{d.StartedAt, d.ResolvedAt} {
		if t != nil && !t.IsZero() {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// CategoryTag prefixes a tag that holds a category (post-mortems imported
// from collections carry categories without root causes).
const CategoryTag = "category:"

// Categories are the root causes' categories and those of category tags,
// each once.
func (d *Doc) Categories() []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, rc := range d.RootCauses {
		add(rc.Category)
	}
	for _, t := range d.Tags {
		if isCategoryTag(t) {
			add(t[len(CategoryTag):])
		}
	}
	return out
}

// isCategoryTag reports whether t is a category: tag.
func isCategoryTag(t string) bool {
	return len(t) > len(CategoryTag) && strings.EqualFold(t[:len(CategoryTag)], CategoryTag)
}

// restricted says whether d is open only to named users and groups.
func (d *Doc) restricted() bool { return strings.EqualFold(d.Visibility, "restricted") }

// Viewer says which incidents a caller may see (see incident.Viewer): the
// zero Viewer sees the internal incidents only; All sees everything;
// Principals open the restricted incidents naming one of them. The filter
// is part of every query, so results, totals, facets and similar-incident
// lists never count an incident the viewer may not see. It is the domain's
// type, so the database and the index apply one definition.
type Viewer = incident.Viewer
