package redmine

import (
	"regexp"
	"strings"
)

// Redmine stores descriptions and notes as Textile or Markdown (a per
// instance setting the API does not report), so Markdown converts text
// that looks like Textile and keeps the rest; HTML tags are stripped in
// both cases and <pre> blocks become code fences.

var (
	preBlock    = regexp.MustCompile(`(?is)<pre[^>]*>(.*?)</pre>`)
	scriptLike  = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(script|style)\s*>`)
	blankRun    = regexp.MustCompile(`\n[ \t]*\n([ \t]*\n)+`)
	openTag     = regexp.MustCompile(`<([a-zA-Z/!?])`)
	anyTag      = regexp.MustCompile(`(?s)</?[a-zA-Z!][^>]*>`)
	textileHint = regexp.MustCompile(`(?m)^(h[1-6]|bq|p)\.\s|^\*\*+\s|"[^"\n]+":https?://|(^|\s)\*[^\s*][^*\n]*\*(\s|$|[.,;:!?])`)
	// markdownHint and strongTextile tell Markdown text (Redmine's other
	// formatter) that happens to hold a *word* from Textile: a fence or a
	// [link](url) is Markdown's own ("# item" is not: Textile lists use it).
	markdownHint  = regexp.MustCompile("(?m)^```|\\]\\(https?://")
	strongTextile = regexp.MustCompile(`(?m)^(h[1-6]|bq|p)\.\s|"[^"\n]+":https?://`)
	heading       = regexp.MustCompile(`^h([1-6])\.\s+(.*)$`)
	quote         = regexp.MustCompile(`^bq\.\s+(.*)$`)
	para          = regexp.MustCompile(`^p\.\s+(.*)$`)
	bullet        = regexp.MustCompile(`^(\*+)\s+(.*)$`)
	numbered      = regexp.MustCompile(`^(#+)\s+(.*)$`)
	bold          = regexp.MustCompile(`(^|[\s(\[])\*([^\s*](?:[^*\n]*[^\s*])?)\*($|[\s.,;:!?)\]])`)
	italic        = regexp.MustCompile(`(^|[\s(\[])_([^\s_](?:[^_\n]*[^\s_])?)_($|[\s.,;:!?)\]])`)
	strike        = regexp.MustCompile(`(^|[\s(\[])-([^\s-](?:[^-\n]*[^\s-])?)-($|[\s.,;:!?)\]])`)
	inlineCode    = regexp.MustCompile(`@([^@\s][^@\n]*?)@`)
	link          = regexp.MustCompile(`"([^"\n]+)":(https?://[^\s<>"]*[^\s<>".,;:!?)])`)
	image         = regexp.MustCompile(`!([^\s!][^!\n]*)!`)
	entity        = strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&quot;", `"`, "&#39;", "'", "&apos;", "'")
)

// Markdown returns s (Textile or Markdown, maybe with HTML) as markdown
// holding no raw HTML outside code fences.
func Markdown(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	plain := preBlock.ReplaceAllString(s, "")
	textile := textileHint.MatchString(plain) && !(markdownHint.MatchString(plain) && !strongTextile.MatchString(plain))
	var out []string
	rest := s
	for {
		loc := preBlock.FindStringSubmatchIndex(rest)
		if loc == nil {
			out = append(out, text(rest, textile))
			break
		}
		out = append(out, text(rest[:loc[0]], textile), fence(rest[loc[2]:loc[3]]))
		rest = rest[loc[1]:]
	}
	return strings.TrimSpace(blankRun.ReplaceAllString(strings.Join(out, ""), "\n\n"))
}

// fence writes code as a fenced block longer than any backtick run in it.
func fence(code string) string {
	code = strings.Trim(anyTag.ReplaceAllString(code, ""), "\n")
	code = strings.NewReplacer("&lt;", "<", "&gt;", ">").Replace(entity.Replace(code))
	n, run := 3, 0
	for _, r := range code {
		if r == '`' {
			run++
			n = max(n, run+1)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", n)
	return "\n" + f + "\n" + code + "\n" + f + "\n"
}

// text converts text outside <pre>: Textile line and inline markup when
// textile, HTML tags dropped (script and style with their content).
func text(s string, textile bool) string {
	s = scriptLike.ReplaceAllString(s, "")
	s = anyTag.ReplaceAllString(s, "")
	s = entity.Replace(s)
	// A "<" left that could open a tag is escaped so no HTML survives.
	s = openTag.ReplaceAllString(s, "&lt;$1")
	if !textile {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimRight(l, " \t")
		switch {
		case heading.MatchString(t):
			m := heading.FindStringSubmatch(t)
			t = strings.Repeat("#", int(m[1][0]-'0')) + " " + m[2]
		case quote.MatchString(t):
			t = "> " + quote.FindStringSubmatch(t)[1]
		case para.MatchString(t):
			t = para.FindStringSubmatch(t)[1]
		case bullet.MatchString(t):
			m := bullet.FindStringSubmatch(t)
			t = strings.Repeat("  ", len(m[1])-1) + "- " + inline(m[2])
			lines[i] = t
			continue
		case numbered.MatchString(t):
			m := numbered.FindStringSubmatch(t)
			t = strings.Repeat("   ", len(m[1])-1) + "1. " + inline(m[2])
			lines[i] = t
			continue
		}
		lines[i] = inline(t)
	}
	return strings.Join(lines, "\n")
}

// inline converts Textile phrase markup on one line.
func inline(s string) string {
	s = link.ReplaceAllString(s, "[$1]($2)")
	s = image.ReplaceAllStringFunc(s, func(m string) string {
		src := strings.TrimSpace(strings.Trim(m, "!"))
		if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
			return "[image](" + src + ")"
		}
		return "[image: " + src + "]"
	})
	s = inlineCode.ReplaceAllString(s, "`$1`")
	s = bold.ReplaceAllString(s, "$1**$2**$3")
	s = italic.ReplaceAllString(s, "$1*$2*$3")
	s = strike.ReplaceAllString(s, "$1~~$2~~$3")
	return s
}
