package email

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// decodeCharset turns b, written in charset, into UTF-8. It reads every
// charset browsers know (utf-8, us-ascii, iso-8859-*, windows-125*,
// koi8-r, shift_jis, gb18030, …). Bytes that are not valid in the charset
// named, or in one nobody knows, are read as UTF-8 where they are valid and
// as windows-1252 where not, and note says so.
func decodeCharset(b []byte, charset string) (text, note string) {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968":
		if utf8.Valid(b) {
			return string(b), ""
		}
		if cs == "" || strings.Contains(cs, "ascii") {
			// Undeclared 8-bit text is usually Latin-1 in the wild.
			return fromWindows1252(b), ""
		}
		return bestEffort(b), "text is not valid UTF-8 although the mail says so; invalid bytes were read as windows-1252"
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return bestEffort(b), fmt.Sprintf("unknown charset %q; read as UTF-8 where valid", charset)
	}
	out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(b)))
	if err != nil {
		return bestEffort(b), fmt.Sprintf("charset %q could not be decoded (%v); read as UTF-8 where valid", charset, err)
	}
	return string(out), ""
}

// bestEffort keeps valid UTF-8 runs and reads other bytes as windows-1252.
func bestEffort(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteString(fromWindows1252(b[:1]))
			b = b[1:]
			continue
		}
		sb.Write(b[:n])
		b = b[n:]
	}
	return sb.String()
}

func fromWindows1252(b []byte) string {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// charsetReader lets mime.WordDecoder read any charset decodeCharset
// knows; it never fails, so that a subject in an odd charset still reads.
func charsetReader(notes *[]string) func(charset string, input io.Reader) (io.Reader, error) {
	return func(charset string, input io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(io.LimitReader(input, 1<<20))
		if err != nil {
			return nil, err
		}
		text, note := decodeCharset(b, charset)
		if note != "" && notes != nil {
			*notes = appendNote(*notes, "header: "+note)
		}
		return strings.NewReader(text), nil
	}
}

func appendNote(notes []string, n string) []string {
	for _, x := range notes {
		if x == n {
			return notes
		}
	}
	return append(notes, n)
}
