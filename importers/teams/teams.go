// Package teams reads Microsoft Teams channel messages as Microsoft Graph
// returns them (the chatMessage resource): one page {"value": [...]}, a bare
// JSON array, or a folder or zip of such files.
package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// maxFile caps one JSON file; Graph pages are far smaller.
const maxFile = 256 << 20

// Importer reads Graph chatMessage JSON. The zero value is ready to use.
type Importer struct{}

// New returns a Teams importer.
func New() *Importer { return &Importer{} }

// Source implements importers.Importer.
func (*Importer) Source() string { return "teams" }

// Parse implements importers.Importer. Options.Channels keeps messages whose
// channelIdentity.channelId, or whose file's folder or base name, is listed.
func (im *Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	p := &parser{ctx: ctx, sink: sink, seen: map[string]bool{}, channels: opts.Channels}
	if in.FS == nil {
		if in.Open == nil {
			return fmt.Errorf("teams: %s: nothing to read", in.Name)
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("teams: open %s: %w", in.Name, err)
		}
		defer rc.Close()
		return p.file(path.Base(in.Name), rc)
	}
	var files []string
	err := fs.WalkDir(in.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(path.Ext(name), ".json") {
			files = append(files, name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("teams: read %s: %w", in.Name, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("teams: %s: no .json files with Graph channel messages", in.Name)
	}
	sort.Strings(files)
	for _, name := range files {
		f, err := in.FS.Open(name)
		if err != nil {
			return fmt.Errorf("teams: open %s: %w", name, err)
		}
		err = p.file(name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// parser carries one import's state across files.
type parser struct {
	ctx      context.Context
	sink     importers.Sink
	seen     map[string]bool // message ids already emitted (nested and flat replies)
	channels []string
}

// file reads one Graph page or array, rejecting the messages it cannot read.
func (p *parser) file(name string, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return fmt.Errorf("teams: read %s: %w", name, err)
	}
	if len(data) > maxFile {
		return fmt.Errorf("teams: %s is larger than %d MiB", name, maxFile>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) error {
		return fmt.Errorf("teams: %s: line %d: %w", name, lineAt(data, dec.InputOffset()), err)
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(fmt.Errorf("not JSON: %w", err))
	}
	switch tok {
	case json.Delim('['):
		return p.array(name, data, dec, fail)
	case json.Delim('{'):
	default:
		return fail(errors.New(`want a Graph page {"value": [...]} or a JSON array of chatMessage`))
	}
	found := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if key == "value" {
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return fail(errors.New(`field "value" must be an array of chatMessage`))
			}
			if err := p.array(name, data, dec, fail); err != nil {
				return err
			}
			found = true
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fail(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	if !found {
		return fail(errors.New(`no "value" array: not a Graph chatMessage page`))
	}
	return nil
}

// array reads the elements of a JSON array whose '[' was consumed, and the ']'.
func (p *parser) array(name string, data []byte, dec *json.Decoder, fail func(error) error) error {
	lines := lineCounter{data: data, line: 1}
	for dec.More() {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		off := skipSpace(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		line := lines.at(off)
		var m chatMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			p.sink.Reject(importers.Rejection{File: name, Line: line, Field: fieldOf(err), Reason: "not a chatMessage: " + err.Error()})
			continue
		}
		if err := p.message(name, line, &m, nil); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	return nil
}

// message emits m and its nested replies; root is the thread's first message
// when m is a nested reply.
func (p *parser) message(file string, line int, m *chatMessage, root *chatMessage) error {
	if !p.keep(file, m, root) {
		return nil
	}
	if m.ID != "" && p.seen[m.ID] {
		return nil
	}
	e, rej := convert(m, root)
	if rej != "" {
		field, reason, _ := strings.Cut(rej, ": ")
		p.sink.Reject(importers.Rejection{File: file, Line: line, Field: field, Reason: reason})
	} else {
		p.seen[m.ID] = true
		if err := p.sink.Event(e); err != nil {
			return err
		}
	}
	for i := range m.Replies {
		if err := p.message(file, line, &m.Replies[i], m); err != nil {
			return err
		}
	}
	return nil
}

// keep applies Options.Channels.
func (p *parser) keep(file string, m, root *chatMessage) bool {
	if len(p.channels) == 0 {
		return true
	}
	ch := m.ChannelIdentity
	if ch == nil && root != nil {
		ch = root.ChannelIdentity
	}
	dir := path.Base(path.Dir(file))
	base := strings.TrimSuffix(path.Base(file), path.Ext(file))
	for _, c := range p.channels {
		if (ch != nil && ch.ChannelID == c) || dir == c || base == c {
			return true
		}
	}
	return false
}

// convert builds the event of m, or returns "field: reason" when m cannot
// become one.
func convert(m *chatMessage, root *chatMessage) (incident.TimelineEvent, string) {
	var e incident.TimelineEvent
	if strings.TrimSpace(m.ID) == "" {
		return e, "id: message has no id"
	}
	created := str(m.CreatedDateTime)
	if strings.TrimSpace(created) == "" {
		return e, "createdDateTime: message has no timestamp"
	}
	at, err := importers.ParseTime(created, nil)
	if err != nil {
		return e, "createdDateTime: " + err.Error()
	}
	e = incident.TimelineEvent{
		OccurredAt:     at,
		OccurredAtText: created,
		Source:         "teams",
		Kind:           kindOf(m.MessageType),
		Actor:          actorOf(m.From),
		ExternalID:     m.ID,
		Metadata:       map[string]any{},
	}
	parent := str(m.ReplyToID)
	switch {
	case root != nil:
		e.ThreadID = root.ID
		if parent == "" {
			parent = root.ID
		}
		e.ParentID = parent
	case parent != "":
		// Graph replies are one level deep: replyToId is the thread's root.
		e.ThreadID, e.ParentID = parent, parent
	default:
		e.ThreadID = m.ID
	}
	if u := str(m.WebURL); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		e.Link = u
	}
	meta := e.Metadata
	ch := m.ChannelIdentity
	if ch == nil && root != nil {
		ch = root.ChannelIdentity
	}
	if ch != nil {
		setIf(meta, "channel", ch.ChannelID)
		setIf(meta, "team_id", ch.TeamID)
	}
	setIf(meta, "chat", str(m.ChatID))
	setIf(meta, "message_type", m.MessageType)
	setIf(meta, "subject", str(m.Subject))
	if m.Importance != "" && m.Importance != "normal" {
		meta["importance"] = m.Importance
	}
	if m.From != nil && m.From.User != nil && strings.TrimSpace(m.From.User.DisplayName) == "" {
		setIf(meta, "user_id", m.From.User.ID)
	}
	if edited := str(m.LastEditedDateTime); edited != "" {
		meta["edited_at"] = edited
	} else if mod := str(m.LastModifiedDateTime); mod != "" && mod != created && str(m.DeletedDateTime) == "" && m.MessageType == "message" {
		meta["edited_at"] = mod
	}
	if files := attachmentsOf(m.Attachments); len(files) > 0 {
		meta["attachments"] = files
	}
	e.Body = bodyOf(m)
	if deleted := str(m.DeletedDateTime); deleted != "" {
		meta["deleted_at"] = deleted
		if e.Body == "" {
			e.Body = "(message deleted)"
		}
	}
	if e.Body == "" {
		return incident.TimelineEvent{}, "body: message has no text, event detail or attachment"
	}
	return e, ""
}

// bodyOf renders the body as markdown, falling back to the system event
// detail and then to the attachment names.
func bodyOf(m *chatMessage) string {
	var text string
	if strings.EqualFold(m.Body.ContentType, "html") {
		text = htmlToMarkdown(m.Body.Content, m.Mentions)
	} else {
		text = importers.NormalizeText(m.Body.Content)
	}
	if sub := importers.NormalizeText(str(m.Subject)); sub != "" {
		if text == "" {
			text = sub
		} else {
			text = sub + "\n\n" + text
		}
	}
	if text == "" && len(m.EventDetail) > 0 {
		text = describeEvent(m.EventDetail)
	}
	if text == "" && str(m.DeletedDateTime) == "" {
		var names []string
		for _, a := range m.Attachments {
			if card := cardText(str(a.Content)); card != "" {
				names = append(names, card)
			} else if n := importers.NormalizeText(str(a.Name)); n != "" {
				names = append(names, "Attachment: "+n)
			} else if ct := str(a.ContentType); ct != "" {
				names = append(names, "Card: "+ct)
			}
		}
		text = strings.Join(names, "\n\n")
	}
	return text
}

// cardText is the readable text of a card attachment (Adaptive, Hero or
// Office 365 connector cards, as alerting bots post them): its title,
// summary and text blocks, in order. It returns "" for anything that is not
// a card's JSON.
func cardText(content string) string {
	content = strings.TrimSpace(content)
	if !strings.HasPrefix(content, "{") {
		return ""
	}
	var card any
	if err := json.Unmarshal([]byte(content), &card); err != nil {
		return ""
	}
	var parts []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 20 || len(parts) > 50 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			// A fact ({"title":"Severity","value":"Sev1"}) reads as one line.
			if title, ok := t["title"].(string); ok {
				if val, ok := t["value"].(string); ok {
					parts = append(parts, importers.NormalizeText(title+": "+val))
					return
				}
			}
			for _, k := range []string{"title", "summary", "subtitle", "text", "activityTitle", "activityText"} {
				if s, ok := t[k].(string); ok {
					if s = importers.NormalizeText(s); s != "" {
						parts = append(parts, s)
					}
				}
			}
			for _, k := range []string{"body", "items", "columns", "sections", "facts", "content"} {
				walk(t[k], depth+1)
			}
			if name, ok := t["name"].(string); ok {
				if val, ok := t["value"].(string); ok && name != "" {
					parts = append(parts, importers.NormalizeText(name+": "+val))
				}
			}
		case []any:
			for _, x := range t {
				walk(x, depth+1)
			}
		}
	}
	walk(card, 0)
	return strings.Join(parts, "\n")
}

func kindOf(messageType string) incident.EventKind {
	switch messageType {
	case "", "message":
		return incident.KindChat
	case "systemEventMessage", "chatEvent":
		return incident.KindStatus
	default:
		return incident.KindNote
	}
}

func actorOf(from *fromSet) string {
	if from == nil {
		return "system"
	}
	for _, id := range []*identity{from.User, from.Application, from.Device} {
		if id == nil {
			continue
		}
		if n := importers.NormalizeText(id.DisplayName); n != "" {
			return n
		}
		return importers.Users(nil).Name(id.ID)
	}
	return "system"
}

func attachmentsOf(as []attachment) []map[string]any {
	var out []map[string]any
	for _, a := range as {
		m := map[string]any{}
		setIf(m, "name", str(a.Name))
		setIf(m, "content_type", str(a.ContentType))
		if u := str(a.ContentURL); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			m["url"] = u
		}
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
}

func setIf(m map[string]any, key, val string) {
	if val = strings.TrimSpace(val); val != "" {
		m[key] = val
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// lineCounter finds the lines of increasing offsets without rescanning.
type lineCounter struct {
	data []byte
	off  int64
	line int
}

func (c *lineCounter) at(off int64) int {
	if off < c.off || off > int64(len(c.data)) {
		return lineAt(c.data, off)
	}
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}

// skipSpace moves off past the whitespace and commas before the next value.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// fieldOf names the JSON field of a type error, if any.
func fieldOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	return ""
}
