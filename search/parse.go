package search

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what ParseQuery keeps, so that a pasted log file makes a bounded
// query rather than a slow one.
const (
	maxQueryTerms = 100
	maxTermBytes  = 1000
	maxIgnored    = 5
)

// ParseQuery reads a search text in the syntax documented on Query. It never
// fails: what does not parse is kept as words. now anchors relative dates
// ("30d", "today").
func ParseQuery(text string, now time.Time) Query {
	p := queryParser{now: now.UTC()}
	s := strings.ToValidUTF8(text, "\uFFFD")
	for i := 0; p.terms < maxQueryTerms; {
		tok, next, ok := nextQueryToken(s, i)
		if !ok {
			break
		}
		i = next
		if tok.quoted {
			p.quoted(tok.prefix, tok.text)
		} else {
			p.bare(tok.text)
		}
	}
	p.flush()
	return p.q
}

// queryToken is a run of non-space text, or a quoted text with what stood
// right before its opening quote ("", "-", "name:" or "-name:").
type queryToken struct {
	prefix string
	text   string
	quoted bool
}

func isQueryQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }

// nextQueryToken returns the token at or after s[i:] and where it ends. A
// quote always delimits, so no word or value ever holds one, which lets
// Query.String quote any value safely.
func nextQueryToken(s string, i int) (queryToken, int, bool) {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	if i >= len(s) {
		return queryToken{}, i, false
	}
	start := i
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			break
		}
		if isQueryQuote(r) {
			w := s[start:i]
			if w != "" && !isQuotePrefix(w) {
				return queryToken{text: w}, i, true
			}
			i += n
			open := i
			for i < len(s) {
				r, n := utf8.DecodeRuneInString(s[i:])
				if isQueryQuote(r) {
					return queryToken{prefix: w, text: s[open:i], quoted: true}, i + n, true
				}
				i += n
			}
			// An unbalanced quote runs to the end.
			return queryToken{prefix: w, text: s[open:], quoted: true}, i, true
		}
		i += n
	}
	return queryToken{text: s[start:i]}, i, true
}

// isQuotePrefix reports whether w, written right before a quote, belongs to
// the quoted text ("-" or "name:" or "-name:") rather than being a word.
func isQuotePrefix(w string) bool {
	w = strings.TrimPrefix(w, "-")
	if w == "" {
		return true
	}
	name, rest, ok := strings.Cut(w, ":")
	return ok && rest == "" && name != "" && name[0] != '-'
}

// queryParser collects terms into groups: an OR marks that the next term
// joins the current group instead of starting one.
type queryParser struct {
	now time.Time
	q   Query
	cur *Group
	or  bool
	// not is set by a NOT: the next term is an exclusion, as with "-".
	not   bool
	terms int
}

func (p *queryParser) flush() {
	if p.cur != nil {
		p.q.Groups = append(p.q.Groups, *p.cur)
		p.cur = nil
	}
}

func (p *queryParser) add(t Term, neg bool) {
	if p.terms >= maxQueryTerms {
		return
	}
	p.terms++
	joins := p.or && p.cur != nil
	p.or = false
	switch {
	case neg:
		// "a OR -b" cannot mean "a or not b" in a search box; reading -b as
		// an exclusion and a as its own group is the likelier intent.
		p.flush()
		p.q.Not = append(p.q.Not, t)
	case joins:
		p.cur.Terms = append(p.cur.Terms, t)
	default:
		p.flush()
		p.cur = &Group{Terms: []Term{t}}
	}
}

// bare reads an unquoted token: OR, AND, an exclusion, field:value, or a
// word.
func (p *queryParser) bare(tok string) {
	switch tok {
	case "OR", "|", "||":
		p.or = true
		return
	case "AND", "&&":
		return // words are joined by AND
	}
	// NOT is no operator: pasted errors shout it ("404 NOT FOUND", "NOT
	// NULL constraint failed"), and read as one it dropped the very
	// incident that holds them. "-" excludes.
	if strings.Trim(tok, "-") == "" {
		return
	}
	t := trimOpening(tok)
	neg := false
	// "-1" and "-5%" are numbers, and "--verbose" a flag, not exclusions.
	if len(t) > 1 && t[0] == '-' && t[1] != '-' && (t[1] < '0' || t[1] > '9') {
		neg = true
		t = trimOpening(t[1:])
	}
	if name, value, ok := strings.Cut(t, ":"); ok && name != "" && p.field(name, value, false, neg) {
		return
	}
	if w := cleanWord(t); w != "" {
		p.add(Term{Value: w}, neg)
	}
}

// quoted reads a quoted text with its prefix.
func (p *queryParser) quoted(prefix, text string) {
	pre := trimOpening(prefix)
	neg := strings.HasPrefix(pre, "-")
	if neg {
		pre = pre[1:]
	}
	name := strings.TrimSuffix(pre, ":")
	if name != "" && p.field(name, text, true, neg) {
		return
	}
	if name != "" {
		// An unknown prefix stays part of the text: error:"conn refused"
		// searches for the phrase "error conn refused".
		text = name + ":" + text
	}
	if t, ok := phraseTerm("", text); ok {
		p.add(t, neg)
	}
}

// field reads name:value and reports whether it did; false means the token
// is kept as text (an unknown name, or a date that does not parse).
func (p *queryParser) field(name, value string, quoted, neg bool) bool {
	name = strings.ToLower(name)
	if after, ok := dateBoundNamed(name); ok {
		if !quoted {
			value = trimClosing(trimOpening(value))
		}
		value = strings.TrimSpace(value)
		if value == "" || neg {
			// "Not after X" is "before X" only sometimes (inclusive vs
			// exclusive), so a negated date is dropped, not guessed at.
			return true
		}
		d, ok := parseQueryDate(value, p.now)
		switch {
		case ok:
			p.bound(after, d)
		case name == "after" || name == "before" || name == "since" || name == "until" || dateShaped(value):
			// Meant as a date: left out, and the search says so (kept
			// as words, "after:2024-13-01" found nothing at all).
			if len(p.q.Ignored) < maxIgnored {
				p.q.Ignored = append(p.q.Ignored, name+":"+clipNotice(value))
			}
		default:
			return false // from:alice, to:prod — words
		}
		return true
	}
	f := fieldNamed(name)
	if f == "" {
		return false
	}
	var t Term
	switch {
	case IsTextField(f) && quoted:
		var ok bool
		if t, ok = phraseTerm(f, value); !ok {
			return true
		}
	case IsTextField(f):
		t = Term{Field: f, Value: cleanWord(value)}
	default:
		t = Term{Field: f, Value: keywordValue(f, value, quoted)}
	}
	if t.Value != "" {
		p.add(t, neg)
	}
	return true
}

// bound narrows After or Before: several after: keep the latest, several
// before: the earliest, so that every bound written holds.
func (p *queryParser) bound(after bool, d time.Time) {
	switch {
	case after && (p.q.After == nil || d.After(*p.q.After)):
		p.q.After = &d
	case !after && (p.q.Before == nil || d.Before(*p.q.Before)):
		p.q.Before = &d
	}
}

// fieldNamed returns the field a prefix names, or "". Each field's own name
// is one of its aliases, which is what Query.String writes.
func fieldNamed(name string) string {
	switch name {
	case "service", "services":
		return FieldServices
	case "tag", "tags":
		return FieldTags
	case "sev", "severity":
		return FieldSeverity
	case "status":
		return FieldStatus
	case "team", "teams":
		return FieldTeams
	case "category", "categories", "cat":
		return FieldCategories
	case "key", "id":
		return FieldKey
	case "title":
		return FieldTitle
	case "summary":
		return FieldSummary
	case "rca":
		return FieldRCA
	case "root_causes", "root_cause", "cause", "causes":
		return FieldRootCauses
	case "actions", "action":
		return FieldActions
	case "timeline", "chat", "event", "events":
		return FieldTimeline
	}
	return ""
}

// phraseTerm reads quoted text: a phrase of two or more words, else a word.
// Runs of spaces are collapsed so that the query reads back on one line.
func phraseTerm(field, text string) (Term, bool) {
	v := strings.TrimSpace(clipBytes(collapseSpace(text)))
	if strings.ContainsRune(v, ' ') {
		return Term{Field: field, Value: v, Phrase: true}, true
	}
	v = cleanWord(v)
	return Term{Field: field, Value: v}, v != ""
}

// keywordValue normalises a keyword field's value the way the index stores
// it: lower case, single spaces; severities as "sev1", keys as "inc-42".
func keywordValue(field, v string, quoted bool) string {
	if !quoted {
		v = trimClosing(trimOpening(v))
	}
	v = strings.TrimSpace(clipBytes(collapseSpace(strings.ToLower(v))))
	switch field {
	case FieldSeverity:
		if n, ok := numberAfter(v, "sev"); ok {
			return "sev" + n
		}
	case FieldKey:
		if n, ok := numberAfter(strings.TrimPrefix(v, "#"), "inc"); ok {
			return "inc-" + n
		}
	}
	return v
}

// numberAfter returns the digits of "N", "<prefix>N" or "<prefix>[-_ ]N".
func numberAfter(v, prefix string) (string, bool) {
	if rest, ok := strings.CutPrefix(v, prefix); ok {
		v = rest
		if v != "" && strings.ContainsRune("-_ ", rune(v[0])) {
			v = v[1:]
		}
	}
	if v == "" || strings.TrimLeft(v, "0123456789") != "" {
		return "", false
	}
	return v, true
}

// Punctuation that cannot begin or end a word, trimmed from a token's ends
// ("(bgp)", "bgp," and "bgp?" are bgp). What can ("C++", ".NET", "#123",
// "@alice", "-1", "5%") is kept.
const (
	openingPunct = "([{<'‘«‹¿¡,;!?*~`"
	closingPunct = ")]}>'’»›,;:!?.*~`…。，、！？：；"
)

func trimOpening(s string) string { return strings.TrimLeft(s, openingPunct) }
func trimClosing(s string) string { return strings.TrimRight(s, closingPunct) }

// cleanWord trims punctuation from a word's ends and caps its length.
func cleanWord(s string) string { return trimClosing(clipBytes(trimOpening(s))) }

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// clipBytes cuts s to at most maxTermBytes, at a rune boundary.
func clipBytes(s string) string {
	if len(s) <= maxTermBytes {
		return s
	}
	i := maxTermBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// String writes the query back in canonical syntax (ParseQuery reads it as
// the same Query), e.g. for "showing results for …". It is plain text: a
// caller rendering it into HTML escapes it.
func (q Query) String() string {
	var parts []string
	for _, g := range q.Groups {
		alts := make([]string, 0, len(g.Terms))
		for _, t := range g.Terms {
			alts = append(alts, termText(t, false))
		}
		parts = append(parts, strings.Join(alts, " OR "))
	}
	for _, t := range q.Not {
		parts = append(parts, termText(t, true))
	}
	if q.After != nil {
		parts = append(parts, "after:"+dateText(*q.After))
	}
	if q.Before != nil {
		parts = append(parts, "before:"+dateText(*q.Before))
	}
	return strings.Join(parts, " ")
}

// termText writes a term bare when that reads back as the same term, else
// quoted (a word like "OR", "-x" or "service:s3" that was typed in quotes).
func termText(t Term, neg bool) string {
	pre := ""
	if neg {
		pre = "-"
	}
	if t.Field != "" {
		pre += t.Field + ":"
	}
	if !t.Phrase && t.Value != "" && readsAs(pre+t.Value, t, neg) {
		return pre + t.Value
	}
	// A value never holds a quote when ParseQuery made it; one built by
	// hand loses its quotes rather than breaking the syntax.
	v := strings.Map(func(r rune) rune {
		if isQueryQuote(r) {
			return ' '
		}
		return r
	}, t.Value)
	return pre + `"` + v + `"`
}

// readsAs reports whether s parses as the single term t (excluded if neg).
// The fixed now is safe because relative dates are bounded (relativeUnits).
func readsAs(s string, t Term, neg bool) bool {
	q := ParseQuery(s, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if q.After != nil || q.Before != nil {
		return false
	}
	if neg {
		return len(q.Groups) == 0 && len(q.Not) == 1 && q.Not[0] == t
	}
	return len(q.Not) == 0 && len(q.Groups) == 1 && len(q.Groups[0].Terms) == 1 && q.Groups[0].Terms[0] == t
}

// dateText writes a date as a day when it is midnight, else in RFC 3339.
func dateText(t time.Time) string {
	t = t.UTC()
	if t.Equal(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)) {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339Nano)
}
