package report

import (
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Post-mortems of the public collection (../shared/corpus/postmortems/)
// carry fields Hindsight's incident has no column for. The importer keeps
// them in places that round-trip through a Markdown export:
//
//   - url becomes the last line of the summary, "Source: <url>"; an export
//     whose summary ends so writes the url field again (and a summary that
//     already holds the url is not given it twice);
//   - company becomes the tag "company:<name>"; an export whose tags hold
//     one writes the company field again;
//   - each category that no root cause has becomes the tag
//     "category:<name>" (search counts it as a root-cause category); an
//     export writes those categories again;
//   - a missing title is made from the first "# " heading of the body, else
//     "<company>: <first sentence of the summary or the body>", else the
//     file name.
//
// Summary and tags are internal fields (the summary is also shown to
// customer success), so url and company reach those readers only.
const (
	// sourcePrefix starts the summary line holding the url.
	sourcePrefix = "Source: "
	// companyTag prefixes the tag holding the company.
	companyTag = "company:"
	// categoryTag prefixes a tag holding a category.
	categoryTag = "category:"
	// maxTitleSentence bounds a title made from a sentence, in characters.
	maxTitleSentence = 150
)

// withSource appends "Source: url" to summary unless it already holds url.
func withSource(summary, url string) string {
	url = strings.TrimSpace(url)
	if url == "" || strings.Contains(summary, url) {
		return summary
	}
	if strings.TrimSpace(summary) == "" {
		return sourcePrefix + url
	}
	return strings.TrimRight(summary, "\n") + "\n\n" + sourcePrefix + url
}

// sourceURL is the url of a summary's "Source: <url>" line, "" without one.
func sourceURL(summary string) string {
	for _, l := range strings.Split(summary, "\n") {
		if u, ok := strings.CutPrefix(strings.TrimSpace(l), sourcePrefix); ok &&
			(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " \t") {
			return u
		}
	}
	return ""
}

// tagOfCompany is the tag that keeps a company ("" for none); commas, which
// labels may not hold, become spaces.
func tagOfCompany(company string) string {
	c := oneLine(strings.ReplaceAll(company, ",", " "))
	if c == "" {
		return ""
	}
	return companyTag + clip(c, 90)
}

// categoryTags are the tags keeping the categories no root cause has.
func categoryTags(categories []string, rcs []rootCauseYAML, tags []string) []string {
	have := map[string]bool{}
	for _, rc := range rcs {
		have[strings.ToLower(strings.TrimSpace(rc.Category))] = true
	}
	for _, t := range tags {
		have[strings.ToLower(t)] = true
	}
	var out []string
	for _, c := range categories {
		c = oneLine(strings.ReplaceAll(c, ",", " "))
		if c == "" || have[strings.ToLower(c)] || have[strings.ToLower(categoryTag+c)] {
			continue
		}
		have[strings.ToLower(categoryTag+c)] = true
		out = append(out, categoryTag+clip(c, 80))
	}
	return out
}

// categoriesOf are the categories category tags keep.
func categoriesOf(tags []string) []string {
	var out []string
	for _, t := range tags {
		if c, ok := strings.CutPrefix(t, categoryTag); ok && strings.TrimSpace(c) != "" {
			out = append(out, strings.TrimSpace(c))
		}
	}
	return out
}

// companyOf is the company a tag list keeps, "" for none.
func companyOf(tags []string) string {
	for _, t := range tags {
		if c, ok := strings.CutPrefix(t, companyTag); ok && strings.TrimSpace(c) != "" {
			return strings.TrimSpace(c)
		}
	}
	return ""
}

// fallbackTitle makes a title for a file whose front matter has none; body
// is the file after its front matter, name the file's name ("" unknown).
func fallbackTitle(fm frontMatter, body []string, name string) string {
	if h := firstHeading(body); h != "" {
		return clip(h, maxTitleSentence)
	}
	prefix := ""
	if c := oneLine(fm.Company); c != "" {
		prefix = c + ": "
	}
	if s := firstSentence(fm.Summary); s != "" {
		return prefix + s
	}
	if s := firstSentence(firstParagraph(body)); s != "" {
		return prefix + s
	}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	switch {
	case name == "" || base == "" || base == ".":
		return strings.TrimSuffix(prefix, ": ")
	}
	return prefix + base
}

// firstHeading is the text of the body's first "# " heading outside code
// fences, "" without one.
func firstHeading(body []string) string {
	fence := ""
	for _, l := range body {
		t := strings.TrimSpace(l)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
		case strings.HasPrefix(t, "```"), strings.HasPrefix(t, "~~~"):
			fence = t[:3]
		case strings.HasPrefix(l, "# "):
			if h := plainInline(l[2:]); h != "" {
				return h
			}
		}
	}
	return ""
}

// firstParagraph is the first paragraph of prose of the body: not a
// heading, table, list, quote, fence, HTML or image line.
func firstParagraph(body []string) string {
	var para []string
	for _, l := range body {
		t := strings.TrimSpace(l)
		if t == "" {
			if len(para) > 0 {
				break
			}
			continue
		}
		if strings.ContainsAny(t[:1], "#|<>!-*+`~=") || strings.HasPrefix(t, "[") && strings.HasSuffix(t, ")") {
			if len(para) > 0 {
				break
			}
			continue
		}
		para = append(para, t)
	}
	return strings.Join(para, " ")
}

// sentenceEnd finds the end of a sentence: ., ! or ? then a space or the end.
var sentenceEnd = regexp.MustCompile(`[.!?](\s|$)`)

// firstSentence is the first sentence of Markdown text, without markup,
// at most maxTitleSentence characters.
func firstSentence(s string) string {
	s = plainInline(s)
	if loc := sentenceEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]+1]
	}
	return clip(strings.TrimSpace(s), maxTitleSentence)
}

// linkRe matches a Markdown link or image, keeping its text.
var linkRe = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// plainInline drops the inline Markdown of one line: links keep their
// text, emphasis and code marks go.
func plainInline(s string) string {
	s = linkRe.ReplaceAllString(s, "$1")
	s = strings.NewReplacer("**", "", "__", "", "`", "", "*", "").Replace(s)
	return oneLine(s)
}

// clip shortens s to at most n characters, ending in "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}
