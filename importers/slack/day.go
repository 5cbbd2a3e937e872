package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/hindsightrca/hindsight/importers"
)

// dayReader reads the day files of one conversation.
type dayReader struct {
	conv *converter
	c    conversation
	sink importers.Sink
	// edits are the conversation's latest message_changed records, by the
	// ts of the message they change.
	edits map[string]*message
	// applied holds the ts of messages already emitted in their edited
	// form, so neither the original nor the edit record is emitted twice.
	applied map[string]bool
}

// read decodes one day file (a JSON array of messages) message by message.
// A message of the wrong shape is rejected and reading goes on; broken JSON
// rejects the rest of the file, naming the line where it broke.
func (d *dayReader) read(ctx context.Context, name string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	reject := func(off int64, field, reason string) {
		d.sink.Reject(importers.Rejection{File: name, Line: lineAt(data, off), Field: field, Reason: reason})
	}
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		reject(0, "", "a day file must hold a JSON array of messages")
		return nil
	}
	for n := 1; dec.More(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		off := dec.InputOffset()
		var m message
		if err := dec.Decode(&m); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				reject(skipSpace(data, off), typeErr.Field, fmt.Sprintf("message %d: %s is a JSON %s, want %s", n, typeErr.Field, typeErr.Value, typeErr.Type))
				continue
			}
			reject(errOffset(data, skipSpace(data, off)), "", fmt.Sprintf("message %d: broken JSON (%s); the rest of the file is skipped", n, jsonReason(err)))
			return nil
		}
		if err := d.emit(&m); err != nil {
			var bad *badField
			if errors.As(err, &bad) {
				reject(skipSpace(data, off), bad.field, fmt.Sprintf("message %d: %s", n, bad.reason))
				continue
			}
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		reject(dec.InputOffset(), "", "broken JSON at the end of the file ("+jsonReason(err)+")")
	}
	return nil
}

// emit converts one message, applying its latest edit.
func (d *dayReader) emit(m *message) error {
	switch {
	case m.Subtype == "message_changed" && m.Message != nil:
		if d.applied[m.Message.TS] {
			return nil
		}
		if latest := d.edits[m.Message.TS]; latest != nil {
			m = latest
		}
		d.applied[m.Message.TS] = true
	case m.TS != "" && d.edits[m.TS] != nil:
		if d.applied[m.TS] {
			return nil
		}
		d.applied[m.TS] = true
		m = withEdit(m, d.edits[m.TS])
	}
	e, err := d.conv.event(d.c, m)
	if err != nil {
		return err
	}
	return d.sink.Event(e)
}

// withEdit is the original message with the edited content of change: the
// text, files and edit stamp, but the thread and replies of the original.
func withEdit(orig, change *message) *message {
	m := *orig
	n := change.Message
	m.Text, m.Files, m.File, m.Attachments = n.Text, n.Files, n.File, n.Attachments
	m.Edited = n.Edited
	if m.Edited == nil {
		m.Edited = &edited{TS: change.TS}
	}
	return &m
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// skipSpace moves off past the separator and spaces that precede a value,
// so a message's position is the line of its opening brace.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// jsonReason words a JSON error for people; a file cut short says so.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		(errors.As(err, &syn) && syn.Error() == "unexpected end of JSON input") {
		return "the file ends in the middle of a message: truncated?"
	}
	return err.Error()
}

// errOffset finds the broken byte of the message that starts at start; the
// decoder's own offsets count from its buffer, not the file.
func errOffset(data []byte, start int64) int64 {
	var raw json.RawMessage
	var syn *json.SyntaxError
	if err := json.Unmarshal(data[start:], &raw); errors.As(err, &syn) && syn.Offset > 0 {
		return start + syn.Offset - 1
	}
	return start
}

// readUsers reads users.json into display names; an export without one
// names every user "unknown user <id>".
func readUsers(fsys fs.FS) (importers.Users, error) {
	var list []user
	if err := readList(fsys, "users.json", &list); err != nil {
		return nil, err
	}
	users := make(importers.Users, len(list))
	for _, u := range list {
		if u.ID != "" {
			users[u.ID] = u.displayName()
		}
	}
	return users, nil
}

// readConversations reads every conversation list the export has.
func readConversations(fsys fs.FS) ([]conversation, error) {
	var all []conversation
	seen := map[string]bool{}
	for _, name := range conversationFiles {
		var list []conversation
		if err := readList(fsys, name, &list); err != nil {
			return nil, err
		}
		for _, c := range list {
			if c.ID != "" && !seen[c.ID] {
				seen[c.ID] = true
				all = append(all, c)
			}
		}
	}
	return all, nil
}

// readList decodes one of the export's top-level JSON arrays; a missing
// file is an empty list.
func readList(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("slack: reading %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("slack: %s line %d: broken JSON: %s", name, lineAt(data, syn.Offset), jsonReason(err))
		case errors.As(err, &typ):
			return fmt.Errorf("slack: %s line %d: field %q is a JSON %s, want %s", name, lineAt(data, typ.Offset), typ.Field, typ.Value, typ.Type)
		default:
			return fmt.Errorf("slack: %s: %s", name, jsonReason(err))
		}
	}
	return nil
}
