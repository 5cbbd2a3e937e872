// Package slackgen writes a synthetic Slack workspace export (an unpacked
// folder: users.json, channels.json and <channel>/<YYYY-MM-DD>.json day
// files) for the import benchmarks. The export is deterministic for a given
// Options and is written day file by day file, so generating a large export
// does not hold it in memory.
//
// The messages look like a busy incident workspace: plain chat with Slack
// markup (<@U…>, <#C…|name>, <url|text>, &amp;), thread parents and replies
// (some replies land in a later day file than their parent), messages edited
// in place and edits recorded as separate message_changed records, bot
// messages with attachments, file shares and channel joins.
package slackgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Options shape the export.
type Options struct {
	// Messages is how many message records the day files hold in all,
	// message_changed records included. Default 200,000.
	Messages int
	// Channels and Users are how many of each the workspace has. Defaults
	// 3 and 50.
	Channels, Users int
	// Days is how many days the messages span. Default 30.
	Days int
	// Start is the first day (UTC). Default 2026-10-01.
	Start time.Time
	// Seed makes the export reproducible. Default 1.
	Seed uint64
}

// Stats tells what Generate wrote.
type Stats struct {
	// Messages counts every record in the day files.
	Messages int
	// Edits counts the separate message_changed records; the importer folds
	// them into the message they change, so they yield no event of their own.
	Edits int
	// Replies, Bots and Files count thread replies, bot messages and
	// messages sharing files.
	Replies, Bots, Files int
	// DayFiles counts the day files and Bytes their total size.
	DayFiles int
	Bytes    int64
	// From and To are the first and last message times.
	From, To time.Time
}

// Events is how many timeline events the importer should make of the
// export: one per record, except the separate edit records.
func (s Stats) Events() int { return s.Messages - s.Edits }

func (o *Options) defaults() {
	if o.Messages <= 0 {
		o.Messages = 200000
	}
	if o.Channels <= 0 {
		o.Channels = 3
	}
	if o.Users <= 0 {
		o.Users = 50
	}
	if o.Days <= 0 {
		o.Days = 30
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

type userJSON struct {
	ID       string      `json:"id"`
	TeamID   string      `json:"team_id"`
	Name     string      `json:"name"`
	Deleted  bool        `json:"deleted"`
	RealName string      `json:"real_name"`
	TZ       string      `json:"tz"`
	Profile  profileJSON `json:"profile"`
	IsBot    bool        `json:"is_bot"`
}

type profileJSON struct {
	RealName    string `json:"real_name"`
	DisplayName string `json:"display_name"`
	Title       string `json:"title,omitempty"`
}

type channelJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Created    int64    `json:"created"`
	Creator    string   `json:"creator"`
	IsArchived bool     `json:"is_archived"`
	IsGeneral  bool     `json:"is_general"`
	Members    []string `json:"members"`
	Topic      textSet  `json:"topic"`
	Purpose    textSet  `json:"purpose"`
}

type textSet struct {
	Value   string `json:"value"`
	Creator string `json:"creator"`
	LastSet int64  `json:"last_set"`
}

// Generate writes the export into dir (which must exist) and reports what
// it wrote.
func Generate(dir string, opts Options) (Stats, error) {
	opts.defaults()
	r := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	users := make([]userJSON, opts.Users)
	for i := range users {
		first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames)+i)%len(lastNames)]
		users[i] = userJSON{
			ID: fmt.Sprintf("U%08d", i+1), TeamID: "T0000001", Name: strings.ToLower(first) + "." + strings.ToLower(last),
			RealName: first + " " + last, TZ: "Europe/Paris",
			Profile: profileJSON{RealName: first + " " + last, DisplayName: first, Title: "SRE"},
		}
	}
	channels := make([]channelJSON, opts.Channels)
	for i := range channels {
		name := channelNames[i%len(channelNames)]
		if i >= len(channelNames) {
			name += "-" + strconv.Itoa(i)
		}
		members := make([]string, len(users))
		for j, u := range users {
			members[j] = u.ID
		}
		channels[i] = channelJSON{
			ID: fmt.Sprintf("C%08d", i+1), Name: name, Created: opts.Start.Unix() - 86400*365, Creator: users[0].ID,
			IsGeneral: i == 0, Members: members,
			Topic:   textSet{Value: "Incident coordination for " + name, Creator: users[0].ID},
			Purpose: textSet{Value: "Where " + name + " happens", Creator: users[0].ID},
		}
	}
	if err := writeJSON(filepath.Join(dir, "users.json"), users); err != nil {
		return Stats{}, err
	}
	if err := writeJSON(filepath.Join(dir, "channels.json"), channels); err != nil {
		return Stats{}, err
	}
	var st Stats
	for i, c := range channels {
		n := opts.Messages / opts.Channels
		if i < opts.Messages%opts.Channels {
			n++
		}
		g := &channelGen{r: r, opts: opts, users: users, channels: channels, c: c, dir: filepath.Join(dir, c.Name), st: &st}
		if err := g.run(n); err != nil {
			return Stats{}, err
		}
	}
	return st, nil
}

// writeJSON writes v to name, indented as Slack's exporter does.
func writeJSON(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// message is one record of a day file.
type message struct {
	Type        string         `json:"type"`
	Subtype     string         `json:"subtype,omitempty"`
	TS          string         `json:"ts"`
	User        string         `json:"user,omitempty"`
	BotID       string         `json:"bot_id,omitempty"`
	Username    string         `json:"username,omitempty"`
	Text        string         `json:"text"`
	Team        string         `json:"team,omitempty"`
	UserProfile *userProfile   `json:"user_profile,omitempty"`
	ThreadTS    string         `json:"thread_ts,omitempty"`
	ReplyCount  int            `json:"reply_count,omitempty"`
	ReplyUsers  []string       `json:"reply_users,omitempty"`
	Replies     []replyRef     `json:"replies,omitempty"`
	ParentUser  string         `json:"parent_user_id,omitempty"`
	Edited      *edited        `json:"edited,omitempty"`
	Files       []fileJSON     `json:"files,omitempty"`
	Attachments []attachJSON   `json:"attachments,omitempty"`
	Reactions   []reactionJSON `json:"reactions,omitempty"`
	Message     *message       `json:"message,omitempty"`
	Hidden      bool           `json:"hidden,omitempty"`
}

type userProfile struct {
	RealName    string `json:"real_name"`
	DisplayName string `json:"display_name"`
	Name        string `json:"name"`
}

type replyRef struct {
	User string `json:"user"`
	TS   string `json:"ts"`
}

type edited struct {
	User string `json:"user"`
	TS   string `json:"ts"`
}

type fileJSON struct {
	ID         string `json:"id"`
	Created    int64  `json:"created"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Mimetype   string `json:"mimetype"`
	Filetype   string `json:"filetype"`
	Mode       string `json:"mode"`
	Size       int    `json:"size"`
	URLPrivate string `json:"url_private"`
	Permalink  string `json:"permalink"`
}

type attachJSON struct {
	Fallback  string `json:"fallback"`
	Color     string `json:"color"`
	Title     string `json:"title"`
	TitleLink string `json:"title_link"`
	Text      string `json:"text"`
}

type reactionJSON struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
	Count int      `json:"count"`
}
