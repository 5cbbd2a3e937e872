// Package hipchat reads HipChat room history: the history.json of one room
// (an array of {"UserMessage": …}, {"NotificationMessage": …},
// {"GuestAccessMessage": …} records, or the API's {"items": […]}), or a
// whole HipChat Server / Data Center export folder or zip
// (rooms.json, users.json, rooms/<id>/history.json). Messages are keyed by
// their id, which HipChat makes unique across rooms.
package hipchat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/chatmarkup"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is the events' source name.
const Source = "hipchat"

// Importer parses HipChat history exports.
type Importer struct{}

// New returns the HipChat importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. Each history file is read one record
// at a time.
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	p := &parser{ctx: ctx, opts: opts, sink: sink, users: map[string]string{}}
	if in.FS == nil {
		if in.Open == nil {
			return fmt.Errorf("hipchat: %s: nothing to read", in.Name)
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("hipchat: open %s: %w", in.Name, err)
		}
		defer rc.Close()
		// A lone rooms/<room>/history.json names its room by its folder.
		r := room{}
		if dir := path.Dir(strings.ReplaceAll(in.Name, "\\", "/")); path.Base(path.Dir(dir)) == "rooms" {
			r.id, r.name = path.Base(dir), path.Base(dir)
		}
		return p.history(in.Name, rc, r)
	}
	return p.folder(in)
}

type room struct{ id, name string }

type parser struct {
	ctx   context.Context
	opts  importers.Options
	sink  importers.Sink
	users map[string]string // user id → name, from users.json
}

// folder reads users.json and rooms.json when present, then every room's
// history.json in name order.
func (p *parser) folder(in importers.Input) error {
	var histories []string
	var roomsFile, usersFile string
	err := fs.WalkDir(in.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch parts := strings.Split(name, "/"); {
		case d.Name() == "rooms.json" && roomsFile == "":
			roomsFile = name
		case d.Name() == "users.json" && usersFile == "":
			usersFile = name
		case d.Name() == "history.json" && len(parts) >= 3 && parts[len(parts)-3] == "rooms":
			histories = append(histories, name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hipchat: %s: %w", in.Name, err)
	}
	if len(histories) == 0 {
		return fmt.Errorf("hipchat: %s: no rooms/<room>/history.json: not a HipChat export", in.Name)
	}
	names := map[string]string{}
	if roomsFile != "" {
		var rooms []struct {
			Room struct {
				ID   json.RawMessage `json:"id"`
				Name string          `json:"name"`
			} `json:"Room"`
		}
		if err := readJSON(in.FS, roomsFile, &rooms); err != nil {
			return err
		}
		for _, r := range rooms {
			names[idString(r.Room.ID)] = r.Room.Name
		}
	}
	if usersFile != "" {
		var users []struct {
			User person `json:"User"`
		}
		if err := readJSON(in.FS, usersFile, &users); err != nil {
			return err
		}
		for _, u := range users {
			p.users[idString(u.User.ID)] = u.User.Name
		}
	}
	sort.Strings(histories)
	for _, h := range histories {
		id := path.Base(path.Dir(h))
		r := room{id: id, name: names[id]}
		if r.name == "" {
			r.name = id
		}
		if !p.keep(r) {
			continue
		}
		f, err := in.FS.Open(h)
		if err != nil {
			return fmt.Errorf("hipchat: open %s: %w", h, err)
		}
		err = p.history(h, f, r)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("hipchat: open %s: %w", name, err)
	}
	defer f.Close()
	if err := json.NewDecoder(io.LimitReader(f, 256<<20)).Decode(v); err != nil {
		return fmt.Errorf("hipchat: %s: %w", name, err)
	}
	return nil
}

// keep applies Options.Channels to a room's id or name; a room that is not
// known (a lone history.json outside rooms/) is kept.
func (p *parser) keep(r room) bool {
	if len(p.opts.Channels) == 0 || (r.id == "" && r.name == "") {
		return true
	}
	for _, c := range p.opts.Channels {
		c = strings.TrimSpace(c)
		if strings.EqualFold(c, r.id) || strings.EqualFold(c, r.name) {
			return true
		}
	}
	return false
}

// person is a sender or a users.json entry.
type person struct {
	ID          json.RawMessage `json:"id"`
	Name        string          `json:"name"`
	MentionName string          `json:"mention_name"`
}

// message is the body of one record, whatever its type.
type message struct {
	ID            json.RawMessage `json:"id"`
	Timestamp     string          `json:"timestamp"`
	Date          string          `json:"date"` // the API's name for it
	Sender        json.RawMessage `json:"sender"`
	From          json.RawMessage `json:"from"`
	Message       string          `json:"message"`
	MessageFormat string          `json:"message_format"`
	Type          string          `json:"type"`
	Attachment    *struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"attachment"`
}

// history streams one history file: a JSON array of records, or an object
// whose "items" is one.
func (p *parser) history(file string, r io.Reader, rm room) error {
	dec := json.NewDecoder(r)
	reject := func(n int, field, reason string) {
		p.sink.Reject(importers.Rejection{File: file, Line: n, Field: field, Reason: reason})
	}
	broken := func(n int, err error) error {
		reject(n, "", fmt.Sprintf("broken JSON near byte %d: %v", dec.InputOffset(), err))
		return nil
	}
	tok, err := dec.Token()
	if err != nil {
		return broken(1, err)
	}
	if tok == json.Delim('{') {
		for {
			if !dec.More() {
				reject(1, "items", "is missing: not a HipChat history")
				return nil
			}
			k, err := dec.Token()
			if err != nil {
				return broken(1, err)
			}
			if k == "items" {
				if tok, err = dec.Token(); err != nil {
					return broken(1, err)
				}
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return broken(1, err)
			}
		}
	}
	if tok != json.Delim('[') {
		reject(1, "", "want a JSON array of messages")
		return nil
	}
	for n := 1; dec.More(); n++ {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return broken(n, err)
		}
		typ, m, err := unwrap(raw)
		if err != nil {
			reject(n, "", err.Error())
			continue
		}
		ev, field, reason := p.event(typ, m, rm)
		if reason != "" {
			reject(n, field, reason)
			continue
		}
		if err := p.sink.Event(ev); err != nil {
			return err
		}
	}
	return nil
}

// unwrap takes {"UserMessage": {…}} apart; an API item is its own body.
func unwrap(raw json.RawMessage) (string, message, error) {
	var m message
	var wrapped map[string]json.RawMessage
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return "", m, errors.New("not a JSON object: " + err.Error())
	}
	if len(wrapped) == 1 {
		for typ, body := range wrapped {
			if strings.HasSuffix(typ, "Message") {
				if err := json.Unmarshal(body, &m); err != nil {
					return "", m, fmt.Errorf("%s: %v", typ, err)
				}
				return typ, m, nil
			}
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", m, errors.New(err.Error())
	}
	return m.Type, m, nil
}

// idString reads an id written as a string or a number.
func idString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func (p *parser) event(typ string, m message, rm room) (incident.TimelineEvent, string, string) {
	id := strings.TrimSpace(idString(m.ID))
	if id == "" {
		return incident.TimelineEvent{}, "id", "is missing"
	}
	stamp, field := m.Timestamp, "timestamp"
	if stamp == "" && m.Date != "" {
		stamp, field = m.Date, "date"
	}
	s, loc := strings.TrimSpace(stamp), p.opts.Location
	if t, ok := strings.CutSuffix(s, " UTC"); ok { // "2015-03-06 23:43:39 UTC"
		s, loc = t, time.UTC
	}
	at, err := importers.ParseTime(s, loc)
	if err != nil {
		return incident.TimelineEvent{}, field, err.Error()
	}
	body := importers.NormalizeText(m.Message)
	if m.MessageFormat == "html" {
		body = importers.NormalizeText(chatmarkup.Markdown(m.Message))
	}
	meta := map[string]any{"message_type": typ}
	if rm.name != "" {
		meta["channel"] = rm.name
	}
	if rm.id != "" {
		meta["room_id"] = rm.id
	}
	if a := m.Attachment; a != nil && (a.Name != "" || a.URL != "") {
		name := a.Name
		if name == "" {
			name = path.Base(a.URL)
		}
		line := "[attachment: " + name + "]"
		if strings.HasPrefix(a.URL, "https://") || strings.HasPrefix(a.URL, "http://") {
			line = "[attachment: " + strings.NewReplacer("[", "\\[", "]", "\\]").Replace(name) + "](" + strings.ReplaceAll(a.URL, " ", "%20") + ")"
			meta["attachment_url"] = a.URL
		}
		body = strings.TrimSpace(body + "\n\n" + line)
	}
	if body == "" {
		return incident.TimelineEvent{}, "message", "is empty"
	}
	kind := incident.KindChat
	if strings.HasPrefix(typ, "Notification") || typ == "notification" {
		kind = incident.KindNote
	}
	return incident.TimelineEvent{
		Source:         Source,
		Kind:           kind,
		OccurredAt:     at,
		OccurredAtText: stamp,
		Actor:          p.actor(m, meta),
		Body:           body,
		ExternalID:     id,
		Metadata:       meta,
	}, "", ""
}

// actor is the sender's name: from the record, else users.json, else the
// mention name; notifications name their integration in "from".
func (p *parser) actor(m message, meta map[string]any) string {
	for _, raw := range []json.RawMessage{m.Sender, m.From} {
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
		var who person
		if json.Unmarshal(raw, &who) != nil {
			continue
		}
		id := idString(who.ID)
		if id != "" {
			meta["user_id"] = id
		}
		if who.MentionName != "" {
			meta["mention_name"] = who.MentionName
		}
		for _, n := range []string{who.Name, p.users[id], who.MentionName} {
			if strings.TrimSpace(n) != "" {
				return strings.TrimSpace(n)
			}
		}
		if id != "" {
			return "unknown user " + id
		}
	}
	return "unknown user"
}
