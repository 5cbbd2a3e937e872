package search

import (
	"html"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// escapeRef is escape as it was first written: tabs and line breaks as
// spaces and bytes that are not UTF-8 as U+FFFD (strings.Map), then
// html.EscapeString.
func escapeRef(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") && utf8.ValidString(s) {
		return html.EscapeString(s)
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return html.EscapeString(strings.ToValidUTF8(s, "\uFFFD"))
}

// TestEscape_SameAsReference: the one-pass escape gives what the
// reference does, on chosen cases and on random strings of ASCII,
// entities, multi-byte runes, a genuine U+FFFD and broken bytes.
func TestEscape_SameAsReference(t *testing.T) {
	cases := []string{"", "plain", `<script>alert("x")</script>`, "a & b 'c'", "line\nbreak\r\n\ttab",
		"caf\xc3\xa9", "bad \xff\xfe bytes", "cut \xe2\x82", "\uFFFD real", "日本語 <b>", "\x00nul"}
	pieces := []string{"a", "Z", " ", "<", ">", "&", "'", `"`, "\n", "\r", "\t", "é", "日", "\xff", "\xe2\x82",
		"\uFFFD", "😀", "\x80", "x"}
	r := rand.New(rand.NewPCG(4, 4))
	for range 5000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		cases = append(cases, sb.String())
	}
	for _, c := range cases {
		if got, want := escape(c), escapeRef(c); got != want {
			t.Fatalf("escape(%q) = %q, want %q", c, got, want)
		}
	}
}

// TestLowerASCII: eight bytes at a time, the same as byte by byte, on
// every byte value in every position.
func TestLowerASCII(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for n := range 40 {
		for range 300 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(r.IntN(256))
			}
			want := make([]byte, n)
			for i, c := range b {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				want[i] = c
			}
			got := append([]byte(nil), b...)
			lowerASCII(got)
			if string(got) != string(want) {
				t.Fatalf("lowerASCII(%q) = %q, want %q", b, got, want)
			}
		}
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	got := append([]byte(nil), all...)
	lowerASCII(got)
	for i, c := range got {
		if want := byte(i); (want >= 'A' && want <= 'Z' && c != want+32) || (!(want >= 'A' && want <= 'Z') && c != want) {
			t.Fatalf("byte %#x became %#x", i, c)
		}
	}
}
