package slackgen

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Shares of the records of a channel (roughly).
const (
	threadShare   = 0.034 // roots that start a thread (1-6 replies: ~10% replies)
	lateReply     = 0.10  // replies posted 1-3 days after their parent
	inlineEdit    = 0.02  // messages carrying an edited stamp
	separateEdit  = 0.01  // messages changed later by a message_changed record
	botShare      = 0.05  // bot messages with an attachment
	fileShare     = 0.03  // messages sharing a file
	joinShare     = 0.005 // channel_join system messages
	reactionShare = 0.10  // messages with reactions
)

// scheduled is a reply or an edit record due at a later time.
type scheduled struct {
	at      int64 // unix microseconds
	reply   *message
	change  *message
	forUser string
}

type schedule []scheduled

func (s schedule) Len() int           { return len(s) }
func (s schedule) Less(i, j int) bool { return s[i].at < s[j].at }
func (s schedule) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s *schedule) Push(x any)        { *s = append(*s, x.(scheduled)) }
func (s *schedule) Pop() any {
	old := *s
	x := old[len(old)-1]
	*s = old[:len(old)-1]
	return x
}

// channelGen writes the day files of one channel.
type channelGen struct {
	r        *rand.Rand
	opts     Options
	users    []userJSON
	channels []channelJSON
	c        channelJSON
	dir      string
	st       *Stats

	queue  schedule
	lastTS int64
	day    string
	f      *os.File
	w      *bufio.Writer
	first  bool
}

// run writes n records.
func (g *channelGen) run(n int) error {
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return err
	}
	start := g.opts.Start.UnixMicro()
	span := float64(g.opts.Days) * 86400e6
	// Roots are ~90% of the records; replies and edits fill the gaps.
	gap := span / (float64(n) * 0.9)
	next := start + int64(g.r.ExpFloat64()*gap)
	for written := 0; written < n; written++ {
		var m *message
		if len(g.queue) > 0 && g.queue[0].at <= next {
			s := heap.Pop(&g.queue).(scheduled)
			m = g.due(s)
		} else {
			m = g.root(next, n-written)
			next += int64(g.r.ExpFloat64()*gap) + 1
		}
		if err := g.write(m); err != nil {
			g.close()
			return err
		}
	}
	return g.close()
}

// ts gives the record due at micros a unique, increasing Slack ts.
func (g *channelGen) ts(micros int64) string {
	if micros <= g.lastTS {
		micros = g.lastTS + 1
	}
	g.lastTS = micros
	return formatTS(micros)
}

func formatTS(micros int64) string {
	return fmt.Sprintf("%d.%06d", micros/1e6, micros%1e6)
}

func (g *channelGen) user() userJSON { return g.users[g.r.IntN(len(g.users))] }

// root makes a new top-level message at micros; left is how many records
// remain, so no thread is started that cannot finish.
func (g *channelGen) root(micros int64, left int) *message {
	u := g.user()
	m := &message{Type: "message", TS: g.ts(micros), User: u.ID, Team: "T0000001",
		UserProfile: &userProfile{RealName: u.RealName, DisplayName: u.Profile.DisplayName, Name: u.Name}}
	p := g.r.Float64()
	switch {
	case p < joinShare:
		m.Subtype, m.Text = "channel_join", "<@"+u.ID+"> has joined the channel"
		return m
	case p < joinShare+botShare:
		g.st.Bots++
		bot := bots[g.r.IntN(len(bots))]
		m.User, m.UserProfile, m.Team = "", nil, ""
		m.Subtype, m.BotID, m.Username = "bot_message", bot.id, bot.name
		m.Text = ""
		title := fmt.Sprintf("[FIRING:%d] %s %s", 1+g.r.IntN(5), alerts[g.r.IntN(len(alerts))], services[g.r.IntN(len(services))])
		m.Attachments = []attachJSON{{Fallback: title, Color: "danger", Title: title,
			TitleLink: "https://alerts.example.com/alert/" + strconv.Itoa(g.r.IntN(1e6)), Text: g.text(8, 40)}}
		return m
	}
	m.Text = g.text(3, 60)
	if g.r.Float64() < fileShare {
		g.st.Files++
		id := fmt.Sprintf("F%09d", g.r.IntN(1e9))
		name := fileNames[g.r.IntN(len(fileNames))]
		m.Files = []fileJSON{{ID: id, Created: micros / 1e6, Name: name, Title: name, Mimetype: "image/png", Filetype: "png",
			Mode: "hosted", Size: 1000 + g.r.IntN(500000),
			URLPrivate: "https://files.slack.com/files-pri/T0000001-" + id + "/" + name,
			Permalink:  "https://example.slack.com/files/" + u.ID + "/" + id + "/" + name}}
	}
	if g.r.Float64() < reactionShare {
		r := reactions[g.r.IntN(len(reactions))]
		m.Reactions = []reactionJSON{{Name: r, Users: []string{g.user().ID}, Count: 1}}
	}
	q := g.r.Float64()
	switch {
	case q < inlineEdit:
		m.Text += " (edit: see above)"
		m.Edited = &edited{User: u.ID, TS: formatTS(micros + int64(g.r.IntN(600e6)) + 1e6)}
	case q < inlineEdit+separateEdit:
		changed := *m
		changed.Text = g.text(3, 60) + " (corrected)"
		changed.UserProfile, changed.Reactions, changed.Files = nil, nil, nil
		at := micros + int64(g.r.IntN(3600e6)) + 1e6
		changed.Edited = &edited{User: u.ID, TS: formatTS(at)}
		heap.Push(&g.queue, scheduled{at: at, change: &changed})
	}
	if g.r.Float64() < threadShare && left > 50 {
		k := 1 + g.r.IntN(6)
		m.ThreadTS, m.ReplyCount = m.TS, k
		for range k {
			ru := g.user()
			var at int64
			if g.r.Float64() < lateReply {
				at = micros + int64(86400e6*(1+2*g.r.Float64()))
			} else {
				at = micros + 30e6 + int64(g.r.Float64()*7200e6)
			}
			m.ReplyUsers = appendUnique(m.ReplyUsers, ru.ID)
			heap.Push(&g.queue, scheduled{at: at, forUser: ru.ID, reply: &message{Type: "message", User: ru.ID,
				Team: "T0000001", ThreadTS: m.TS, ParentUser: u.ID, Text: g.text(2, 40),
				UserProfile: &userProfile{RealName: ru.RealName, DisplayName: ru.Profile.DisplayName, Name: ru.Name}}})
		}
	}
	return m
}

// due turns a scheduled reply or edit into its record.
func (g *channelGen) due(s scheduled) *message {
	if s.reply != nil {
		g.st.Replies++
		s.reply.TS = g.ts(s.at)
		return s.reply
	}
	g.st.Edits++
	return &message{Type: "message", Subtype: "message_changed", Hidden: true, TS: g.ts(s.at), Message: s.change}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// text makes a message of between lo and hi words (skewed short) with
// Slack markup sprinkled in.
func (g *channelGen) text(lo, hi int) string {
	n := lo + int(float64(hi-lo)*math.Pow(g.r.Float64(), 2.5))
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch p := g.r.Float64(); {
		case p < 0.02:
			b.WriteString("<@" + g.user().ID + ">")
		case p < 0.025:
			c := g.channels[g.r.IntN(len(g.channels))]
			b.WriteString("<#" + c.ID + "|" + c.Name + ">")
		case p < 0.032:
			s := services[g.r.IntN(len(services))]
			b.WriteString("<https://grafana.example.com/d/" + s + "?from=now-1h&amp;to=now|" + s + " dashboard>")
		case p < 0.035:
			b.WriteString("<https://status.example.com/incidents/" + strconv.Itoa(g.r.IntN(9999)) + ">")
		case p < 0.04:
			b.WriteString("p99 &gt; 2s &amp; errors &lt; 1%")
		case p < 0.06:
			b.WriteString("`" + services[g.r.IntN(len(services))] + "`")
		default:
			b.WriteString(words[g.r.IntN(len(words))])
		}
	}
	return b.String()
}

// write appends m to its day file, opening the next file when the day
// changes.
func (g *channelGen) write(m *message) error {
	sec, _ := strconv.ParseInt(m.TS[:strings.IndexByte(m.TS, '.')], 10, 64)
	at := time.Unix(sec, 0).UTC()
	if day := at.Format("2006-01-02"); day != g.day {
		if err := g.close(); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(g.dir, day+".json"))
		if err != nil {
			return err
		}
		g.day, g.f, g.w, g.first = day, f, bufio.NewWriterSize(f, 256<<10), true
		g.st.DayFiles++
		g.w.WriteString("[\n")
	}
	if g.st.Messages == 0 || at.Before(g.st.From) {
		g.st.From = at
	}
	if at.After(g.st.To) {
		g.st.To = at
	}
	g.st.Messages++
	data, err := json.MarshalIndent(m, "    ", "    ")
	if err != nil {
		return err
	}
	if !g.first {
		g.w.WriteString(",\n")
	}
	g.first = false
	g.w.WriteString("    ")
	_, err = g.w.Write(data)
	return err
}

// close finishes the open day file, if any.
func (g *channelGen) close() error {
	if g.f == nil {
		return nil
	}
	g.w.WriteString("\n]\n")
	err := g.w.Flush()
	if info, serr := g.f.Stat(); serr == nil {
		g.st.Bytes += info.Size()
	}
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	g.f, g.w = nil, nil
	return err
}
