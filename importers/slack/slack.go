// Package slack imports Slack conversations: a workspace export (zip or
// unpacked folder) and, with a token, the Web API.
//
// Every message becomes one event of kind chat whose ExternalID is
// "<channel id>:<ts>" (ts is unique within a channel) and whose
// OccurredAtText is the ts as Slack wrote it. Threads: ThreadID is
// "<channel id>:<thread_ts>" on the parent and on every reply, and a reply's
// ParentID is the same string, which is the parent's ExternalID; so replies
// attach to their parent whatever day file or API page they come from.
//
// Decisions on the special messages:
//   - channel_join, channel_leave and other system subtypes stay chat events
//     with their text ("@Ann has joined the channel") and Metadata "subtype".
//   - message_deleted and tombstone (a deleted thread parent) become notes
//     "Message deleted", never silently dropped; the removed text is not kept.
//   - message_changed: the edited text wins; the event keeps the original
//     message's ts and id and records Metadata "edited_at".
//   - an unknown user id is named "unknown user U123" (or by the name the
//     message itself carries) and is never a reason to reject a message.
//   - a message with neither text, attachments nor files keeps the body
//     "(message with no text)".
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

// Importer parses a Slack workspace export: users.json, channels.json (and
// groups.json, mpims.json, dms.json when present) and one folder per
// conversation of <YYYY-MM-DD>.json day files. Day files are read one at a
// time, so memory grows with the largest day, not the export.
type Importer struct{}

// NewImporter returns the Slack export parser.
func NewImporter() *Importer { return &Importer{} }

// Source returns "slack".
func (*Importer) Source() string { return Source }

// conversationFiles list the conversations of an export. Channels and
// private channels live in folders named after them, DMs in folders named
// after their id.
var conversationFiles = []string{"channels.json", "groups.json", "mpims.json", "dms.json"}

var dayFileRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.json$`)

// Parse reads the export in in.FS and hands every message to sink.
func (imp *Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	if in.FS == nil {
		return fmt.Errorf("slack: %s is not a Slack export: give the export's folder or zip (users.json, channels.json, <channel>/<YYYY-MM-DD>.json)", in.Name)
	}
	users, err := readUsers(in.FS)
	if err != nil {
		return err
	}
	convs, err := readConversations(in.FS)
	if err != nil {
		return err
	}
	if len(convs) == 0 {
		return fmt.Errorf("slack: %s is not a Slack export: it has no channels.json, groups.json, mpims.json or dms.json listing a conversation", in.Name)
	}
	byID := make(map[string]string, len(convs))
	for _, c := range convs {
		byID[c.ID] = c.Name
	}
	conv := &converter{
		user:    func(id string) (string, error) { return users.Name(id), nil },
		channel: func(id string) string { return byID[id] },
	}
	for _, c := range convs {
		if !wanted(c, opts.Channels) {
			continue
		}
		if err := imp.parseConversation(ctx, in.FS, c, conv, sink); err != nil {
			return err
		}
	}
	return nil
}

// wanted reports whether the conversation passes the channel filter, which
// may name it by name (with or without "#") or by id.
func wanted(c conversation, filter []string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		f = strings.TrimPrefix(strings.TrimSpace(f), "#")
		if f != "" && (strings.EqualFold(f, c.Name) || f == c.ID) {
			return true
		}
	}
	return false
}

// parseConversation reads one conversation's day files in date order.
func (imp *Importer) parseConversation(ctx context.Context, fsys fs.FS, c conversation, conv *converter, sink importers.Sink) error {
	dir := c.Name
	if _, err := fs.Stat(fsys, dir); dir == "" || err != nil {
		dir = c.ID // DMs sit in folders named after their id
	}
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a conversation with no messages has no folder
	}
	if err != nil {
		return fmt.Errorf("slack: reading folder %s: %w", dir, err)
	}
	var days []string
	for _, e := range entries {
		if !e.IsDir() && dayFileRe.MatchString(e.Name()) {
			days = append(days, path.Join(dir, e.Name()))
		}
	}
	slices.Sort(days)
	edits, err := collectEdits(ctx, fsys, days)
	if err != nil {
		return err
	}
	d := &dayReader{conv: conv, c: c, sink: sink, edits: edits, applied: map[string]bool{}}
	var data []byte
	for _, name := range days {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err = readFileInto(fsys, name, data)
		if err != nil {
			return fmt.Errorf("slack: reading %s: %w", name, err)
		}
		if err := d.read(ctx, name, data); err != nil {
			return err
		}
	}
	return nil
}

// collectEdits finds the message_changed records of a conversation, so the
// edited text wins even when the edit sits in a later day file than the
// message. Only the messages that mention message_changed are decoded; the
// others are skipped by a structural scan (see eachElement), which is what
// keeps this pass cheap. A file whose structure or edit records are broken
// gives no edits: the main pass reports it with its position.
func collectEdits(ctx context.Context, fsys fs.FS, days []string) (map[string]*message, error) {
	edits := map[string]*message{}
	var data []byte
	var err error
	marker := []byte(`"message_changed"`)
	for _, name := range days {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err = readFileInto(fsys, name, data)
		if err != nil {
			return nil, fmt.Errorf("slack: reading %s: %w", name, err)
		}
		if !bytes.Contains(data, marker) {
			continue
		}
		var found []*message
		ok := eachElement(data, func(raw []byte) bool {
			if !bytes.Contains(raw, marker) {
				return true
			}
			var m message
			if err := json.Unmarshal(raw, &m); err != nil {
				// Broken JSON skips the file; a message of the wrong
				// shape is only skipped itself.
				var syn *json.SyntaxError
				return !errors.As(err, &syn)
			}
			if m.Subtype == "message_changed" && m.Message != nil && m.Message.TS != "" {
				found = append(found, &m)
			}
			return true
		})
		if !ok {
			continue
		}
		for _, m := range found {
			if prev, ok := edits[m.Message.TS]; !ok || prev.TS < m.TS {
				edits[m.Message.TS] = m
			}
		}
	}
	return edits, nil
}

// eachElement hands fn the bytes of every element of the JSON array data
// (with surrounding spaces), without decoding them: it only tracks strings
// and nesting. It stops when fn returns false and reports false then, or
// when data is not structurally one array.
func eachElement(data []byte, fn func(raw []byte) bool) bool {
	i := int(skipSpace(data, 0))
	if i >= len(data) || data[i] != '[' {
		return false
	}
	depth, start := 0, -1
	for i++; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			if depth == 0 && start < 0 {
				start = i
			}
			// Jump to the closing quote, stepping over escapes.
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if depth == 0 && start < 0 {
				start = i
			}
			depth++
		case '}', ']':
			if depth > 0 {
				depth--
				continue
			}
			if c != ']' {
				return false
			}
			if start >= 0 && !fn(data[start:i]) {
				return false
			}
			return len(bytes.TrimSpace(data[i+1:])) == 0
		case ',':
			if depth > 0 {
				continue
			}
			if start < 0 || !fn(data[start:i]) {
				return false
			}
			start = -1
		case ' ', '\t', '\n', '\r':
		default:
			if depth == 0 && start < 0 {
				start = i
			}
		}
	}
	return false
}

// readFileInto reads the file name into buf, reusing its storage, so the
// day files of an export share one buffer the size of the largest.
// MaxDayFile bounds one day file: each is read whole, so a crafted export
// (one huge, highly compressible file) cannot make the server allocate
// gigabytes. Slack's own day files are far smaller.
const MaxDayFile = 64 << 20

func readFileInto(fsys fs.FS, name string, buf []byte) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return buf[:0], err
	}
	defer f.Close()
	buf = buf[:0]
	info, err := f.Stat()
	if err == nil && info.Size() > MaxDayFile {
		return buf, fmt.Errorf("%s is %d bytes, more than the %d a day file may have", name, info.Size(), MaxDayFile)
	}
	if err == nil && info.Size() >= int64(cap(buf)) {
		buf = make([]byte, 0, info.Size()+512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > MaxDayFile {
			return buf[:0], fmt.Errorf("%s is more than the %d bytes a day file may have", name, MaxDayFile)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
