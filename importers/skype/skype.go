// Package skype reads the Skype data export (messages.json from "Export
// your Skype data", or the folder or .tar/.zip unpacked around it).
//
// Skype message ids are the sender's clock in milliseconds and are only
// unique within a conversation, so events are keyed by
// "<conversation id>/<message id>".
package skype

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is the events' source name.
const Source = "skype"

// Importer parses a Skype export.
type Importer struct{}

// New returns the Skype importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// message is one entry of a conversation's MessageList.
type message struct {
	ID                  string          `json:"id"`
	DisplayName         *string         `json:"displayName"`
	OriginalArrivalTime string          `json:"originalarrivaltime"`
	MessageType         string          `json:"messagetype"`
	Content             string          `json:"content"`
	From                string          `json:"from"`
	Properties          json.RawMessage `json:"properties"`
}

// Parse implements importers.Importer. The file is read as a stream of
// tokens, one message at a time.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	name := in.Name
	var rc io.ReadCloser
	var err error
	switch {
	case in.FS != nil:
		name, err = findMessages(in.FS)
		if err != nil {
			return fmt.Errorf("skype: %s: %w", in.Name, err)
		}
		rc, err = in.FS.Open(name)
	case in.Open != nil:
		rc, err = in.Open()
	default:
		return fmt.Errorf("skype: %s: nothing to read", in.Name)
	}
	if err != nil {
		return fmt.Errorf("skype: open %s: %w", name, err)
	}
	defer rc.Close()
	p := &parser{ctx: ctx, file: name, opts: opts, sink: sink, names: map[string]string{}, dec: json.NewDecoder(rc)}
	if err := p.export(); err != nil {
		var se stop
		if errors.As(err, &se) {
			sink.Reject(importers.Rejection{File: name, Line: p.record + 1, Field: se.field, Reason: se.reason})
			return nil
		}
		return err
	}
	return nil
}

// findMessages finds messages.json in a folder-shaped export.
func findMessages(fsys fs.FS) (string, error) {
	found := ""
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if found == "" && !d.IsDir() && strings.EqualFold(d.Name(), "messages.json") {
			found = p
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if found == "" {
		return "", errors.New("no messages.json: not a Skype export")
	}
	return found, nil
}

// stop is input that cannot be read on: it ends the file as a rejection.
type stop struct{ field, reason string }

func (s stop) Error() string { return s.field + ": " + s.reason }

type parser struct {
	ctx    context.Context
	file   string
	opts   importers.Options
	sink   importers.Sink
	dec    *json.Decoder
	owner  string
	names  map[string]string // sender id → display name, as learnt
	record int               // messages read so far
}

func (p *parser) syntax(field string, err error) error {
	return stop{field: field, reason: fmt.Sprintf("broken JSON near byte %d: %v", p.dec.InputOffset(), err)}
}

// delim reads the next token and wants it to be d.
func (p *parser) delim(field string, d json.Delim) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.syntax(field, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return stop{field: field, reason: fmt.Sprintf("want %q near byte %d", d, p.dec.InputOffset())}
	}
	return nil
}

// key reads an object key, or reports the object's end.
func (p *parser) key(field string) (string, bool, error) {
	if !p.dec.More() {
		_, err := p.dec.Token()
		if err != nil {
			return "", false, p.syntax(field, err)
		}
		return "", false, nil
	}
	tok, err := p.dec.Token()
	if err != nil {
		return "", false, p.syntax(field, err)
	}
	k, _ := tok.(string)
	return k, true, nil
}

func (p *parser) export() error {
	if err := p.delim("", '{'); err != nil {
		return err
	}
	sawList := false
	for {
		k, ok, err := p.key("")
		if err != nil || !ok {
			if err == nil && !sawList {
				return stop{field: "conversations", reason: "is missing: not a Skype messages.json"}
			}
			return err
		}
		switch k {
		case "userId":
			var s string
			if err := p.dec.Decode(&s); err != nil {
				return p.syntax("userId", err)
			}
			p.owner = s
		case "conversations":
			sawList = true
			if err := p.conversations(); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := p.dec.Decode(&skip); err != nil {
				return p.syntax(k, err)
			}
		}
	}
}

func (p *parser) conversations() error {
	if err := p.delim("conversations", '['); err != nil {
		return err
	}
	for i := 0; p.dec.More(); i++ {
		if err := p.conversation(i); err != nil {
			return err
		}
	}
	return p.delim("conversations", ']')
}

type conv struct {
	index       int
	id, display string
}

func (p *parser) conversation(i int) error {
	field := fmt.Sprintf("conversations[%d]", i)
	if err := p.delim(field, '{'); err != nil {
		return err
	}
	c := conv{index: i}
	var later json.RawMessage // MessageList seen before id and displayName
	for {
		k, ok, err := p.key(field)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch k {
		case "id", "displayName":
			var s *string
			if err := p.dec.Decode(&s); err != nil {
				return p.syntax(field+"."+k, err)
			}
			if s != nil && k == "id" {
				c.id = *s
			} else if s != nil {
				c.display = *s
			}
		case "MessageList":
			if c.id == "" {
				if err := p.dec.Decode(&later); err != nil {
					return p.syntax(field+".MessageList", err)
				}
				continue
			}
			if err := p.messages(c, p.dec); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := p.dec.Decode(&skip); err != nil {
				return p.syntax(field+"."+k, err)
			}
		}
	}
	if later != nil {
		return p.messages(c, json.NewDecoder(strings.NewReader(string(later))))
	}
	return nil
}

func (p *parser) keep(c conv) bool {
	if len(p.opts.Channels) == 0 {
		return true
	}
	for _, ch := range p.opts.Channels {
		ch = strings.TrimSpace(ch)
		if strings.EqualFold(ch, c.id) || (c.display != "" && strings.EqualFold(ch, c.display)) {
			return true
		}
	}
	return false
}

func (p *parser) messages(c conv, dec *json.Decoder) error {
	field := fmt.Sprintf("conversations[%d].MessageList", c.index)
	tok, err := dec.Token()
	if err != nil {
		return p.syntax(field, err)
	}
	if tok == nil { // "MessageList": null
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return stop{field: field, reason: "is not a list"}
	}
	keep := p.keep(c)
	for j := 0; dec.More(); j++ {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		p.record++
		mfield := fmt.Sprintf("%s[%d]", field, j)
		var m message
		if err := dec.Decode(&m); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				if !keep {
					continue
				}
				p.sink.Reject(importers.Rejection{File: p.file, Line: p.record, Field: mfield + "." + te.Field, Reason: "has the wrong type: " + te.Value})
				continue
			}
			p.record--
			return p.syntax(mfield, err)
		}
		if m.DisplayName != nil && strings.TrimSpace(*m.DisplayName) != "" && m.From != "" {
			p.names[m.From] = strings.TrimSpace(*m.DisplayName)
		}
		if !keep {
			continue
		}
		if err := p.message(c, m, mfield); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return p.syntax(field, err)
	}
	return nil
}

func (p *parser) message(c conv, m message, field string) error {
	reject := func(f, reason string) {
		p.sink.Reject(importers.Rejection{File: p.file, Line: p.record, Field: field + "." + f, Reason: reason})
	}
	if strings.TrimSpace(m.ID) == "" {
		reject("id", "is missing")
		return nil
	}
	at, err := importers.ParseTime(m.OriginalArrivalTime, p.opts.Location)
	if err != nil {
		reject("originalarrivaltime", err.Error())
		return nil
	}
	kind, body := render(m)
	if body == "" {
		return nil // a deleted message, or an event with nothing to say
	}
	channel := c.display
	if channel == "" {
		channel = c.id
	}
	meta := map[string]any{"channel": channel, "conversation_id": c.id, "messagetype": m.MessageType}
	if m.From != "" {
		meta["from"] = m.From
	}
	var props struct {
		EditTime string `json:"edittime"`
	}
	if json.Unmarshal(m.Properties, &props) == nil && props.EditTime != "" {
		meta["edited"] = true
	}
	return p.sink.Event(incident.TimelineEvent{
		Source:         Source,
		Kind:           kind,
		OccurredAt:     at,
		OccurredAtText: m.OriginalArrivalTime,
		Actor:          p.actor(c, m),
		Body:           body,
		ExternalID:     c.id + "/" + m.ID,
		Metadata:       meta,
	})
}

// actor is the sender's display name: the message's own, one learnt from
// another message, the 1:1 conversation's name, else the Skype id.
func (p *parser) actor(c conv, m message) string {
	if m.DisplayName != nil && strings.TrimSpace(*m.DisplayName) != "" {
		return strings.TrimSpace(*m.DisplayName)
	}
	if n := p.names[m.From]; n != "" {
		return n
	}
	if m.From != "" && m.From == c.id && c.display != "" {
		return c.display
	}
	id := m.From
	if i := strings.IndexByte(id, ':'); i >= 0 && i < 3 {
		id = id[i+1:] // "8:live:alice" → "live:alice"
	}
	if id == "" {
		return "unknown user"
	}
	return id
}

// render picks the event kind and body for a message type.
func render(m message) (incident.EventKind, string) {
	switch t := m.MessageType; {
	case t == "Text":
		return incident.KindChat, importers.NormalizeText(chatmarkup.Escape(m.Content))
	case t == "Event/Call":
		return incident.KindCall, call(m.Content)
	case strings.HasPrefix(t, "RichText/UriObject"), strings.HasPrefix(t, "RichText/Media_"):
		toks := chatmarkup.Tokenize(m.Content)
		name := chatmarkup.AttrOf(toks, "originalname", "v")
		if name == "" {
			if ts := chatmarkup.TextOf(toks, "title"); len(ts) > 0 {
				name = strings.TrimSpace(strings.TrimPrefix(ts[0], "Title:"))
			}
		}
		if name == "" {
			name = "file"
		}
		return incident.KindChat, "[shared " + chatmarkup.Escape(name) + "]"
	case strings.HasPrefix(t, "ThreadActivity/"):
		return incident.KindNote, activity(t, m.Content)
	}
	return incident.KindChat, importers.NormalizeText(chatmarkup.Markdown(m.Content))
}

// activity renders a group change: members added or removed, topic set.
func activity(typ, content string) string {
	toks := chatmarkup.Tokenize(content)
	who := func(ids []string) string {
		for i, id := range ids {
			if j := strings.IndexByte(id, ':'); j >= 0 && j < 3 {
				ids[i] = id[j+1:]
			}
			ids[i] = chatmarkup.Escape(ids[i])
		}
		return strings.Join(ids, ", ")
	}
	initiator, targets := who(chatmarkup.TextOf(toks, "initiator")), who(chatmarkup.TextOf(toks, "target"))
	switch typ {
	case "ThreadActivity/AddMember":
		return strings.TrimSpace(initiator + " added " + targets)
	case "ThreadActivity/DeleteMember":
		return strings.TrimSpace(initiator + " removed " + targets)
	case "ThreadActivity/TopicUpdate":
		if v := chatmarkup.TextOf(toks, "value"); len(v) > 0 {
			return strings.TrimSpace(initiator + " set the topic to " + chatmarkup.Escape(v[0]))
		}
	}
	words := []string{}
	for _, tok := range chatmarkup.Tokenize(content) {
		if s := strings.TrimSpace(tok.Text); s != "" {
			words = append(words, chatmarkup.Escape(s))
		}
	}
	if len(words) == 0 {
		return ""
	}
	return strings.TrimPrefix(typ, "ThreadActivity/") + ": " + strings.Join(words, " ")
}

// call renders <partlist type="started|ended|missed"> with its parts.
func call(content string) string {
	toks := chatmarkup.Tokenize(content)
	typ := chatmarkup.AttrOf(toks, "partlist", "type")
	if typ == "" {
		return importers.NormalizeText(chatmarkup.Markdown(content))
	}
	body := "call " + typ
	var longest int
	for _, d := range chatmarkup.TextOf(toks, "duration") {
		if n, err := strconv.Atoi(strings.TrimSpace(d)); err == nil && n > longest {
			longest = n
		}
	}
	if longest > 0 {
		body += " (" + duration(time.Duration(longest)*time.Second) + ")"
	}
	var names []string
	for _, n := range chatmarkup.TextOf(toks, "name") {
		if n != "" {
			names = append(names, chatmarkup.Escape(n))
		}
	}
	if len(names) > 0 {
		body += ": " + strings.Join(names, ", ")
	}
	return body
}

// duration writes 45s, 2m05s or 1h02m03s.
func duration(d time.Duration) string {
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}
