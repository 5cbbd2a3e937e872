package search

import "time"

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
