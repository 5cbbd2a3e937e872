package search

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

// The analyzers of the index, registered with bleve's registry under these
// names so a mapping can name them.
const (
	// AnalyzerText analyses prose (titles, summaries, RCA sections, root
	// causes, actions, timeline text): English words are lower-cased, stop
	// words dropped and stems indexed, while error codes, hostnames, IPs,
	// paths and snake_case/CamelCase identifiers are indexed whole and by
	// their parts, so "ERR_CONN_RESET", "conn reset" and "reset" all find
	// the same incident.
	AnalyzerText = "hindsight_text"
	// AnalyzerKeyword keeps a whole value (a service, tag, severity, key…)
	// as one lower-cased term with surrounding space trimmed and inner
	// space collapsed, so "Payments  API" and "payments api" are one value.
	AnalyzerKeyword = "hindsight_keyword"
)

// Names of the components the analyzers are built from.
const (
	tokenizerText    = "hindsight_tokenizer"
	tokenizerKeyword = "hindsight_keyword_tokenizer"
	filterParts      = "hindsight_parts"
	filterEnglish    = "hindsight_english"
)

// bleve looks analyzers up by name in a global registry, so registering in
// init is the only way a mapping (and an index opened later) can find them.
func init() {
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("search: registering analysis: %v", err))
		}
	}
	must(registry.RegisterTokenizer(tokenizerText, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return textTokenizer{}, nil
	}))
	must(registry.RegisterTokenizer(tokenizerKeyword, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return keywordTokenizer{}, nil
	}))
	must(registry.RegisterTokenFilter(filterParts, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return partsFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(filterEnglish, newEnglishFilter))
	must(registry.RegisterAnalyzer(AnalyzerText, func(_ map[string]interface{}, c *registry.Cache) (analysis.Analyzer, error) {
		tok, err := c.TokenizerNamed(tokenizerText)
		if err != nil {
			return nil, err
		}
		parts, err := c.TokenFilterNamed(filterParts)
		if err != nil {
			return nil, err
		}
		english, err := c.TokenFilterNamed(filterEnglish)
		if err != nil {
			return nil, err
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: []analysis.TokenFilter{parts, english}}, nil
	}))
	must(registry.RegisterAnalyzer(AnalyzerKeyword, func(_ map[string]interface{}, c *registry.Cache) (analysis.Analyzer, error) {
		tok, err := c.TokenizerNamed(tokenizerKeyword)
		if err != nil {
			return nil, err
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tok}, nil
	}))
}

// textAnalyzer is AnalyzerText built once for AnalyzeTerms; the analyzer
// holds no state between calls, so sharing it is safe.
var textAnalyzer = sync.OnceValues(func() (analysis.Analyzer, error) {
	return registry.NewCache().AnalyzerNamed(AnalyzerText)
})

// AnalyzeTerms is the terms AnalyzerText makes of text, in order (a whole
// identifier comes before its parts). It is nil when the analyzer cannot be
// built, which only a broken registration causes.
func AnalyzeTerms(text string) []string {
	a, err := textAnalyzer()
	if err != nil || text == "" {
		return nil
	}
	tokens := a.Analyze([]byte(text))
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = string(t.Term)
	}
	return out
}

// Rune classes of the text tokenizer.
const (
	classOther  = iota
	classWord   // a letter, digit or mark that joins its neighbours
	classSingle // a Han, kana, Hangul or Thai rune: a token by itself
	classJoiner // may join two word runes into one token
)

// asciiClass is the class of each ASCII byte, so the common case costs a
// table lookup rather than a Unicode range search.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = classWord
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = classWord
		t[c-'a'+'A'] = classWord
	}
	for _, c := range ".-_:/@#'" {
		t[c] = classJoiner
	}
	return t
}()

// singleScripts are the scripts written without spaces between words; each
// rune becomes a token so the text is searchable at all (a query is cut the
// same way, so a phrase query matches the run of runes).
var singleScripts = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai}

// rightQuote is the typographic apostrophe, a joiner like '.
const rightQuote = '\u2019'

// runeClass is the class of r.
func runeClass(r rune) uint8 {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	switch {
	case r == rightQuote:
		return classJoiner
	case r == utf8.RuneError:
		return classOther
	case r == '\u30FC' || r == '\uFF70':
		// The kana prolonged-sound mark belongs to no script but is
		// written as part of a katakana word.
		return classSingle
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		if unicode.IsOneOf(singleScripts, r) {
			return classSingle
		}
		return classWord
	case unicode.IsMark(r):
		return classWord
	}
	return classOther
}

// decode is the rune at s[i:] and its width, fast for ASCII.
func decode(s []byte, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(s[i:])
}

// textTokenizer cuts text into words, keeping identifiers whole: a single
// joiner between two word runes stays inside the token, so
// "db-1.prod.example.com", "10.0.0.12", "ERR_CONN_RESET" and "don't" are
// one token each, while "https://x" splits at "://" and a full stop ends
// a sentence, not a token.
type textTokenizer struct{}

// Tokenize implements analysis.Tokenizer. Terms are slices of input and the
// tokens live in a few shared arrays, so a token costs no allocation of its
// own (indexing speed depends on it). The input is never written.
func (textTokenizer) Tokenize(input []byte) analysis.TokenStream {
	est := len(input)/7 + 1
	arena := make([]analysis.Token, 0, est)
	out := make(analysis.TokenStream, 0, est)
	emit := func(start, end int, typ analysis.TokenType) {
		if len(arena) == cap(arena) {
			// Earlier tokens keep pointing into the old array, which stays alive.
			arena = make([]analysis.Token, 0, cap(arena)*2)
		}
		arena = append(arena, analysis.Token{
			Start: start, End: end, Term: input[start:end:end],
			Position: len(out) + 1, Type: typ,
		})
		out = append(out, &arena[len(arena)-1])
	}
	for i := 0; i < len(input); {
		r, w := decode(input, i)
		switch runeClass(r) {
		case classSingle:
			end := i + w
			for end < len(input) { // combining marks stay with their rune
				r2, w2 := decode(input, end)
				if r2 < utf8.RuneSelf || !unicode.IsMark(r2) {
					break
				}
				end += w2
			}
			emit(i, end, analysis.Ideographic)
			i = end
		case classWord:
			end, numeric := scanWord(input, i)
			typ := analysis.AlphaNumeric
			if numeric {
				typ = analysis.Numeric
			}
			emit(i, end, typ)
			i = end
		default:
			i += w
		}
	}
	return out
}

// scanWord is the end of the token starting at the word rune at start, and
// whether it holds only digits (and joiners).
func scanWord(s []byte, start int) (end int, numeric bool) {
	numeric = true
	i := start
	for i < len(s) {
		r, w := decode(s, i)
		switch runeClass(r) {
		case classWord:
			if r < '0' || r > '9' {
				numeric = false
			}
			i += w
			continue
		case classJoiner:
			if i+w < len(s) {
				if r2, _ := decode(s, i+w); runeClass(r2) == classWord {
					if r == '\'' || r == rightQuote {
						numeric = false
					}
					i += w
					continue
				}
			}
		}
		break
	}
	return i, numeric
}

// englishFilter lower-cases every token, removes possessives, and drops
// English stop words and stems English words — but only ordinary words and
// parts: a whole identifier (KeyWord) is kept as written, and only tokens of
// letters alone are stemmed, so "sev1", "10.0.0.12" and "ERR_CONN_RESET"
// are never mangled.
//
// It lower-cases itself rather than use bleve's to_lower, which rewrites
// the term in place: a whole identifier and its parts share bytes, and a
// rune whose lower case is shorter (İ, the Kelvin sign) would shift the
// bytes under the parts.
type englishFilter struct {
	stop       analysis.TokenMap
	possessive analysis.TokenFilter
	stemmer    analysis.TokenFilter
	// stems holds *stemCache values. Stemming costs three allocations a
	// word and a corpus repeats a small vocabulary, so remembering stems
	// makes analysis several times faster; a pool gives each goroutine
	// its own map without locks.
	stems sync.Pool
}

// stemCache maps words to their stems. The stems are shared between the
// tokens of every stream, so nothing may write into a term's bytes after
// this filter (bleve's own filters replace terms rather than write them,
// except to_lower, which has nothing left to change).
type stemCache map[string][]byte

// maxStems bounds a stemCache; a full one starts again empty.
const maxStems = 1 << 15

func newEnglishFilter(_ map[string]interface{}, c *registry.Cache) (analysis.TokenFilter, error) {
	stop, err := c.TokenMapNamed(en.StopName)
	if err != nil {
		return nil, err
	}
	possessive, err := c.TokenFilterNamed(en.PossessiveName)
	if err != nil {
		return nil, err
	}
	stemmer, err := c.TokenFilterNamed(en.SnowballStemmerName)
	if err != nil {
		return nil, err
	}
	f := &englishFilter{stop: stop, possessive: possessive, stemmer: stemmer}
	f.stems.New = func() any { c := make(stemCache, 1024); return &c }
	return f, nil
}

// Filter implements analysis.TokenFilter.
func (f *englishFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	var buf []byte // lower-cased terms, so the input is never written
	one := make(analysis.TokenStream, 1)
	stems := f.stems.Get().(*stemCache)
	defer f.stems.Put(stems)
	out := input[:0]
	for _, t := range input {
		t.Term, buf = lower(t.Term, buf)
		one[0] = t
		f.possessive.Filter(one)
		if len(t.Term) == 0 {
			continue
		}
		if !t.KeyWord {
			if _, isStop := f.stop[string(t.Term)]; isStop {
				continue
			}
			if lettersOnly(t.Term) {
				t.Term = f.stem(*stems, t, one)
			}
		}
		out = append(out, t)
	}
	return out
}

// stem is t's term stemmed, from cache when it can be; one is a stream
// of t alone to hand to the stemmer.
func (f *englishFilter) stem(cache stemCache, t *analysis.Token, one analysis.TokenStream) []byte {
	if s, ok := cache[string(t.Term)]; ok {
		return s
	}
	word := string(t.Term)
	f.stemmer.Filter(one)
	if len(cache) >= maxStems {
		clear(cache)
	}
	s := t.Term[:len(t.Term):len(t.Term)]
	cache[word] = s
	return s
}

// lower is term in lower case, with the typographic apostrophe made plain
// so "don’t" and "don't" are one term. A term already in lower case is
// returned as is; otherwise the result is appended to buf (returned grown).
func lower(term, buf []byte) ([]byte, []byte) {
	i := 0
	for i < len(term) {
		c := term[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			break
		}
		i++
	}
	if i == len(term) {
		return term, buf
	}
	start := len(buf)
	buf = append(buf, term[:i]...)
	for i < len(term) {
		r, w := decode(term, i)
		switch {
		case r == rightQuote:
			buf = append(buf, '\'')
		case r == utf8.RuneError && w == 1:
			buf = append(buf, term[i])
		default:
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		}
		i += w
	}
	return buf[start:len(buf):len(buf)], buf
}

// lettersOnly says whether b is a non-empty run of letters (marks allowed
// after the first), which is what the English stemmer may touch.
func lettersOnly(b []byte) bool {
	for i := 0; i < len(b); {
		r, w := decode(b, i)
		if !unicode.IsLetter(r) && (i == 0 || !unicode.IsMark(r)) {
			return false
		}
		i += w
	}
	return len(b) > 0
}

// keywordTokenizer makes the whole input one token: lower case, trimmed,
// inner white space collapsed to one space. Blank input makes no token.
type keywordTokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (keywordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	s := string(input)
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return nil
	}
	start := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	term := strings.Join(strings.Fields(strings.ToLower(trimmed)), " ")
	return analysis.TokenStream{{
		Start: start, End: start + len(trimmed), Term: []byte(term),
		Position: 1, Type: analysis.AlphaNumeric,
	}}
}
