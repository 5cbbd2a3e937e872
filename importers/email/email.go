// Package email reads alert notification mails: an mbox file (mboxo or
// mboxrd), a single .eml message (RFC 5322), or a folder or zip of them
// (.eml, .mbox, and Maildir cur/new files). Bodies are read through MIME
// (multipart, quoted-printable, base64, RFC 2047 subjects, any charset a
// browser knows); text/plain is preferred, HTML is turned into text, and
// attachments are only named.
//
// Mails of known tools are read by their patterns and carry the tool as
// their source:
//
//   - nagios / icinga: the default notify-host-by-email /
//     notify-service-by-email mails ("** PROBLEM Service Alert: web01/HTTP
//     is CRITICAL **"), Icinga 2's mail-host/service-notification.sh mails
//     ("[PROBLEM] HTTP on web01 is CRITICAL!"); the body's Date/Time (When)
//     wins over the Date header. Alert id host!service, as Icinga names it.
//   - cacti: thold threshold and baseline mails ("ALERT: web01 - Traffic -
//     eth0 [traffic_in] went above threshold of 100 with 250", "NORMAL: …
//     restored to normal threshold …"). Alert id: threshold name and data
//     source.
//   - munin: munin-limits' default message ("group :: host :: graph" with
//     CRITICALs / WARNINGs / UNKNOWNs / OKs lines); one event per message
//     in the mail. Alert id group;host;plugin (the graph title when the
//     subject does not name the plugin).
//
// Any other mail is read generically, with source "email": the subtype
// from the first status word of the subject (PROBLEM, ALERT, CRITICAL,
// DOWN, FIRING, TRIGGERED → trigger; RECOVERY, RESOLVED, OK, UP, CLEARED →
// resolve; ACK → acknowledge; none → other), the subject as title, the
// start of the body as details, the sender's name as actor, and the subject
// without its status words as alert id, so a mail's trigger and resolve
// fold together.
//
// An event's time is the Date header (the body's own time for Nagios and
// Icinga mails), else the mbox "From " line's date; a mail with neither is
// rejected. Its id is the Message-ID, else a hash of date, sender and
// subject. A mail names a Hindsight incident with a "hindsight:INC-7" tag,
// or an "Incident: INC-7" line in its body, or an X-Hindsight-Incident
// header.
package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
)

// Source is the source of mails no known pattern matched; known tools'
// mails carry the tool's name instead.
const Source = "email"

// Importer reads notification mails from mbox and .eml files.
type Importer struct{}

// New returns the e-mail importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. Messages that cannot be read are
// rejected with their number in the mbox (1 for an .eml file).
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	p := &parser{sink: sink, loc: loc}
	if in.FS == nil {
		if in.Open == nil {
			return fmt.Errorf("email: %s: nothing to read", in.Name)
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("email: open %s: %w", in.Name, err)
		}
		defer rc.Close()
		return p.file(ctx, in.Name, rc)
	}
	names, err := mailFiles(in.FS)
	if err != nil {
		return fmt.Errorf("email: %s: %w", in.Name, err)
	}
	for _, name := range names {
		f, err := in.FS.Open(name)
		if err != nil {
			return fmt.Errorf("email: open %s: %w", name, err)
		}
		err = p.file(ctx, name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// mailFiles lists the mail files of a folder: .eml, .mbox, .mbx, and the
// files of Maildir cur/ and new/ folders.
func mailFiles(fsys fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := path.Base(p)
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(base, ".") || base == "__MACOSX") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(base, ".") {
			return nil
		}
		switch strings.ToLower(path.Ext(base)) {
		case ".eml", ".mbox", ".mbx":
			names = append(names, p)
			return nil
		}
		if dir := path.Base(path.Dir(p)); dir == "cur" || dir == "new" {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no .eml or .mbox file (nor a Maildir) in it")
	}
	sort.Strings(names)
	return names, nil
}

// parser turns messages into events.
type parser struct {
	sink importers.Sink
	loc  *time.Location
}

// file reads one mbox or one message, told apart by the first line.
func (p *parser) file(ctx context.Context, name string, r io.Reader) error {
	mr := newMboxReader(r)
	head, err := mr.br.Peek(5)
	if len(head) == 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("email: read %s: %w", name, err)
		}
		return fmt.Errorf("email: %s is empty: want an mbox or an e-mail message (.eml)", name)
	}
	if string(head) != "From " {
		return p.single(name, mr)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := mr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("email: read %s message %d: %w", name, m.n, err)
		}
		if m.tooLong {
			p.reject(name, m.n, "", fmt.Sprintf("message is larger than %d MiB", maxMessageBytes>>20))
			continue
		}
		if err := p.message(name, m.n, m.raw, m.fromLine); err != nil {
			return err
		}
	}
}

// single reads a file holding one message.
func (p *parser) single(name string, mr *mboxReader) error {
	first, _ := mr.br.Peek(256)
	if !looksLikeHeader(first) {
		return fmt.Errorf("email: %s is neither an mbox (first line \"From …\") nor an e-mail message (header lines \"Name: value\")", name)
	}
	raw, err := io.ReadAll(io.LimitReader(mr.br, int64(maxMessageBytes)+1))
	if err != nil {
		return fmt.Errorf("email: read %s: %w", name, err)
	}
	if len(raw) > maxMessageBytes {
		return fmt.Errorf("email: %s is larger than %d MiB; a single message that big is no alert", name, maxMessageBytes>>20)
	}
	return p.message(name, 1, raw, "")
}

// looksLikeHeader says whether b starts with a header field ("Name:");
// field names in the wild are letters, digits and dashes.
func looksLikeHeader(b []byte) bool {
	b = trimBOM(b)
	for i, c := range b {
		switch {
		case c == ':':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return false
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return b[3:]
	}
	return b
}

func (p *parser) reject(file string, n int, field, reason string) {
	p.sink.Reject(importers.Rejection{File: file, Line: n, Field: field, Reason: reason})
}

// message reads one message and hands over its events; only a sink
// failure is returned.
func (p *parser) message(file string, n int, raw []byte, fromLine string) error {
	msg, err := readMessage(trimBOM(raw))
	if err != nil {
		p.reject(file, n, "", err.Error())
		return nil
	}
	at, atText := msg.Date, msg.DateText
	if at.IsZero() {
		t, text, ok := fromLineDate(fromLine, p.loc)
		if !ok {
			reason := "has no Date header and no mbox \"From \" line date"
			if msg.DateText != "" {
				reason = "Date header " + quote(msg.DateText) + " does not read as a date, and there is no mbox \"From \" line date"
			}
			p.reject(file, n, "Date", "message "+describe(msg, n)+" "+reason)
			return nil
		}
		at, atText = t, text
	}
	mc := &mailContext{msg: msg, at: at, atText: atText, loc: p.loc}
	for i, a := range recognize(mc) {
		a.ID = mc.id(i)
		finish(&a, msg)
		if err := p.sink.Event(a.event()); err != nil {
			return err
		}
	}
	return nil
}

// describe names a message in a rejection: its subject, else its number.
func describe(msg *message, n int) string {
	if msg != nil && msg.Subject != "" {
		return quote(msg.Subject)
	}
	return fmt.Sprintf("#%d", n)
}

func quote(s string) string {
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return `"` + s + `"`
}
