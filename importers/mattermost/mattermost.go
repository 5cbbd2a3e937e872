// Package mattermost reads Mattermost's bulk export (JSON Lines, as written
// by `mmctl export create` and read by `mmctl import bulk`) and pulls
// channel history through the REST API v4.
//
// The bulk export carries no post ids, so exported posts are keyed by
// "<team>/<channel>:<create_at>:<username>" (direct messages by
// "dm/<member>,<member>:<create_at>:<username>"); API pulls are keyed by the
// post id. The two keys never match: a channel imported from an export and
// pulled from the API is deduplicated within each way, not across them.
package mattermost

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is the events' source name.
const Source = "mattermost"

// maxLineBytes caps one JSON line; a longer line is rejected and skipped
// without holding it in memory. A variable so tests can lower it.
var maxLineBytes = 16 << 20

// Importer parses a Mattermost bulk export: one .jsonl file, or a folder or
// zip holding it (the attachments beside it are not read).
type Importer struct{}

// New returns the Mattermost importer.
func New() Importer { return Importer{} }

// Source implements importers.Importer.
func (Importer) Source() string { return Source }

// Parse implements importers.Importer. Lines are read one at a time, so
// memory stays bounded by the users and channels of the export and the keys
// of its posts (kept to tell apart two posts of one user in one millisecond).
func (Importer) Parse(ctx context.Context, in importers.Input, opts importers.Options, sink importers.Sink) error {
	p := &parser{
		opts:     opts,
		sink:     sink,
		users:    map[string]string{},
		channels: map[string]string{},
		seen:     map[string]int{},
		filter:   channelFilter(opts.Channels),
	}
	if in.FS == nil {
		if in.Open == nil {
			return fmt.Errorf("mattermost: %s: nothing to read", in.Name)
		}
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("mattermost: open %s: %w", in.Name, err)
		}
		defer rc.Close()
		return p.parse(ctx, in.Name, rc)
	}
	names, err := jsonlFiles(in.FS)
	if err != nil {
		return fmt.Errorf("mattermost: %s: %w", in.Name, err)
	}
	for _, name := range names {
		if err := p.parseFile(ctx, in.FS, name); err != nil {
			return err
		}
	}
	return nil
}

// jsonlFiles lists the export's .jsonl files; a folder without one is not
// a Mattermost export.
func jsonlFiles(fsys fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".jsonl") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no .jsonl file: not a Mattermost bulk export")
	}
	sort.Strings(names)
	return names, nil
}

type parser struct {
	opts     importers.Options
	sink     importers.Sink
	users    map[string]string // username → display name
	channels map[string]string // "team/name" → display name
	seen     map[string]int    // post key → times seen
	filter   map[string]bool
}

func (p *parser) parseFile(ctx context.Context, fsys fs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("mattermost: open %s: %w", name, err)
	}
	defer f.Close()
	return p.parse(ctx, name, f)
}

// line is one record of the export; only the field named by Type is set.
type line struct {
	Type          string         `json:"type"`
	Version       *int           `json:"version"`
	Channel       *exportChannel `json:"channel"`
	User          *exportUser    `json:"user"`
	Post          *exportPost    `json:"post"`
	DirectChannel *exportDirect  `json:"direct_channel"`
	DirectPost    *exportPost    `json:"direct_post"`
}

type exportChannel struct {
	Team        string `json:"team"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

type exportUser struct {
	Username  string `json:"username"`
	Nickname  string `json:"nickname"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type exportDirect struct {
	Members []string `json:"members"`
}

type exportPost struct {
	Team           string           `json:"team"`
	Channel        string           `json:"channel"`
	ChannelMembers []string         `json:"channel_members"`
	User           string           `json:"user"`
	Message        string           `json:"message"`
	Props          map[string]any   `json:"props"`
	CreateAt       json.RawMessage  `json:"create_at"`
	EditAt         json.RawMessage  `json:"edit_at"`
	IsPinned       bool             `json:"is_pinned"`
	FlaggedBy      []string         `json:"flagged_by"`
	Replies        []exportPost     `json:"replies"`
	Reactions      []exportReaction `json:"reactions"`
	Attachments    []exportFile     `json:"attachments"`
}

type exportReaction struct {
	User      string `json:"user"`
	EmojiName string `json:"emoji_name"`
}

type exportFile struct {
	Path string `json:"path"`
}

func (p *parser) parse(ctx context.Context, name string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, tooLong, err := readLine(br, buf[:0])
		buf = raw
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("mattermost: read %s line %d: %w", name, n, err)
		}
		if tooLong {
			p.sink.Reject(importers.Rejection{File: name, Line: n, Reason: fmt.Sprintf("line is longer than %d bytes", maxLineBytes)})
		} else if len(bytes.TrimSpace(raw)) > 0 {
			if serr := p.record(name, n, raw); serr != nil {
				return serr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
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

// record handles one line; only a sink failure is returned.
func (p *parser) record(name string, n int, raw []byte) error {
	reject := func(field, reason string) {
		p.sink.Reject(importers.Rejection{File: name, Line: n, Field: field, Reason: reason})
	}
	var l line
	if err := json.Unmarshal(raw, &l); err != nil {
		reject("", "not a JSON object: "+err.Error())
		return nil
	}
	switch l.Type {
	case "user":
		if l.User != nil && l.User.Username != "" {
			p.users[l.User.Username] = displayName(*l.User)
		}
	case "channel":
		if l.Channel != nil && l.Channel.Name != "" {
			p.channels[l.Channel.Team+"/"+l.Channel.Name] = l.Channel.DisplayName
		}
	case "post":
		if l.Post == nil {
			reject("post", "is missing")
			return nil
		}
		return p.post(name, n, l.Post, false)
	case "direct_post":
		if l.DirectPost == nil {
			reject("direct_post", "is missing")
			return nil
		}
		return p.post(name, n, l.DirectPost, true)
	case "":
		reject("type", "is missing")
	}
	// version, team, direct_channel, scheme, emoji, bot, …: nothing to keep.
	return nil
}

// displayName follows Mattermost's "nickname, else full name" display
// setting, falling back to the username.
func displayName(u exportUser) string {
	if n := strings.TrimSpace(u.Nickname); n != "" {
		return n
	}
	if n := strings.TrimSpace(strings.TrimSpace(u.FirstName) + " " + strings.TrimSpace(u.LastName)); n != "" {
		return n
	}
	return u.Username
}

func channelFilter(chs []string) map[string]bool {
	if len(chs) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, c := range chs {
		m[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c), "~"))] = true
	}
	return m
}

// keep says whether the post's channel passes Options.Channels: by name,
// team/name, or display name; a direct channel by its sorted members
// joined with ",".
func (p *parser) keep(names ...string) bool {
	if p.filter == nil {
		return true
	}
	for _, n := range names {
		if n != "" && p.filter[strings.ToLower(n)] {
			return true
		}
	}
	return false
}

// post emits a post and its replies.
func (p *parser) post(name string, n int, post *exportPost, direct bool) error {
	reject := func(field, reason string) {
		p.sink.Reject(importers.Rejection{File: name, Line: n, Field: field, Reason: reason})
	}
	kind := "post"
	if direct {
		kind = "direct_post"
	}
	meta := map[string]any{}
	var scope string
	if direct {
		members := append([]string(nil), post.ChannelMembers...)
		if len(members) == 0 {
			reject(kind+".channel_members", "is empty")
			return nil
		}
		sort.Strings(members)
		ch := strings.Join(members, ",")
		if !p.keep(ch) {
			return nil
		}
		scope = "dm/" + ch
		meta["channel"] = ch
		meta["direct"] = true
	} else {
		if post.Team == "" {
			reject(kind+".team", "is missing")
			return nil
		}
		if post.Channel == "" {
			reject(kind+".channel", "is missing")
			return nil
		}
		display := p.channels[post.Team+"/"+post.Channel]
		if !p.keep(post.Channel, post.Team+"/"+post.Channel, display) {
			return nil
		}
		scope = post.Team + "/" + post.Channel
		meta["team"] = post.Team
		meta["channel"] = post.Channel
		if display != "" {
			meta["channel_display_name"] = display
		}
	}
	root, ok := p.event(post, scope, meta, kind, reject)
	if !ok {
		return nil
	}
	var replies []incident.TimelineEvent
	for i := range post.Replies {
		field := fmt.Sprintf("%s.replies[%d]", kind, i)
		r, ok := p.event(&post.Replies[i], scope, meta, field, reject)
		if !ok {
			continue
		}
		r.ThreadID, r.ParentID = root.ExternalID, root.ExternalID
		replies = append(replies, r)
	}
	if len(replies) > 0 {
		root.ThreadID = root.ExternalID
	}
	if err := p.sink.Event(root); err != nil {
		return err
	}
	for _, r := range replies {
		if err := p.sink.Event(r); err != nil {
			return err
		}
	}
	return nil
}

// event builds the event of one post or reply; ok is false when it was
// rejected.
func (p *parser) event(post *exportPost, scope string, chMeta map[string]any, field string, reject func(field, reason string)) (incident.TimelineEvent, bool) {
	if post.User == "" {
		reject(field+".user", "is missing")
		return incident.TimelineEvent{}, false
	}
	text := string(bytes.TrimSpace(post.CreateAt))
	if text == "" || text == "null" {
		reject(field+".create_at", "is missing")
		return incident.TimelineEvent{}, false
	}
	if u, err := strconv.Unquote(text); err == nil {
		text = u // a quoted number, as some tools write big integers
	}
	ms, err := strconv.ParseInt(text, 10, 64)
	if err != nil || ms <= 0 {
		reject(field+".create_at", "must be milliseconds since 1970, got "+strconv.Quote(text))
		return incident.TimelineEvent{}, false
	}
	at := time.UnixMilli(ms).UTC()
	if !incident.TimeInRange(at) {
		reject(field+".create_at", "is out of range: "+text)
		return incident.TimelineEvent{}, false
	}
	body := importers.NormalizeText(post.Message)
	var files []string
	for _, a := range post.Attachments {
		if a.Path == "" {
			continue
		}
		files = append(files, path.Base(a.Path))
		body = strings.TrimSpace(body + "\n\n[attachment: " + path.Base(a.Path) + "]")
	}
	if body == "" {
		reject(field+".message", "is empty and there are no attachments")
		return incident.TimelineEvent{}, false
	}
	key := scope + ":" + text + ":" + post.User
	p.seen[key]++
	if c := p.seen[key]; c > 1 {
		key += "#" + strconv.Itoa(c)
	}
	actor := p.users[post.User]
	if actor == "" {
		actor = post.User
	}
	meta := make(map[string]any, len(chMeta)+6)
	for k, v := range chMeta {
		meta[k] = v
	}
	meta["username"] = post.User
	if o, _ := post.Props["override_username"].(string); strings.TrimSpace(o) != "" {
		actor = strings.TrimSpace(o)
		meta["from_webhook"] = true
	}
	if e := string(bytes.TrimSpace(post.EditAt)); e != "" && e != "0" && e != "null" {
		meta["edited"] = true
	}
	if post.IsPinned {
		meta["pinned"] = true
	}
	if len(post.FlaggedBy) > 0 {
		meta["flagged_by"] = append([]string(nil), post.FlaggedBy...)
	}
	if len(post.Reactions) > 0 {
		rs := make([]string, 0, len(post.Reactions))
		for _, r := range post.Reactions {
			rs = append(rs, ":"+r.EmojiName+": "+r.User)
		}
		meta["reactions"] = rs
	}
	if len(files) > 0 {
		meta["attachments"] = files
	}
	return incident.TimelineEvent{
		Source:         Source,
		Kind:           incident.KindChat,
		OccurredAt:     at,
		OccurredAtText: text,
		Actor:          actor,
		Body:           body,
		ExternalID:     key,
		Metadata:       meta,
	}, true
}
