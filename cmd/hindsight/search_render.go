package main

import (
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/search"
)

// termWidth is the width tables are cut to (a terminal's default).
const termWidth = 80

// Bold on and off for a terminal, brackets elsewhere, around the words a
// highlight matched.
const (
	boldOn   = "\x1b[1m"
	boldOff  = "\x1b[22m"
	markOpen = "<mark>"
	markEnd  = "</mark>"
)

// highlightOrder is which field's fragment is shown under a hit: the prose
// that says most about the incident first; the title is already in the row.
var highlightOrder = []string{search.FieldSummary, search.FieldRootCauses, search.FieldRCA, search.FieldActions,
	search.FieldTimeline, search.FieldTitle}

// facetOrder is the order facets are listed in; any others follow by name.
var facetOrder = []string{search.FacetService, search.FacetSeverity, search.FacetCategory, search.FacetTag,
	search.FacetYear}

// renderResult prints a page of search results as a table, each hit with
// its best highlight under it, then the count, the facets and the cursor.
func renderResult(w io.Writer, res search.Result, tty bool) error {
	for _, n := range res.Notices {
		fmt.Fprintln(w, "Note: "+n+".")
	}
	if res.Fuzzy {
		fmt.Fprintln(w, "No exact match; showing incidents that match allowing for typos and unfinished words.")
	}
	if res.AnyWord {
		fmt.Fprintln(w, "No incident has all the words; showing those with some of them.")
	}
	if len(res.Items) > 0 {
		rows := make([][]string, len(res.Items))
		for i, h := range res.Items {
			started := "-"
			if h.StartedAt != nil {
				started = h.StartedAt.UTC().Format("2006-01-02")
			}
			rows[i] = []string{termLine(h.Key), termLine(h.Severity), termLine(h.Status), started, termLine(h.Title)}
		}
		widths := columnWidths([]string{"KEY", "SEV", "STATUS", "STARTED", "TITLE"}, rows)
		printRow(w, widths, []string{"KEY", "SEV", "STATUS", "STARTED", "TITLE"})
		for i, h := range res.Items {
			printRow(w, widths, rows[i])
			if field, frag := bestHighlight(h); frag != "" {
				indent := "    " + field + ": "
				fmt.Fprintln(w, indent+fragmentText(frag, tty, termWidth-utf8.RuneCountInString(indent)))
			}
		}
	}
	noun := "incidents"
	if res.Total == 1 {
		noun = "incident"
	}
	shown := ""
	if uint64(len(res.Items)) < res.Total {
		shown = fmt.Sprintf(", %d shown", len(res.Items))
	}
	fmt.Fprintf(w, "%d %s%s (took %.1f ms)\n", res.Total, noun, shown, res.TookMS)
	names := slices.Clone(facetOrder)
	var others []string
	for name := range res.Facets {
		if !slices.Contains(facetOrder, name) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range append(names, others...) {
		counts := res.Facets[name]
		if len(counts) == 0 {
			continue
		}
		var parts []string
		for _, c := range counts[:min(len(counts), 5)] {
			parts = append(parts, fmt.Sprintf("%s (%d)", termLine(c.Value), c.Count))
		}
		fmt.Fprintln(w, truncate(name+": "+strings.Join(parts, ", "), termWidth))
	}
	if res.NextCursor != "" {
		fmt.Fprintln(w, "more: --cursor "+termLine(res.NextCursor))
	}
	return nil
}

// bestHighlight picks the fragment shown under a hit: from the first field
// of highlightOrder that has one, else from any field, else a matched
// timeline event.
func bestHighlight(h search.Hit) (field, fragment string) {
	for _, f := range highlightOrder {
		if frags := h.Highlights[f]; len(frags) > 0 && frags[0] != "" {
			return f, frags[0]
		}
	}
	for f, frags := range h.Highlights {
		if len(frags) > 0 && frags[0] != "" {
			return termLine(f), frags[0]
		}
	}
	for _, ev := range h.Events {
		if ev.Fragment != "" {
			return search.FieldTimeline, ev.Fragment
		}
	}
	return "", ""
}

// fragmentText turns an HTML-escaped fragment with <mark>…</mark> into one
// line of plain text, the marked words in bold on a terminal and in
// [brackets] elsewhere, cut to width. The marks are found before the text is
// unescaped, so an incident's own "&lt;mark&gt;" stays text, and control
// characters are dropped so imported text cannot drive the terminal.
func fragmentText(frag string, tty bool, width int) string {
	open, end := "[", "]"
	if tty {
		open, end = boldOn, boldOff
	}
	var b strings.Builder
	runes, marked := 0, false
	rest := frag
	for rest != "" && runes < width {
		next, tag := len(rest), ""
		if i := strings.Index(rest, markOpen); i >= 0 && !marked {
			next, tag = i, markOpen
		}
		if i := strings.Index(rest, markEnd); i >= 0 && marked && i < next {
			next, tag = i, markEnd
		}
		text := termText(html.UnescapeString(rest[:next]))
		if n := utf8.RuneCountInString(text); runes+n > width {
			text = string([]rune(text)[:max(width-runes-1, 0)]) + "…"
		}
		b.WriteString(text)
		runes += utf8.RuneCountInString(text)
		if runes >= width {
			break
		}
		rest = rest[next:]
		switch tag {
		case markOpen:
			b.WriteString(open)
			rest, marked = rest[len(markOpen):], true
		case markEnd:
			b.WriteString(end)
			rest, marked = rest[len(markEnd):], false
		}
	}
	if marked {
		b.WriteString(end)
	}
	return strings.TrimSpace(b.String())
}

// renderSimilar prints similar incidents: key, score and title, then why
// each is similar and where its corrective actions stand.
func renderSimilar(w io.Writer, items []app.SimilarIncident) error {
	if len(items) == 0 {
		fmt.Fprintln(w, "No similar incidents.")
		return nil
	}
	rows := make([][]string, len(items))
	for i, s := range items {
		score := fmt.Sprintf("%.2f", s.Score)
		switch {
		case s.Relative >= 0.005:
			score = fmt.Sprintf("%.0f%%", 100*s.Relative)
		case s.Relative > 0:
			score = "<1%"
		}
		rows[i] = []string{termLine(s.Key), score, termLine(s.Title)}
	}
	head := []string{"KEY", "SCORE", "TITLE"}
	widths := columnWidths(head, rows)
	printRow(w, widths, head)
	for i, s := range items {
		printRow(w, widths, rows[i])
		for _, r := range s.Reasons {
			text := r.Text
			if text == "" {
				text = r.Kind + ": " + strings.Join(r.Values, ", ")
			}
			fmt.Fprintln(w, truncate("    - "+termLine(text), termWidth))
		}
		fmt.Fprintln(w, "    "+actionsLine(s.Actions))
	}
	return nil
}

// actionsLine says where an incident's corrective actions stand.
func actionsLine(a app.ActionsSummary) string {
	if a.Total == 0 {
		return "no corrective actions"
	}
	s := fmt.Sprintf("%d/%d actions closed", a.Done+a.WontDo, a.Total)
	if a.WontDo > 0 {
		s += fmt.Sprintf(" (%d won't do)", a.WontDo)
	}
	return s
}

// columnWidths sizes the columns of a table whose last column (the title)
// takes what is left of termWidth.
func columnWidths(head []string, rows [][]string) []int {
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	used := 0
	for _, wd := range widths[:len(widths)-1] {
		used += wd + 2
	}
	widths[len(widths)-1] = max(termWidth-used, 20)
	return widths
}

// printRow prints one row, its columns padded to widths and the last one
// cut to its width.
func printRow(w io.Writer, widths []int, cols []string) {
	var b strings.Builder
	for i, c := range cols {
		if i == len(cols)-1 {
			b.WriteString(truncate(c, widths[i]))
			break
		}
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
	}
	fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
}

// truncate cuts s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return string([]rune(s)[:n-1]) + "…"
}

// termLine is s made safe and single-line for a terminal.
func termLine(s string) string { return strings.TrimSpace(termText(s)) }

// termText drops the characters that would let stored text move the cursor,
// recolour or retitle a terminal (controls, including escape sequences'
// introducers, and bidirectional overrides) and folds line breaks and runs
// of blanks into single spaces.
func termText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r), r == utf8.RuneError, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
