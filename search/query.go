package search

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Query is a search text as the user wrote it, read forgivingly by
// ParseQuery (parse.go): nothing a person types is a syntax error.
//
//	bgp leak                 both words (each in any text field)
//	"leap second"            the phrase
//	-aws  -"us east"         none of these
//	dns OR bgp               either (OR binds tighter than the implicit AND)
//	dns AND bgp              both (AND is what words are joined by anyway)
//	service:s3  tag:"api gw" exact values of keyword fields (alias services:,
//	                         tags:, sev:, severity:, status:, team:, teams:,
//	                         category:, cat:, key:, id: (INC-42 or 42))
//	-service:s3              excludes the value
//	after:2024-01-01  before:2024-06  after:2023  before:30d
//	                         the incident's date (when it started, else was
//	                         recorded); after: inclusive, before: exclusive;
//	                         a year or month means its first day; Nd / Nw /
//	                         Nm / Ny mean that long before now
//	title:foo                a word (or "phrase") in one text field (title,
//	                         summary, rca, root_causes (alias cause),
//	                         actions (alias action), timeline (alias chat))
//
// Anything that does not parse as one of these is kept as words: an unknown
// prefix ("error:502", "http://x"), an unbalanced quote (runs to the end),
// a lone "-", "OR" or "AND" at either end, a from: or to: that is no date
// (from:alice, from:10.0.3.17). A date bound that does not parse
// (after:2024-13-01, before:soon, from:2024-02-30) is left out and listed
// in Ignored, for the search to say so. The operators are upper case ("or"
// and "and" are words); NOT is a word, not an operator: pasted errors
// shout it ("404 NOT FOUND", "NOT NULL constraint failed").
type Query struct {
	// Groups must all match; the Terms within a group are alternatives.
	Groups []Group
	// Not are terms none of which may match.
	Not []Term
	// After and Before bound the incident's date (After inclusive, Before
	// exclusive), from after:/before:.
	After  *time.Time
	Before *time.Time
	// Ignored are the date bounds written that are no date, as written
	// (a few at most).
	Ignored []string
}

// Group is a set of alternatives joined by OR (one term when there is no OR).
type Group struct {
	Terms []Term
}

// Term is one word, phrase or field value.
type Term struct {
	// Field is "" for the text fields together; a keyword field name
	// (FieldServices, FieldTags, FieldSeverity, FieldStatus, FieldTeams,
	// FieldCategories, FieldKey) for an exact value; or one text field
	// (FieldTitle, FieldSummary, FieldRCA, FieldRootCauses, FieldActions,
	// FieldTimeline) for a word or phrase in that field only.
	Field string
	// Value is the word, phrase or value as typed (quotes removed).
	Value string
	// Phrase is true for a "quoted phrase" (of a text field).
	Phrase bool
}

// HasText reports whether the query has any word or phrase to rank by
// (not only exact field values and dates).
func (q Query) HasText() bool {
	for _, g := range q.Groups {
		for _, t := range g.Terms {
			if t.Field == "" || IsTextField(t.Field) {
				return true
			}
		}
	}
	return false
}

// IsTextField reports whether f is one of the analyzed text fields.
func IsTextField(f string) bool {
	switch f {
	case FieldTitle, FieldSummary, FieldRCA, FieldRootCauses, FieldActions, FieldTimeline:
		return true
	}
	return false
}

// notices are what a search says of q's text it left out.
func notices(q Query) []string {
	var out []string
	for _, w := range q.Ignored {
		out = append(out, w+" is not a date (write 2024-03-01, 2024-03, 2024, 30d, today or yesterday), so it was left out")
	}
	return out
}

// exclusionsAsText is q with its excluded flags — words of one or two
// letters typed with a dash: "rm -rf", "ls -la", "ps -ef", "chmod -R" —
// as words it must hold, each in a group of its own, and whether there
// was any. A command pasted reads its flags as exclusions; a search that
// found nothing tries them as written. Longer words, phrases and field
// values (-aws, -staging, -"us east", -service:s3) stay exclusions: "-aws
// config" finding nothing means nothing.
func (q Query) exclusionsAsText() (Query, bool) {
	out := q
	out.Groups = append([]Group(nil), q.Groups...)
	out.Not = nil
	moved := false
	for _, t := range q.Not {
		if isFlag(t) {
			out.Groups = append(out.Groups, Group{Terms: []Term{t}})
			moved = true
		} else {
			out.Not = append(out.Not, t)
		}
	}
	return out, moved
}

// maxFlagRunes is the longest exclusion exclusionsAsText takes for a
// command's flag.
const maxFlagRunes = 2

// isFlag reports whether an excluded term may be a command's flag.
func isFlag(t Term) bool {
	return t.Field == "" && !t.Phrase && utf8.RuneCountInString(t.Value) <= maxFlagRunes
}

// flagsText lists q's excluded flags as typed ("-rf"), for a notice.
func flagsText(q Query) string {
	var parts []string
	for _, t := range q.Not {
		if isFlag(t) {
			parts = append(parts, "-"+t.Value)
		}
	}
	return strings.Join(parts, " ")
}
