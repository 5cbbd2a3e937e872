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
	for _, name := range days {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
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
// message. Only files that mention message_changed are decoded.
func collectEdits(ctx context.Context, fsys fs.FS, days []string) (map[string]*message, error) {
	edits := map[string]*message{}
	for _, name := range days {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("slack: reading %s: %w", name, err)
		}
		if !bytes.Contains(data, []byte(`"message_changed"`)) {
			continue
		}
		var msgs []json.RawMessage
		if json.Unmarshal(data, &msgs) != nil {
			continue // reported with its position by the main pass
		}
		for _, raw := range msgs {
			var m message
			if json.Unmarshal(raw, &m) != nil || m.Subtype != "message_changed" || m.Message == nil || m.Message.TS == "" {
				continue
			}
			if prev, ok := edits[m.Message.TS]; !ok || prev.TS < m.TS {
				mm := m
				edits[m.Message.TS] = &mm
			}
		}
	}
	return edits, nil
}
