package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is the events' source name.
const Source = "slack"

// Bodies of events that stand for a removed message.
const (
	deletedBody = "Message deleted"
	emptyBody   = "(message with no text)"
)

// converter turns messages into timeline events; the export parser and the
// pull client share it so both emit the same events.
type converter struct {
	// user names a user id; unknown ids come back as "unknown user <id>".
	user func(id string) (string, error)
	// channel names a channel id, "" when unknown.
	channel func(id string) string
}

// badField is a message that cannot become an event; it turns into a
// Rejection naming the field.
type badField struct {
	field, reason string
}

func (b *badField) Error() string { return b.field + ": " + b.reason }

// event converts m, posted in conv, into one timeline event. A *badField
// error rejects the message; any other error stops the import.
func (c *converter) event(conv conversation, m *message) (incident.TimelineEvent, error) {
	e, err := c.convert(conv, m)
	if err == nil {
		// A bot may call itself anything; the timeline keeps names short.
		e.Actor = clip(e.Actor, incident.MaxName)
	}
	return e, err
}

func (c *converter) convert(conv conversation, m *message) (incident.TimelineEvent, error) {
	switch m.Subtype {
	case "message_changed":
		if m.Message == nil {
			return incident.TimelineEvent{}, &badField{"message", "message_changed carries no message"}
		}
		inner := *m.Message
		if inner.Edited == nil {
			inner.Edited = &edited{TS: m.TS}
		}
		inner.Subtype = "message_changed"
		return c.plain(conv, &inner)
	case "message_deleted":
		return c.deleted(conv, m)
	case "tombstone":
		e, err := c.base(conv, m)
		if err != nil {
			return e, err
		}
		e.Kind, e.Body = incident.KindNote, deletedBody
		return e, nil
	}
	return c.plain(conv, m)
}

// base fills what every event of m has: ids, time, thread and metadata.
func (c *converter) base(conv conversation, m *message) (incident.TimelineEvent, error) {
	if strings.TrimSpace(m.TS) == "" {
		return incident.TimelineEvent{}, &badField{"ts", "message has no timestamp"}
	}
	at, err := importers.ParseTime(m.TS, nil)
	if err != nil {
		return incident.TimelineEvent{}, &badField{"ts", err.Error()}
	}
	e := incident.TimelineEvent{
		Source:         Source,
		Kind:           incident.KindChat,
		OccurredAt:     at,
		OccurredAtText: m.TS,
		ExternalID:     conv.ID + ":" + m.TS,
		Metadata:       map[string]any{"channel": conv.label(), "channel_id": conv.ID},
	}
	if m.ThreadTS != "" {
		e.ThreadID = conv.ID + ":" + m.ThreadTS
		if m.ThreadTS != m.TS {
			e.ParentID = e.ThreadID
		}
	}
	if m.Subtype != "" {
		e.Metadata["subtype"] = m.Subtype
	}
	if m.ReplyCount > 0 {
		e.Metadata["reply_count"] = m.ReplyCount
	}
	return e, nil
}

// plain converts an ordinary, bot, system or edited message.
func (c *converter) plain(conv conversation, m *message) (incident.TimelineEvent, error) {
	e, err := c.base(conv, m)
	if err != nil {
		return e, err
	}
	if e.Actor, err = c.actor(m); err != nil {
		return e, err
	}
	if m.BotID != "" {
		e.Metadata["bot_id"] = m.BotID
	}
	if m.Edited != nil && m.Edited.TS != "" {
		if at, err := importers.ParseTime(m.Edited.TS, nil); err == nil {
			e.Metadata["edited_at"] = at.Format("2006-01-02T15:04:05.000000Z07:00")
		} else {
			return e, &badField{"edited.ts", err.Error()}
		}
	}
	if n := reactionCount(m.Reactions); n > 0 {
		e.Metadata["reactions"] = n
	}
	text, err := c.markup(m.Text)
	if err != nil {
		return e, err
	}
	if text == "" {
		text = attachmentText(m.Attachments)
	}
	files := m.Files
	if m.File != nil {
		files = append([]file{*m.File}, files...)
	}
	var lines []string
	if text != "" {
		lines = append(lines, text)
	}
	if len(files) > 0 {
		meta := make([]map[string]any, 0, len(files))
		for _, f := range files {
			name, url := f.label(), f.url()
			meta = append(meta, map[string]any{"name": name, "url": url})
			if url != "" && strings.Contains(text, url) {
				continue
			}
			if url != "" {
				lines = append(lines, "File: "+mdLink(name, url))
			} else {
				lines = append(lines, "File: "+name)
			}
		}
		e.Metadata["files"] = meta
	}
	e.Body = strings.Join(lines, "\n")
	if e.Body == "" {
		e.Body = emptyBody
	}
	return e, nil
}

// deleted keeps a removed message as a note, so the timeline shows that
// something was said and taken back, without the removed text.
func (c *converter) deleted(conv conversation, m *message) (incident.TimelineEvent, error) {
	e, err := c.base(conv, m)
	if err != nil {
		return e, err
	}
	e.Kind, e.Body = incident.KindNote, deletedBody
	if m.DeletedTS != "" {
		e.Metadata["deleted_ts"] = m.DeletedTS
	}
	if p := m.PreviousMessage; p != nil {
		if e.Actor, err = c.actor(p); err != nil {
			return e, err
		}
		if p.ThreadTS != "" {
			e.ThreadID = conv.ID + ":" + p.ThreadTS
			if p.ThreadTS != p.TS {
				e.ParentID = e.ThreadID
			}
		}
	}
	return e, nil
}

// actor names who posted m: the user's display name, or for bots the bot's
// name as the message gives it.
func (c *converter) actor(m *message) (string, error) {
	bot := m.Subtype == "bot_message" || (m.User == "" && m.BotID != "")
	if bot {
		switch {
		case m.Username != "":
			return m.Username, nil
		case m.BotProfile != nil && m.BotProfile.Name != "":
			return m.BotProfile.Name, nil
		case m.BotID != "":
			return "bot " + m.BotID, nil
		}
	}
	if m.User == "" {
		return "", nil
	}
	if m.User == "USLACKBOT" {
		return "Slackbot", nil
	}
	name, err := c.user(m.User)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(name, "unknown user") {
		// The message may name its author itself.
		if m.UserProfile != nil {
			if n := (user{Profile: *m.UserProfile}).displayName(); n != "" {
				return n, nil
			}
		}
		if m.BotProfile != nil && m.BotProfile.Name != "" {
			return m.BotProfile.Name, nil
		}
	}
	return name, nil
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func reactionCount(rs []reaction) int {
	n := 0
	for _, r := range rs {
		n += r.Count
	}
	return n
}

// attachmentText is the text of a message that has none of its own but
// carries legacy attachments (alerts posted by integrations).
func attachmentText(as []attachment) string {
	var parts []string
	for _, a := range as {
		for _, s := range []string{a.Fallback, a.Text, a.Title} {
			if s = importers.NormalizeText(decodeEntities(s)); s != "" {
				parts = append(parts, s)
				break
			}
		}
	}
	return strings.Join(parts, "\n")
}

// label names a file: its title, its name, or its id for deleted files.
func (f file) label() string {
	switch {
	case f.Title != "":
		return f.Title
	case f.Name != "":
		return f.Name
	case f.Mode == "tombstone":
		return fmt.Sprintf("file %s (deleted)", f.ID)
	case f.ID != "":
		return "file " + f.ID
	}
	return "file"
}

// url links to the file; only http(s) links are kept.
func (f file) url() string {
	for _, u := range []string{f.Permalink, f.URLPrivate} {
		if isHTTP(u) {
			return u
		}
	}
	return ""
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}
