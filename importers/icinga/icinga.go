// Package icinga reads Icinga 2 event-stream JSON: the objects the
// /v1/events API streams one per line (CheckResult, StateChange,
// Notification, AcknowledgementSet/Cleared, CommentAdded/Removed,
// Downtime*, Flapping, Object*), captured to a file or forwarded live.
//
// Icinga 2 has no outgoing webhooks of its own, so the hook takes what a
// small relay forwards: one event-stream object per delivery, or an array
// (or JSON Lines) of them. Both the file import and the hook also take the
// notification macros that Nagios and Icinga notification scripts work
// with, as a JSON object (or a form post) keyed by macro name:
// NOTIFICATIONTYPE, HOSTNAME, SERVICEDESC, SERVICESTATE, SERVICEOUTPUT,
// LONGDATETIME, NOTIFICATIONAUTHORNAME, NOTIFICATIONCOMMENT, … (also with a
// NAGIOS_ or ICINGA_ prefix, as the environment hands them to scripts, or as
// Icinga 2 runtime macro names such as "service.state").
//
// Every event is an alert event whose alert id is "host!service" (the
// host alone for host checks), Icinga's own name for the checkable.
// CheckResult events are all kept, as subtype "check": streams are usually
// captured with a filter already (the API's filter parameter), and the
// check results around a state change are the evidence.
//
// An event names a Hindsight incident with a top-level "incident" or
// "hindsight_incident" field (a relay can add it), the INCIDENT or
// HINDSIGHT_INCIDENT macro (also as the custom variables _SERVICEINCIDENT /
// _HOSTINCIDENT), a "hindsight:INC-7" tag in a comment, or, for the hook,
// an incident query parameter.
package icinga

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// Source is the events' source name.
const Source = "icinga"

// maxLineBytes caps one JSON line of a stream capture; a longer line is
// rejected without holding it in memory.
const maxLineBytes = 16 << 20

// Importer reads Icinga 2 event-stream captures and notification macros,
// from files and from live deliveries.
type Importer struct{}

// New returns the Icinga importer and hook parser.
func New() Importer { return Importer{} }

// Source implements importers.Importer and importers.HookParser.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. The file is JSON Lines (a captured
// /v1/events stream), a JSON array of events, or one event object (pretty
// printed or not); records that cannot be read are rejected by their
// 1-based record number.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	if in.FS != nil || in.Open == nil {
		return fmt.Errorf("icinga: %s: want one file of Icinga 2 event-stream JSON, not a folder or zip", in.Name)
	}
	rc, err := in.Open()
	if err != nil {
		return fmt.Errorf("icinga: open %s: %w", in.Name, err)
	}
	defer rc.Close()
	p := parser{}
	return eachRecord(ctx, in.Name, rc, func(n int, raw []byte) error {
		alerts, ferr := p.record(raw)
		if ferr != nil {
			sink.Reject(importers.Rejection{File: in.Name, Line: n, Field: ferr.Field, Reason: ferr.Reason})
			return nil
		}
		for _, a := range alerts {
			if err := sink.Event(a.Event(Source)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ParseDelivery implements importers.HookParser: one event-stream object,
// an array or JSON Lines of them, or notification macros as JSON or a form
// post. Any record that cannot be read refuses the whole delivery.
func (Importer) ParseDelivery(ctx context.Context, d importers.Delivery, sink importers.Sink) error {
	p := parser{delivery: &d, incident: strings.TrimSpace(d.Query.Get("incident"))}
	// A JSON body sent as a form (curl -d without a Content-Type) is JSON.
	trimmed := bytes.TrimSpace(d.Body)
	looksJSON := len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
	if d.ContentType == "application/x-www-form-urlencoded" && !looksJSON {
		form, err := url.ParseQuery(string(d.Body))
		if err != nil {
			return fmt.Errorf("form body: %w", err)
		}
		m := map[string]string{}
		for k, v := range form {
			if len(v) > 0 {
				m[k] = v[0]
			}
		}
		a, ferr := p.macros(m)
		if ferr != nil {
			return ferr
		}
		return sink.Event(a.Event(Source))
	}
	var alerts []importers.Alert
	count := 0
	err := eachRecord(ctx, "body", bytes.NewReader(d.Body), func(n int, raw []byte) error {
		count++
		as, ferr := p.record(raw)
		if ferr != nil {
			if ferr.Field != "" {
				ferr.Field = fmt.Sprintf("[%d].%s", n-1, ferr.Field)
			} else {
				ferr.Field = fmt.Sprintf("[%d]", n-1)
			}
			return ferr
		}
		alerts = append(alerts, as...)
		return nil
	})
	if err != nil {
		return err
	}
	if count == 0 {
		return errors.New("body holds no event")
	}
	for _, a := range alerts {
		if err := sink.Event(a.Event(Source)); err != nil {
			return err
		}
	}
	return nil
}

// fieldError says which field of a record could not be read.
type fieldError struct {
	Field  string
	Reason string
}

func (e *fieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// eachRecord finds the shape of r (a JSON array, JSON Lines, or one or
// more JSON values one after the other) and hands fn every record with its
// 1-based number. A JSON Lines line that is not JSON is handed over as it is,
// so that fn rejects it; broken JSON in the other shapes stops the read.
func eachRecord(ctx context.Context, name string, r io.Reader, fn func(n int, raw []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return fmt.Errorf("icinga: read %s: %w", name, err)
	}
	switch first {
	case 0:
		return fmt.Errorf("icinga: %s is empty: want Icinga 2 event-stream JSON (JSON Lines, an array, or one object)", name)
	case '[':
		return eachInArray(ctx, name, br, fn)
	case '{':
	default:
		return fmt.Errorf("icinga: %s is not JSON (starts with %q): want Icinga 2 event-stream JSON (JSON Lines, an array, or one object)", name, first)
	}
	line, tooLong, err := readLine(br, nil)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("icinga: read %s: %w", name, err)
	}
	if tooLong || !json.Valid(line) {
		// One pretty-printed object, or several one after the other.
		rest := io.MultiReader(bytes.NewReader(line), strings.NewReader("\n"), br)
		if tooLong {
			return fmt.Errorf("icinga: %s: line 1 is longer than %d bytes", name, maxLineBytes)
		}
		return eachValue(ctx, name, rest, fn)
	}
	return eachLine(ctx, name, br, line, err, fn)
}

// firstByte skips a byte-order mark and white space and returns the next
// byte without reading it; 0 at the end of the input.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}

func eachInArray(ctx context.Context, name string, r io.Reader, fn func(int, []byte) error) error {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("icinga: %s: %w", name, err)
	}
	for n := 1; dec.More(); n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("icinga: %s: record %d: not valid JSON: %w", name, n, err)
		}
		if err := fn(n, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("icinga: %s: the array does not end: %w", name, err)
	}
	return nil
}

func eachValue(ctx context.Context, name string, r io.Reader, fn func(int, []byte) error) error {
	dec := json.NewDecoder(r)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("icinga: %s: record %d: not valid JSON: %w", name, n, err)
		}
		if err := fn(n, raw); err != nil {
			return err
		}
	}
}

// eachLine reads JSON Lines; first is line 1, already read, with the
// error that reading it returned.
func eachLine(ctx context.Context, name string, br *bufio.Reader, first []byte, ferr error, fn func(int, []byte) error) error {
	line, tooLong, err := first, false, ferr
	var buf []byte
	for n := 1; ; n++ {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("icinga: read %s line %d: %w", name, n, err)
		}
		switch {
		case tooLong:
			if ferr := fn(n, nil); ferr != nil { // nil: too long to read
				return ferr
			}
		case len(bytes.TrimSpace(line)) > 0:
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		buf = line[:0]
		if n == 1 {
			buf = nil // line 1 may share memory with the reader
		}
		line, tooLong, err = readLine(br, buf)
	}
}

// readLine appends the next line (without its end) to buf; a line over
// maxLineBytes is read to its end but not kept.
func readLine(r *bufio.Reader, buf []byte) ([]byte, bool, error) {
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong && len(buf)+len(chunk) <= maxLineBytes+2 {
			buf = append(buf, chunk...)
		} else {
			tooLong, buf = true, buf[:0]
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimRight(buf, "\r\n")
		if !tooLong && len(buf) > maxLineBytes {
			tooLong, buf = true, buf[:0]
		}
		return buf, tooLong, err
	}
}
