package incident

import (
	"strconv"
	"strings"
	"time"
)

// SectionChange says how a section differs between two revisions.
type SectionChange string

// Section changes.
const (
	SectionAdded     SectionChange = "added"
	SectionRemoved   SectionChange = "removed"
	SectionChanged   SectionChange = "changed"
	SectionUnchanged SectionChange = "unchanged"
)

// SectionDiff is how one section differs between two revisions.
type SectionDiff struct {
	Key string
	// Title is the section's title in the newer revision, or in the older
	// one when the section was removed.
	Title  string
	Change SectionChange
	// Fields names what differs in a changed section: title, body,
	// audience, help, required, block.
	Fields []string
	// Diff is a unified diff of the body ("" when the body is the same).
	Diff string
}

// ChangeSummary lists the keys of the sections one revision added, removed
// and changed compared with the revision before it.
type ChangeSummary struct {
	Added   []string
	Removed []string
	Changed []string
}

// Empty reports whether nothing changed.
func (c ChangeSummary) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

// RevisionSummary is a revision as a list shows it: who saved it, when, why,
// and which sections it changed compared with the revision before it.
type RevisionSummary struct {
	Version   int
	Status    RCAStatus
	Author    string
	CreatedAt time.Time
	Reason    string
	Changes   ChangeSummary
}

// Summarize describes rev against the revision before it (nil sections
// when it is the first).
func (rev RCARevision) Summarize(prev []Section) RevisionSummary {
	return RevisionSummary{Version: rev.Version, Status: rev.Status, Author: rev.Author, CreatedAt: rev.CreatedAt,
		Reason: rev.Reason, Changes: SummarizeChanges(prev, rev.Sections)}
}

// RevisionDiff compares two revisions of an RCA section by section.
type RevisionDiff struct {
	From     int
	To       int
	Sections []SectionDiff
}

// changedFields names the attributes in which two versions of a section
// differ.
func changedFields(a, b Section) []string {
	var f []string
	if a.Title != b.Title {
		f = append(f, "title")
	}
	if a.Body != b.Body {
		f = append(f, "body")
	}
	if a.Audience != b.Audience {
		f = append(f, "audience")
	}
	if a.Help != b.Help {
		f = append(f, "help")
	}
	if a.Required != b.Required {
		f = append(f, "required")
	}
	if a.Block != b.Block {
		f = append(f, "block")
	}
	return f
}

// SummarizeChanges compares the sections of two consecutive revisions by key.
// The lists are never nil.
func SummarizeChanges(prev, cur []Section) ChangeSummary {
	out := ChangeSummary{Added: []string{}, Removed: []string{}, Changed: []string{}}
	old := sectionsByKey(prev)
	for _, s := range cur {
		o, ok := old[s.Key]
		switch {
		case !ok:
			out.Added = append(out.Added, s.Key)
		case len(changedFields(o, s)) > 0:
			out.Changed = append(out.Changed, s.Key)
		}
	}
	now := sectionsByKey(cur)
	for _, s := range prev {
		if _, ok := now[s.Key]; !ok {
			out.Removed = append(out.Removed, s.Key)
		}
	}
	return out
}

func sectionsByKey(secs []Section) map[string]Section {
	m := make(map[string]Section, len(secs))
	for _, s := range secs {
		m[s.Key] = s
	}
	return m
}

// DiffSections compares two revisions section by section (matched by key),
// in the newer revision's order, each removed section after the section
// that preceded it in the older one. fromLabel and toLabel name the two
// sides in the unified diffs' headers ("v3").
func DiffSections(from, to []Section, fromLabel, toLabel string) []SectionDiff {
	old, now := sectionsByKey(from), sectionsByKey(to)
	// A removed section is anchored to the nearest earlier section of the
	// older revision that still exists ("" anchors it at the top).
	removedAfter := map[string][]Section{}
	anchor := ""
	for _, s := range from {
		if _, ok := now[s.Key]; ok {
			anchor = s.Key
			continue
		}
		removedAfter[anchor] = append(removedAfter[anchor], s)
	}
	out := make([]SectionDiff, 0, len(to)+len(from))
	removed := func(key string) {
		for _, s := range removedAfter[key] {
			out = append(out, SectionDiff{Key: s.Key, Title: s.Title, Change: SectionRemoved,
				Diff: UnifiedDiff(s.Body, "", fromLabel+"/"+s.Key, toLabel+"/"+s.Key)})
		}
	}
	removed("")
	for _, s := range to {
		d := SectionDiff{Key: s.Key, Title: s.Title, Change: SectionUnchanged}
		o, ok := old[s.Key]
		if !ok {
			d.Change = SectionAdded
			d.Diff = UnifiedDiff("", s.Body, fromLabel+"/"+s.Key, toLabel+"/"+s.Key)
		} else if d.Fields = changedFields(o, s); len(d.Fields) > 0 {
			d.Change = SectionChanged
			d.Diff = UnifiedDiff(o.Body, s.Body, fromLabel+"/"+s.Key, toLabel+"/"+s.Key)
		}
		out = append(out, d)
		removed(s.Key)
	}
	return out
}

// diffContext is how many unchanged lines a hunk shows around changes.
const diffContext = 3

// maxDiffEdits bounds the work of the line diff: beyond this many inserted
// plus deleted lines (after the common start and end are set aside) the
// differing middle is shown as replaced wholesale. The diff stays correct,
// only not minimal, and memory stays small for huge rewrites.
const maxDiffEdits = 1000

// lineOp is one line of a diff: ' ' kept, '-' deleted, '+' inserted. Text
// keeps its line break; only the last line of a text may lack one.
type lineOp struct {
	kind byte
	text string
}

// UnifiedDiff returns a unified diff (as diff -u writes it, with 3 lines of
// context and "\ No newline at end of file" markers) that turns a into b,
// line by line, under the labels fromLabel and toLabel; "" when a == b.
func UnifiedDiff(a, b, fromLabel, toLabel string) string {
	if a == b {
		return ""
	}
	ops := diffLines(splitLines(a), splitLines(b))
	var sb strings.Builder
	sb.WriteString("--- " + fromLabel + "\n+++ " + toLabel + "\n")
	writeHunks(&sb, ops)
	return sb.String()
}

// splitLines splits s after every "\n"; the last line may lack one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines is a shortest edit script from a to b (Myers), after setting
// aside the common first and last lines.
func diffLines(a, b []string) []lineOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]lineOp, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		ops = append(ops, lineOp{' ', l})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if mid, ok := myers(ma, mb); ok {
		ops = append(ops, mid...)
	} else {
		for _, l := range ma {
			ops = append(ops, lineOp{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, lineOp{'+', l})
		}
	}
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, lineOp{' ', l})
	}
	return ops
}

// myers finds a shortest edit script with Myers' O(ND) algorithm; false
// when it needs more than maxDiffEdits edits.
func myers(a, b []string) ([]lineOp, bool) {
	n, m := len(a), len(b)
	total := n + m
	if total == 0 {
		return nil, true
	}
	off := total
	v := make([]int, 2*total+2)
	// trace[d] holds v[-d..d] as it was before step d, for the walk back.
	var trace [][]int32
	for d := 0; d <= total; d++ {
		if d > maxDiffEdits {
			return nil, false
		}
		snap := make([]int32, 2*d+1)
		for i := range snap {
			snap[i] = int32(v[off-d+i])
		}
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: insert b[y]
			} else {
				x = v[off+k-1] + 1 // right: delete a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(a, b, trace, d), true
			}
		}
	}
	return nil, false
}

// backtrack walks the trace of myers from the end back to the start.
func backtrack(a, b []string, trace [][]int32, dEnd int) []lineOp {
	x, y := len(a), len(b)
	rev := make([]lineOp, 0, len(a)+len(b))
	for d := dEnd; d > 0; d-- {
		vs := trace[d]
		at := func(k int) int { return int(vs[k+d]) }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, lineOp{' ', a[x-1]})
			x, y = x-1, y-1
		}
		if x == prevX {
			rev = append(rev, lineOp{'+', b[y-1]})
		} else {
			rev = append(rev, lineOp{'-', a[x-1]})
		}
		x, y = prevX, prevY
	}
	for x > 0 && y > 0 {
		rev = append(rev, lineOp{' ', a[x-1]})
		x, y = x-1, y-1
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// writeHunks writes the hunks of ops: changes closer than 2×context lines
// share a hunk.
func writeHunks(sb *strings.Builder, ops []lineOp) {
	// aBefore[i] and bBefore[i] count the lines of each side before ops[i].
	aBefore, bBefore := make([]int, len(ops)+1), make([]int, len(ops)+1)
	var changes []int
	for i, op := range ops {
		aBefore[i+1], bBefore[i+1] = aBefore[i], bBefore[i]
		if op.kind != '+' {
			aBefore[i+1]++
		}
		if op.kind != '-' {
			bBefore[i+1]++
		}
		if op.kind != ' ' {
			changes = append(changes, i)
		}
	}
	for g := 0; g < len(changes); {
		first, last := changes[g], changes[g]
		g++
		for g < len(changes) && changes[g]-last-1 <= 2*diffContext {
			last = changes[g]
			g++
		}
		lo, hi := max(0, first-diffContext), min(len(ops), last+diffContext+1)
		sb.WriteString("@@ -" + hunkRange(aBefore[lo], aBefore[hi]-aBefore[lo]) +
			" +" + hunkRange(bBefore[lo], bBefore[hi]-bBefore[lo]) + " @@\n")
		for _, op := range ops[lo:hi] {
			sb.WriteByte(op.kind)
			sb.WriteString(op.text)
			if !strings.HasSuffix(op.text, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
}

// hunkRange is one side of a hunk header: the first line (1-based) and the
// count, or for an empty side the line after which it sits, as diff -u does.
func hunkRange(before, count int) string {
	switch count {
	case 0:
		return strconv.Itoa(before) + ",0"
	case 1:
		return strconv.Itoa(before + 1)
	}
	return strconv.Itoa(before+1) + "," + strconv.Itoa(count)
}
