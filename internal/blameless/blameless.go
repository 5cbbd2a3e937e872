// Package blameless finds blame-laden phrasing in RCA sections ("X forgot",
// "human error", "should have", "careless", a person named as the root
// cause) and suggests a rewording that looks at the system and the process
// instead. It only advises: nothing here ever blocks saving.
//
// The check is a set of case-insensitive, word-bounded patterns over each
// section's markdown. Fenced code blocks, inline code and URLs are ignored,
// so a quoted log line or "git blame" link is never flagged. Some patterns
// are deliberately narrow to keep false alarms rare, and each such choice is
// documented on its rule (see rules.go): "the alert should fire" and "the
// service should have an owner" are fine, "failed to" is flagged only with a
// person as its subject, "lazy loading" is not a judgement.
//
// In root-cause sections a person named as the cause is flagged from the
// shape of the phrase ("Bob pushed", "the root cause was Alice") and, when
// the caller passes the incident's people in Options, by their names and
// handles (see people.go); systems and bots are told apart by name lists.
package blameless

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Finding is one blame-laden phrase in one section.
type Finding struct {
	// SectionKey is the key of the section the phrase is in.
	SectionKey string
	// Start and End are byte offsets into the section's body: the phrase
	// is Body[Start:End].
	Start, End int
	// Line and Column locate Start, both 1-based; Column counts characters
	// (Unicode code points), not bytes.
	Line, Column int
	// Match is the phrase as written.
	Match string
	// Rule names the rule that matched (one of the Rule* constants).
	Rule string
	// Message says why the phrase reads as blame.
	Message string
	// Suggestion is a rewording that looks at the system and the process.
	Suggestion string
}

// Check returns the findings in every section, in section order and then
// in order of position. It never fails; no findings is an empty slice.
// Options, when given, add what the incident knows (its people); several
// are merged.
func Check(sections []incident.Section, opts ...Options) []Finding {
	var o Options
	for _, x := range opts {
		o.People = append(o.People, x.People...)
	}
	known := newPeople(o.People)
	out := []Finding{}
	for _, s := range sections {
		out = append(out, checkSection(s, known)...)
	}
	return out
}

// checkSection runs every rule that applies to s over its body with code
// and URLs blanked out, and in root-cause sections looks for known people.
func checkSection(s incident.Section, known people) []Finding {
	body := s.Body
	masked := mask(body)
	root := isRootCause(s)
	var found []Finding
	for _, r := range rules {
		if r.rootCauseOnly && !root {
			continue
		}
		for _, m := range r.re.FindAllStringSubmatchIndex(masked, -1) {
			if r.keep != nil && !r.keep(masked, m) {
				continue
			}
			start, end := m[2*r.group], m[2*r.group+1]
			if start < 0 {
				continue
			}
			found = append(found, Finding{
				SectionKey: s.Key, Start: start, End: end,
				Match: body[start:end], Rule: r.id,
				Message: r.message, Suggestion: r.suggestion,
			})
		}
	}
	if root {
		found = append(found, known.find(s.Key, body, masked)...)
	}
	found = dropContained(body, found)
	for i := range found {
		found[i].Line, found[i].Column = lineColumn(body, found[i].Start)
	}
	return found
}

// isRootCause reports whether s is where the causes of the incident are
// written: naming a person there makes the person the cause.
func isRootCause(s incident.Section) bool {
	key, title := strings.ToLower(s.Key), strings.ToLower(s.Title)
	return s.Block == incident.BlockRootCauses ||
		strings.Contains(key, "root") || strings.Contains(key, "cause") || strings.Contains(key, "factor") ||
		strings.Contains(title, "root cause") || strings.Contains(title, "contributing factor")
}

// dropContained orders findings by position and drops any whose span lies
// inside an earlier one's, so one phrase is reported once, by the rule that
// covers most of it ("Bob's mistake" is one finding, not two). Overlapping
// findings of one rule become one ("Dave Lee" and "Lee's script" are
// "Dave Lee's script").
func dropContained(body string, fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	out := fs[:0]
	maxEnd := -1 // every kept finding starts at or before f
	for _, f := range fs {
		if f.End <= maxEnd {
			continue
		}
		if last := len(out) - 1; last >= 0 && out[last].Rule == f.Rule && f.Start < out[last].End {
			out[last].End = f.End
			out[last].Match = body[out[last].Start:f.End]
			maxEnd = f.End
			continue
		}
		out = append(out, f)
		maxEnd = f.End
	}
	return out
}

// lineColumn turns a byte offset into a 1-based line and character column.
func lineColumn(body string, offset int) (line, col int) {
	before := body[:offset]
	line = strings.Count(before, "\n") + 1
	col = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}
