package search

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// parseNow is the fixed clock of these tests; its fraction of a second makes
// relative dates exercise RFC 3339 with nanoseconds in Query.String.
var parseNow = time.Date(2026, 11, 24, 13, 41, 35, 500, time.UTC)

func qWord(v string) Term            { return Term{Value: v} }
func qPhrase(v string) Term          { return Term{Value: v, Phrase: true} }
func qIn(field, v string) Term       { return Term{Field: field, Value: v} }
func qInPhrase(field, v string) Term { return Term{Field: field, Value: v, Phrase: true} }
func qAlts(ts ...Term) Group         { return Group{Terms: ts} }
func qDay(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}
func qAt(t time.Time) *time.Time { return &t }

// groups makes one single-term group per term (words joined by AND).
func qGroups(ts ...Term) []Group {
	out := make([]Group, len(ts))
	for i, t := range ts {
		out[i] = qAlts(t)
	}
	return out
}

// sameQuery compares two queries, dates by instant.
func sameQuery(a, b Query) bool {
	sameTime := func(x, y *time.Time) bool {
		return (x == nil) == (y == nil) && (x == nil || x.Equal(*y))
	}
	return reflect.DeepEqual(a.Groups, b.Groups) && reflect.DeepEqual(a.Not, b.Not) &&
		sameTime(a.After, b.After) && sameTime(a.Before, b.Before) &&
		len(a.Ignored) == len(b.Ignored) && (len(a.Ignored) == 0 || reflect.DeepEqual(a.Ignored, b.Ignored))
}

var parseCases = []struct {
	name string
	in   string
	want Query
}{
	// Words and phrases.
	{"word", "bgp", Query{Groups: qGroups(qWord("bgp"))}},
	{"words are ANDed groups", "bgp leak", Query{Groups: qGroups(qWord("bgp"), qWord("leak"))}},
	{"case kept", "BGP Leak", Query{Groups: qGroups(qWord("BGP"), qWord("Leak"))}},
	{"misspelling untouched", "kuberentes", Query{Groups: qGroups(qWord("kuberentes"))}},
	{"unicode spaces split", "bgp\u00a0leak\u3000dns\u2003x", Query{Groups: qGroups(qWord("bgp"), qWord("leak"), qWord("dns"), qWord("x"))}},
	{"empty", "  \t\n ", Query{}},
	{"phrase", `"leap second"`, Query{Groups: qGroups(qPhrase("leap second"))}},
	{"typographic phrase", "“leap second” bgp", Query{Groups: qGroups(qPhrase("leap second"), qWord("bgp"))}},
	{"phrase spaces collapsed", "\" leap \t second \"", Query{Groups: qGroups(qPhrase("leap second"))}},
	{"phrase glued to words", `dns"leap second"bgp`, Query{Groups: qGroups(qWord("dns"), qPhrase("leap second"), qWord("bgp"))}},
	{"unbalanced quote word", `"unbalanced`, Query{Groups: qGroups(qWord("unbalanced"))}},
	{"unbalanced quote runs to end", `dns "leap second -aws`, Query{Groups: qGroups(qWord("dns"), qPhrase("leap second -aws"))}},
	{"empty phrase dropped", `"" bgp "  "`, Query{Groups: qGroups(qWord("bgp"))}},
	{"one-word phrase is a word", `"bgp"`, Query{Groups: qGroups(qWord("bgp"))}},
	{"quoted OR is a word", `dns "OR" bgp`, Query{Groups: qGroups(qWord("dns"), qWord("OR"), qWord("bgp"))}},
	{"quoted field is a word", `"service:s3"`, Query{Groups: qGroups(qWord("service:s3"))}},
	{"quoted hyphen is a word", `"-aws"`, Query{Groups: qGroups(qWord("-aws"))}},

	// Exclusions.
	{"exclusion", "-aws config", Query{Groups: qGroups(qWord("config")), Not: []Term{qWord("aws")}}},
	{"excluded phrase", `-"us east" outage`, Query{Groups: qGroups(qWord("outage")), Not: []Term{qPhrase("us east")}}},
	{"excluded one-word phrase", `-"aws"`, Query{Not: []Term{qWord("aws")}}},
	{"excluded field", "-service:S3 latency", Query{Groups: qGroups(qWord("latency")), Not: []Term{qIn(FieldServices, "s3")}}},
	{"excluded quoted field", `-team:"Platform SRE"`, Query{Not: []Term{qIn(FieldTeams, "platform sre")}}},
	{"lone hyphens ignored", "- -- bgp ---", Query{Groups: qGroups(qWord("bgp"))}},
	{"only hyphens", "- -", Query{}},
	{"negative numbers are words", "-1 -5% -0.5", Query{Groups: qGroups(qWord("-1"), qWord("-5%"), qWord("-0.5"))}},
	{"inner hyphen", "us-east-1", Query{Groups: qGroups(qWord("us-east-1"))}},
	{"double hyphen flag", "--verbose", Query{Groups: qGroups(qWord("--verbose"))}},
	{"exclusion in parens", "(-bgp)", Query{Not: []Term{qWord("bgp")}}},

	// OR.
	{"or", "dns OR bgp outage", Query{Groups: []Group{qAlts(qWord("dns"), qWord("bgp")), qAlts(qWord("outage"))}}},
	{"or chain", "a OR b OR c d", Query{Groups: []Group{qAlts(qWord("a"), qWord("b"), qWord("c")), qAlts(qWord("d"))}}},
	{"pipes", "a | b || c", Query{Groups: []Group{qAlts(qWord("a"), qWord("b"), qWord("c"))}}},
	{"lower-case or is a word", "dns or bgp", Query{Groups: qGroups(qWord("dns"), qWord("or"), qWord("bgp"))}},
	{"stray ORs ignored", "OR dns OR OR bgp OR", Query{Groups: []Group{qAlts(qWord("dns"), qWord("bgp"))}}},
	{"only ORs", "OR OR", Query{}},
	{"or then exclusion", "a OR -b", Query{Groups: qGroups(qWord("a")), Not: []Term{qWord("b")}}},
	{"exclusion then or", "-b OR c", Query{Groups: qGroups(qWord("c")), Not: []Term{qWord("b")}}},
	// AND joins (upper case); NOT is a word — pasted errors shout it.
	{"and", "dns AND bgp && s3", Query{Groups: qGroups(qWord("dns"), qWord("bgp"), qWord("s3"))}},
	{"NOT is a word", "404 NOT FOUND", Query{Groups: qGroups(qWord("404"), qWord("NOT"), qWord("FOUND"))}},
	{"NOT NULL error", "NOT NULL constraint failed", Query{Groups: qGroups(qWord("NOT"), qWord("NULL"), qWord("constraint"), qWord("failed"))}},
	{"or of fields and phrases", `service:s3 OR "leap second"`, Query{Groups: []Group{qAlts(qIn(FieldServices, "s3"), qPhrase("leap second"))}}},

	// Keyword fields.
	{"service", "service:s3", Query{Groups: qGroups(qIn(FieldServices, "s3"))}},
	{"services alias and case", "Services:S3", Query{Groups: qGroups(qIn(FieldServices, "s3"))}},
	{"quoted value", `SERVICE:"API  Gateway "`, Query{Groups: qGroups(qIn(FieldServices, "api gateway"))}},
	{"typographic quoted value", "service:“api gateway”", Query{Groups: qGroups(qIn(FieldServices, "api gateway"))}},
	{"tag", "tags:Network tag:dns", Query{Groups: qGroups(qIn(FieldTags, "network"), qIn(FieldTags, "dns"))}},
	{"severity digit", "sev:1", Query{Groups: qGroups(qIn(FieldSeverity, "sev1"))}},
	{"severity forms", `severity:SEV-1 sev:sev2 sev:"sev 3" sev:sev_4`, Query{Groups: qGroups(
		qIn(FieldSeverity, "sev1"), qIn(FieldSeverity, "sev2"), qIn(FieldSeverity, "sev3"), qIn(FieldSeverity, "sev4"))}},
	{"severity p1 kept", "sev:P1 sev:critical", Query{Groups: qGroups(qIn(FieldSeverity, "p1"), qIn(FieldSeverity, "critical"))}},
	{"status", "status:Resolved", Query{Groups: qGroups(qIn(FieldStatus, "resolved"))}},
	{"team phrase", `team:"platform sre"`, Query{Groups: qGroups(qIn(FieldTeams, "platform sre"))}},
	{"teams alias", "teams:SRE", Query{Groups: qGroups(qIn(FieldTeams, "sre"))}},
	{"category aliases", "cat:Config category:capacity categories:deploy", Query{Groups: qGroups(
		qIn(FieldCategories, "config"), qIn(FieldCategories, "capacity"), qIn(FieldCategories, "deploy"))}},
	{"key forms", "key:INC-42 id:42 key:inc42 key:#7 KEY:inc_8", Query{Groups: qGroups(
		qIn(FieldKey, "inc-42"), qIn(FieldKey, "inc-42"), qIn(FieldKey, "inc-42"), qIn(FieldKey, "inc-7"), qIn(FieldKey, "inc-8"))}},
	{"other key kept", "key:OPS-7", Query{Groups: qGroups(qIn(FieldKey, "ops-7"))}},
	{"field value punctuation", "(service:s3), key:INC-42.", Query{Groups: qGroups(qIn(FieldServices, "s3"), qIn(FieldKey, "inc-42"))}},
	{"field in parens before quote", `(service:"api gw")`, Query{Groups: qGroups(qIn(FieldServices, "api gw"))}},
	{"empty field ignored", "service:", Query{}},
	{"empty quoted field ignored", `service:"" bgp tag:`, Query{Groups: qGroups(qWord("bgp"))}},
	{"value with colon", "service:a:b", Query{Groups: qGroups(qIn(FieldServices, "a:b"))}},

	// Text fields.
	{"title word", "title:BGP", Query{Groups: qGroups(qIn(FieldTitle, "BGP"))}},
	{"summary phrase", `summary:"Leap Second"`, Query{Groups: qGroups(qInPhrase(FieldSummary, "Leap Second"))}},
	{"one-word quoted text field", `Title:"bgp"`, Query{Groups: qGroups(qIn(FieldTitle, "bgp"))}},
	{"text field aliases", "rca:a cause:b causes:c root_cause:d root_causes:e action:f actions:g chat:h event:i events:j timeline:k",
		Query{Groups: qGroups(qIn(FieldRCA, "a"), qIn(FieldRootCauses, "b"), qIn(FieldRootCauses, "c"), qIn(FieldRootCauses, "d"),
			qIn(FieldRootCauses, "e"), qIn(FieldActions, "f"), qIn(FieldActions, "g"), qIn(FieldTimeline, "h"),
			qIn(FieldTimeline, "i"), qIn(FieldTimeline, "j"), qIn(FieldTimeline, "k"))}},
	{"text field punctuation", "title:(bgp)", Query{Groups: qGroups(qIn(FieldTitle, "bgp"))}},

	// Unknown prefixes stay words.
	{"error code", "error:502", Query{Groups: qGroups(qWord("error:502"))}},
	{"url", "http://example.com/a?b=c", Query{Groups: qGroups(qWord("http://example.com/a?b=c"))}},
	{"clock time", "12:30", Query{Groups: qGroups(qWord("12:30"))}},
	{"windows path", `C:\path\file.txt`, Query{Groups: qGroups(qWord(`C:\path\file.txt`))}},
	{"unknown prefix with phrase", `error:"connection refused"`, Query{Groups: qGroups(qPhrase("error:connection refused"))}},
	{"unknown prefix excluded", "-error:502", Query{Not: []Term{qWord("error:502")}}},
	{"trailing colon word", "error: timeout", Query{Groups: qGroups(qWord("error"), qWord("timeout"))}},

	// Dates.
	{"after day", "after:2024-01-02", Query{After: qDay(2024, 1, 2)}},
	{"before year", "before:2024", Query{Before: qDay(2024, 1, 1)}},
	{"month", "after:2024-03", Query{After: qDay(2024, 3, 1)}},
	{"rfc3339", "after:2024-01-02T03:04:05Z", Query{After: qAt(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))}},
	{"rfc3339 offset", "before:2024-01-02T03:04:05+02:00", Query{Before: qAt(time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC))}},
	{"relative days", "since:30d", Query{After: qAt(parseNow.AddDate(0, 0, -30))}},
	{"relative weeks", "until:2w", Query{Before: qAt(parseNow.AddDate(0, 0, -14))}},
	{"relative months", "from:6M", Query{After: qAt(parseNow.AddDate(0, -6, 0))}},
	{"relative years", "after:1y to:0d", Query{After: qAt(parseNow.AddDate(-1, 0, 0)), Before: qAt(parseNow)}},
	{"today and yesterday", "after:yesterday before:Today", Query{After: qDay(2026, 11, 23), Before: qDay(2026, 11, 24)}},
	{"latest after, earliest before", "after:2020 after:2022 after:2021 before:2024 before:2023 before:2025",
		Query{After: qDay(2022, 1, 1), Before: qDay(2023, 1, 1)}},
	{"quoted date", `after:"2024-05-06"`, Query{After: qDay(2024, 5, 6)}},
	{"date punctuation", "(after:2024),", Query{After: qDay(2024, 1, 1)}},
	{"negated date ignored", "-after:2020 -before:junk bgp", Query{Groups: qGroups(qWord("bgp"))}},
	{"empty date ignored", "after: bgp", Query{Groups: qGroups(qWord("bgp"))}},
	// A bound meant as a date that is none is left out and noted; from: and
	// to: that are no date are words (from:alice).
	{"bad date left out", "after:garbage before:2024-13 to:alice bgp", Query{Groups: qGroups(qWord("to:alice"), qWord("bgp")),
		Ignored: []string{"after:garbage", "before:2024-13"}}},
	{"huge relative date left out", "after:99999d after:-3d", Query{Ignored: []string{"after:99999d", "after:-3d"}}},
	{"bad quoted date left out", `after:"last tuesday"`, Query{Ignored: []string{"after:last tuesday"}}},
	{"long bad date clipped", `after:"` + strings.Repeat("ab\n", 40) + `"`, Query{Ignored: []string{"after:" + strings.Repeat("ab ", 19) + "ab…"}}},
	{"from a date-shaped value is a bad date", "from:2024-02-30 to:99999d", Query{Ignored: []string{"from:2024-02-30", "to:99999d"}}},
	{"from an address or a time is words", "from:10.0.3.17 to:17:00 to:80", Query{Groups: qGroups(
		qWord("from:10.0.3.17"), qWord("to:17:00"), qWord("to:80"))}},
	{"at most a few bad dates noted", "after:a after:b after:c after:d after:e after:f", Query{
		Ignored: []string{"after:a", "after:b", "after:c", "after:d", "after:e"}}},
	{"acceptance dates and fields", "after:2020 before:2021-06 sev:1 status:resolved", Query{
		Groups: qGroups(qIn(FieldSeverity, "sev1"), qIn(FieldStatus, "resolved")),
		After:  qDay(2020, 1, 1), Before: qDay(2021, 6, 1)}},

	// Punctuation around words.
	{"surrounding punctuation", "(bgp) bgp, bgp? 'dns' [x]. ... «y»", Query{Groups: qGroups(
		qWord("bgp"), qWord("bgp"), qWord("bgp"), qWord("dns"), qWord("x"), qWord("y"))}},
	{"identifiers kept", "C++ .NET #123 @alice v1.2.3 10.0.0.1 ERR_CONN_RESET 5% $HOME", Query{Groups: qGroups(
		qWord("C++"), qWord(".NET"), qWord("#123"), qWord("@alice"), qWord("v1.2.3"), qWord("10.0.0.1"),
		qWord("ERR_CONN_RESET"), qWord("5%"), qWord("$HOME"))}},
	{"invalid utf-8 replaced", "\xff\xfe bgp", Query{Groups: qGroups(qWord("\uFFFD"), qWord("bgp"))}},
}

func TestParseQuery(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseQuery(tc.in, parseNow)
			if !sameQuery(got, tc.want) {
				t.Errorf("ParseQuery(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
			}
			// String leaves out what was ignored (it says how the text was read).
			read := got
			read.Ignored = nil
			if back := ParseQuery(got.String(), parseNow); !sameQuery(back, read) {
				t.Errorf("String() = %q reads back as %#v", got.String(), back)
			}
		})
	}
}

func TestParseQuery_Limits(t *testing.T) {
	many := strings.Repeat("w ", 150)
	q := ParseQuery(many+" -x after:2020", parseNow)
	if len(q.Groups) != maxQueryTerms || q.Not != nil || q.After != nil {
		t.Errorf("150 words: %d groups, Not %v, After %v; want %d groups and the rest dropped",
			len(q.Groups), q.Not, q.After, maxQueryTerms)
	}
	q = ParseQuery(strings.Repeat("a OR ", 120)+"a", parseNow)
	if len(q.Groups) != 1 || len(q.Groups[0].Terms) != maxQueryTerms {
		t.Errorf("121 alternatives: got %d groups; want one of %d terms", len(q.Groups), maxQueryTerms)
	}

	long := strings.Repeat("x", 5000)
	accents := strings.Repeat("é", 700) // 1,400 bytes
	q = ParseQuery(long+` "`+accents+` y" title:`+accents+` service:`+long, parseNow)
	want := Query{Groups: qGroups(
		qWord(strings.Repeat("x", maxTermBytes)),
		// " y" does not fit, so the phrase is cut to one word: a word.
		qWord(strings.Repeat("é", maxTermBytes/2)),
		qIn(FieldTitle, strings.Repeat("é", maxTermBytes/2)),
		qIn(FieldServices, strings.Repeat("x", maxTermBytes)),
	)}
	if !sameQuery(q, want) {
		t.Errorf("long terms: got lengths %v", termLengths(q))
	}
	// A cut never splits a rune.
	q = ParseQuery(strings.Repeat("x", maxTermBytes-1)+"é", parseNow)
	if got := q.Groups[0].Terms[0].Value; got != strings.Repeat("x", maxTermBytes-1) {
		t.Errorf("cut inside a rune: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

func termLengths(q Query) []int {
	var n []int
	for _, g := range q.Groups {
		for _, t := range g.Terms {
			n = append(n, len(t.Value))
		}
	}
	return n
}

func TestQuery_String(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"canonical order", `outage -aws dns OR bgp before:2021-06 Service:S3 after:2020 "leap  second"`,
			`outage dns OR bgp service:s3 "leap second" -aws after:2020-01-01 before:2021-06-01`},
		{"aliases become field names", "sev:1 cat:x cause:y chat:z id:42 teams:a",
			"severity:sev1 category:x root_causes:y timeline:z key:inc-42 team:a"},
		{"values with spaces quoted", `team:"platform sre" title:"leap second"`, `team:"platform sre" title:"leap second"`},
		{"words that would change are quoted", `"OR" "-aws" "service:s3" "after:2020" "|" -"1" "--"`,
			`"OR" "-aws" "service:s3" "after:2020" "|" "--" -"1"`},
		{"relative date in full", "after:30d before:today",
			"after:2026-10-25T13:41:35.0000005Z before:2026-11-24"},
		{"unknown prefix", `error:502 error:"conn refused"`, `error:502 "error:conn refused"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseQuery(tc.in, parseNow).String(); got != tc.want {
				t.Errorf("ParseQuery(%q).String() = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestQuery_StringHandBuilt(t *testing.T) {
	// A value built by hand with quotes in it must not break the syntax.
	q := Query{Groups: qGroups(qPhrase(`say "hi" now`))}
	if got, want := q.String(), `"say  hi  now"`; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Add(`a OR -"b c" OR service:"x y" after:1y before:2024-02-30 “z”`)
	f.Add("\"\xff\" -\u00a0OR key:\"#0\" sev:\"SEV  -1\"")
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s, parseNow)
		n := len(q.Not)
		for _, g := range q.Groups {
			if len(g.Terms) == 0 {
				t.Fatalf("empty group in %#v", q)
			}
			n += len(g.Terms)
		}
		if n > maxQueryTerms {
			t.Fatalf("%d terms", n)
		}
		for _, tm := range append(flatTerms(q), q.Not...) {
			if tm.Value == "" || len(tm.Value) > maxTermBytes || !utf8.ValidString(tm.Value) {
				t.Fatalf("bad term %#v", tm)
			}
		}
		if len(q.Ignored) > maxIgnored {
			t.Fatalf("%d ignored", len(q.Ignored))
		}
		text := q.String()
		back := ParseQuery(text, parseNow)
		read := q
		read.Ignored = nil
		if !sameQuery(back, read) {
			t.Fatalf("ParseQuery(%q)\n= %#v\nString() = %q\nreads back as %#v", s, q, text, back)
		}
		if again := back.String(); again != text {
			t.Fatalf("String() not stable: %q then %q", text, again)
		}
	})
}

func flatTerms(q Query) []Term {
	var ts []Term
	for _, g := range q.Groups {
		ts = append(ts, g.Terms...)
	}
	return ts
}
