package email

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
)

// maxMessageBytes caps one message of an mbox; a longer one is rejected
// and skipped without holding it in memory. A variable so tests can lower it.
var maxMessageBytes = 32 << 20

// mboxMessage is one message cut out of an mbox.
type mboxMessage struct {
	n        int    // 1-based number in the file
	fromLine string // the "From " separator line, without "From "
	raw      []byte // the message, ">From " lines unescaped
	tooLong  bool
}

// mboxReader cuts an mbox (mboxo or mboxrd) into messages. A message
// starts at the first line, and at every "From " line that reads like a
// separator ("From sender Mon Jan 15 12:30:45 2024"), with or without the
// blank line before it that some writers leave out; after a blank line a
// time of day is enough. An unquoted "From here on" in a body, which
// careless writers leave, does not split the message. Quoted ">From "
// lines lose one ">".
type mboxReader struct {
	br       *bufio.Reader
	next     string // the separator line that starts the next message
	n        int
	started  bool
	lastLine []byte
}

func newMboxReader(r io.Reader) *mboxReader {
	return &mboxReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// fromLineRe matches the rest of a separator: an address (or
// MAILER-DAEMON) and an asctime date.
var fromLineRe = regexp.MustCompile(`^\S+\s+(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{1,2}:\d{2}`)

// clockRe finds a time of day: with it, a "From " line after a blank line
// is a separator even when its date is of an odd shape.
var clockRe = regexp.MustCompile(`\b\d{1,2}:\d{2}(:\d{2})?\b`)

// Next returns the next message, or io.EOF.
func (m *mboxReader) Next() (mboxMessage, error) {
	if !m.started {
		m.started = true
		line, err := m.line()
		if err != nil && len(line) == 0 {
			if errors.Is(err, io.EOF) {
				return mboxMessage{}, io.EOF
			}
			return mboxMessage{}, err
		}
		if !bytes.HasPrefix(line, []byte("From ")) {
			return mboxMessage{}, errors.New(`does not start with a "From " line`)
		}
		m.next = string(bytes.TrimRight(line[5:], "\r\n"))
	}
	if m.next == "" && m.n > 0 {
		return mboxMessage{}, io.EOF
	}
	m.n++
	msg := mboxMessage{n: m.n, fromLine: m.next}
	m.next = ""
	var buf bytes.Buffer
	prevBlank, atStart := true, true
	for {
		line, err := m.line()
		if len(line) > 0 {
			start := atStart
			atStart = line[len(line)-1] == '\n'
			if start && bytes.HasPrefix(line, []byte("From ")) {
				rest := bytes.TrimRight(line[5:], "\r\n")
				if fromLineRe.Match(rest) || prevBlank && clockRe.Match(rest) {
					m.next = string(rest)
					if m.next == "" {
						m.next = " " // a bare "From " line still separates
					}
					break
				}
			}
			if unquoted, ok := unquoteFrom(line); ok && start {
				line = unquoted
			}
			if !msg.tooLong {
				if buf.Len()+len(line) > maxMessageBytes {
					msg.tooLong = true
					buf.Reset()
				} else {
					buf.Write(line)
				}
			}
			prevBlank = start && len(bytes.TrimRight(line, "\r\n")) == 0
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return msg, err
		}
	}
	if !msg.tooLong {
		msg.raw = trimSeparatorBlank(buf.Bytes())
	}
	return msg, nil
}

// line reads one line with its end; overlong lines come in pieces, which
// is fine since only a piece at a line start is looked at.
func (m *mboxReader) line() ([]byte, error) {
	line, err := m.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		err = nil
	}
	return line, err
}

// unquoteFrom turns mboxrd's ">From ", ">>From " … back into one ">" less.
func unquoteFrom(line []byte) ([]byte, bool) {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i == 0 || !bytes.HasPrefix(line[i:], []byte("From ")) {
		return line, false
	}
	return line[1:], true
}

// trimSeparatorBlank drops the blank line that separates a message from
// the next "From " line.
func trimSeparatorBlank(b []byte) []byte {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n\r\n")):
		return b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n\n")):
		return b[:len(b)-1]
	}
	return b
}

// fromLineLayouts are the date shapes of separator lines.
var fromLineLayouts = []string{
	"Mon Jan _2 15:04:05 2006",
	"Mon Jan _2 15:04:05 2006 -0700",
	"Mon Jan _2 15:04:05 -0700 2006",
	"Mon Jan _2 15:04:05 MST 2006",
	"Mon Jan _2 15:04 2006",
}

// fromLineDate reads the date of a separator line ("MAILER-DAEMON Mon Jan
// 15 12:30:45 2024"); dates without a zone are read in loc.
func fromLineDate(line string, loc *time.Location) (time.Time, string, bool) {
	_, rest, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok {
		return time.Time{}, "", false
	}
	rest = strings.Join(strings.Fields(rest), " ")
	for _, l := range fromLineLayouts {
		if t, err := time.ParseInLocation(l, rest, loc); err == nil && okTime(t) {
			return t.UTC(), rest, true
		}
	}
	return time.Time{}, "", false
}
