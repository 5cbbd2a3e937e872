package markdown

import "regexp"

var (
	idAttr   = regexp.MustCompile(`(\s)id="([^"]*)"`)
	fragment = regexp.MustCompile(`(\s)href="#([^"]*)"`)
)

// PrefixIDs gives every id in html, and every link to one of them, the
// prefix, so several rendered documents (the sections of one RCA, each with
// its own footnotes and headings) can share a page without their anchors
// colliding. html must come from this pipeline (its attributes are double
// quoted); prefix must be safe in an id (letters, digits, - and _).
func PrefixIDs(html, prefix string) string {
	html = idAttr.ReplaceAllString(html, `${1}id="`+prefix+`-${2}"`)
	return fragment.ReplaceAllString(html, `${1}href="#`+prefix+`-${2}"`)
}
