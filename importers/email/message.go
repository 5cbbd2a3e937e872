package email

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
)

// Limits of one message's MIME tree.
const (
	maxDepth     = 8
	maxParts     = 200
	maxPartBytes = 8 << 20
)

// message is what the parsers read from one mail.
type message struct {
	Subject   string
	FromName  string
	FromAddr  string
	MessageID string
	Date      time.Time // from the Date header; zero when it has none that reads
	DateText  string
	Text      string   // the text body: text/plain preferred, else HTML as text
	Incident  string   // an X-Hindsight-Incident header
	Files     []string // attachment names, not read
	Notes     []string // what could not be read exactly (charsets, sizes)
}

// readMessage parses one RFC 5322 message.
func readMessage(raw []byte) (*message, error) {
	m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, fmt.Errorf("not a readable mail (%v)", err)
	}
	msg := &message{}
	dec := &mime.WordDecoder{CharsetReader: charsetReader(&msg.Notes)}
	msg.Subject = oneLine(decodeHeader(dec, m.Header.Get("Subject"), &msg.Notes))
	if from := m.Header.Get("From"); from != "" {
		ap := mail.AddressParser{WordDecoder: dec}
		if a, err := ap.Parse(from); err == nil {
			msg.FromName, msg.FromAddr = oneLine(a.Name), a.Address
		} else {
			msg.FromName = oneLine(decodeHeader(dec, from, &msg.Notes))
		}
	}
	msg.Incident = oneLine(m.Header.Get("X-Hindsight-Incident"))
	msg.MessageID = strings.TrimSpace(strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>"))
	if d := strings.TrimSpace(m.Header.Get("Date")); d != "" {
		msg.DateText = oneLine(d)
		if t, err := mail.ParseDate(d); err == nil {
			msg.Date = t.UTC()
		} else if t, err := importers.ParseTime(d, time.UTC); err == nil {
			msg.Date = t
		}
		if !okTime(msg.Date) {
			msg.Date = time.Time{}
		}
	}
	w := &walker{msg: msg}
	w.part(textproto.MIMEHeader(m.Header), m.Body, 0)
	switch {
	case len(w.plain) > 0:
		msg.Text = strings.Join(w.plain, "\n\n")
	case len(w.html) > 0:
		parts := make([]string, len(w.html))
		for i, h := range w.html {
			parts[i] = htmlToText(h)
		}
		msg.Text = strings.Join(parts, "\n\n")
	}
	msg.Text = tidyText(msg.Text)
	return msg, nil
}

// decodeHeader reads RFC 2047 encoded words; raw 8-bit header bytes are
// read as UTF-8, else windows-1252.
func decodeHeader(dec *mime.WordDecoder, s string, notes *[]string) string {
	if !utf8.ValidString(s) {
		s = bestEffort([]byte(s))
	}
	out, err := dec.DecodeHeader(s)
	if err != nil {
		*notes = appendNote(*notes, "header: "+err.Error())
		return s
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// walker collects the text parts of a MIME tree.
type walker struct {
	msg   *message
	parts int
	plain []string
	html  []string
}

func (w *walker) part(h textproto.MIMEHeader, body io.Reader, depth int) {
	w.parts++
	if w.parts > maxParts {
		w.msg.Notes = appendNote(w.msg.Notes, fmt.Sprintf("more than %d MIME parts; the rest were not read", maxParts))
		return
	}
	ct := h.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		mediaType, params = "text/plain", map[string]string{}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name != "" {
		dec := &mime.WordDecoder{CharsetReader: charsetReader(&w.msg.Notes)}
		name = oneLine(decodeHeader(dec, name, &w.msg.Notes))
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			w.msg.Notes = appendNote(w.msg.Notes, "MIME parts nested too deep were not read")
			return
		}
		w.multipart(mediaType, params["boundary"], body, depth)
		return
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if disp == "attachment" || !isText || (name != "" && disp != "inline") {
		if name == "" {
			name = "(" + mediaType + ")"
		}
		if mediaType != "message/delivery-status" {
			w.msg.Files = append(w.msg.Files, name)
		}
		return
	}
	b, truncated, err := readPart(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		w.msg.Notes = appendNote(w.msg.Notes, "a "+mediaType+" part could not be decoded ("+err.Error()+"); read as it is")
	}
	if truncated {
		w.msg.Notes = appendNote(w.msg.Notes, fmt.Sprintf("a %s part is longer than %d MiB and was cut", mediaType, maxPartBytes>>20))
	}
	text, note := decodeCharset(b, params["charset"])
	if note != "" {
		w.msg.Notes = appendNote(w.msg.Notes, note)
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	if mediaType == "text/html" {
		w.html = append(w.html, text)
	} else {
		w.plain = append(w.plain, text)
	}
}

func (w *walker) multipart(mediaType, boundary string, body io.Reader, depth int) {
	if boundary == "" {
		w.msg.Notes = appendNote(w.msg.Notes, mediaType+" without a boundary was not read")
		return
	}
	mr := multipart.NewReader(body, boundary)
	if mediaType == "multipart/alternative" {
		// Read every alternative; keep the plain one if there is one.
		sub := &walker{msg: w.msg, parts: w.parts}
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				w.partsError(err)
				break
			}
			sub.part(p.Header, p, depth+1)
		}
		w.parts = sub.parts
		if len(sub.plain) > 0 {
			w.plain = append(w.plain, sub.plain...)
		} else {
			w.html = append(w.html, sub.html...)
		}
		return
	}
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			w.partsError(err)
			return
		}
		w.part(p.Header, p, depth+1)
	}
}

func (w *walker) partsError(err error) {
	if !errors.Is(err, io.EOF) {
		w.msg.Notes = appendNote(w.msg.Notes, "the MIME structure is broken ("+err.Error()+"); the parts after the break were not read")
	}
}

// readPart decodes a part's transfer encoding, up to maxPartBytes.
func readPart(cte string, body io.Reader) ([]byte, bool, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: body})
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	default:
		r = body
	}
	b, err := io.ReadAll(io.LimitReader(r, maxPartBytes+1))
	truncated := len(b) > maxPartBytes
	if truncated {
		b = b[:maxPartBytes]
	}
	if err != nil && strings.EqualFold(strings.TrimSpace(cte), "quoted-printable") {
		// Sloppy senders write "=" that starts no escape; read the raw text.
		return b, truncated, err
	}
	return b, truncated, err
}

// base64Cleaner drops what base64.NewDecoder chokes on besides line
// ends: spaces, tabs, and anything after the padding.
type base64Cleaner struct {
	r    io.Reader
	done bool
}

func (c *base64Cleaner) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	j := 0
	for i := 0; i < n; i++ {
		switch b := p[i]; {
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '+', b == '/', b == '=':
			p[j] = b
			j++
		case b == '-' || b == '_':
			// base64url written by mistake
			if b == '-' {
				p[j] = '+'
			} else {
				p[j] = '/'
			}
			j++
		}
	}
	return j, err
}
