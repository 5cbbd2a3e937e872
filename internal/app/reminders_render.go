package app

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/notify"
)

// maxSlackLines bounds the actions one Slack digest lists per group (a
// message has at most 50 blocks); the rest are counted with a link.
const maxSlackLines = 40

// maxMailLines bounds the actions an e-mail (or printed) digest lists per
// group; the rest are counted, and the list link shows them all.
const maxMailLines = 100

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

// summary is "2 overdue, 1 due within 7 days".
func (d ReminderDigest) summary(dueSoonDays int) string {
	var parts []string
	if n := len(d.Overdue); n > 0 {
		parts = append(parts, strconv.Itoa(n)+" overdue")
	}
	if n := len(d.DueSoon); n > 0 {
		parts = append(parts, strconv.Itoa(n)+" due within "+plural(dueSoonDays, "day"))
	}
	return strings.Join(parts, ", ")
}

// heading names whom the digest is for.
func (d ReminderDigest) heading() string {
	if d.Scope == "team" {
		if d.Subject == "no team" {
			return "Corrective actions without a team"
		}
		return "Corrective actions of team " + d.Subject
	}
	return "Your corrective actions (" + d.Subject + ")"
}

func (l ReminderLine) when() string {
	if l.DaysOverdue > 0 {
		return "due " + l.DueDate.String() + ", " + plural(l.DaysOverdue, "day") + " overdue"
	}
	if l.DaysLeft == 0 {
		return "due today"
	}
	return "due " + l.DueDate.String() + ", in " + plural(l.DaysLeft, "day")
}

func (l ReminderLine) who() string {
	var p []string
	if l.Owner != "" {
		p = append(p, "owner "+l.Owner)
	}
	if l.Team != "" {
		p = append(p, "team "+l.Team)
	}
	if len(p) == 0 {
		return "no owner"
	}
	return strings.Join(p, ", ")
}

// MailSubject is the e-mail subject line.
func (d ReminderDigest) MailSubject(dueSoonDays int) string {
	return "[Hindsight] " + d.heading() + ": " + d.summary(dueSoonDays)
}

// Text is the digest as plain text (e-mail, test mode, the CLI).
func (d ReminderDigest) Text(dueSoonDays int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", d.heading(), d.summary(dueSoonDays))
	for _, g := range []struct {
		title string
		lines []ReminderLine
	}{{"Overdue", d.Overdue}, {"Due soon", d.DueSoon}} {
		if len(g.lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", g.title)
		for n, l := range g.lines {
			if n == maxMailLines {
				fmt.Fprintf(&b, "- … and %d more\n", len(g.lines)-n)
				break
			}
			fmt.Fprintf(&b, "- %s %s: %s (%s; %s; %s)\n  %s\n", l.IncidentKey, l.IncidentTitle, l.Title, l.Priority, l.who(), l.when(), l.URL)
		}
	}
	fmt.Fprintf(&b, "\nAll open actions: %s\n", d.ListURL)
	return b.String()
}

// Slack is the digest as a Slack message; every text from users is escaped.
func (d ReminderDigest) Slack(dueSoonDays int) notify.SlackMessage {
	// The fallback text is mrkdwn too: a team named <!channel> must not ping.
	msg := notify.SlackMessage{Text: notify.SlackText(d.heading() + ": " + d.summary(dueSoonDays))}
	msg.Blocks = append(msg.Blocks, notify.SlackHeader(d.heading()))
	for _, g := range []struct {
		title string
		lines []ReminderLine
	}{{":rotating_light: *Overdue*", d.Overdue}, {":hourglass_flowing_sand: *Due soon*", d.DueSoon}} {
		if len(g.lines) == 0 {
			continue
		}
		msg.Blocks = append(msg.Blocks, notify.SlackSection(g.title))
		var chunk strings.Builder
		for n, l := range g.lines {
			if n == maxSlackLines {
				fmt.Fprintf(&chunk, "… and %d more\n", len(g.lines)-n)
				break
			}
			line := "• " + notify.SlackLink(l.URL, l.IncidentKey+": "+l.Title) + " — " +
				notify.SlackText(string(l.Priority)+", "+l.who()+", "+l.when()) + "\n"
			// A section's text holds at most 3000 characters.
			if chunk.Len()+len(line) > 2900 {
				msg.Blocks = append(msg.Blocks, notify.SlackSection(chunk.String()))
				chunk.Reset()
			}
			chunk.WriteString(line)
		}
		if chunk.Len() > 0 {
			msg.Blocks = append(msg.Blocks, notify.SlackSection(chunk.String()))
		}
	}
	msg.Blocks = append(msg.Blocks, notify.SlackContext(notify.SlackLink(d.ListURL, "All open actions")+" · sent by Hindsight"))
	return msg
}

var reminderHTML = template.Must(template.New("reminder").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<h2>{{.Heading}}</h2>
<p>{{.Summary}}</p>
{{range .Groups}}{{if .Lines}}<h3>{{.Title}}</h3>
<ul>{{range .Lines}}<li><a href="{{.URL}}">{{.IncidentKey}}: {{.Title}}</a> — {{.Priority}}, {{.Who}}, <b>{{.When}}</b><br><small>{{.IncidentTitle}}</small></li>
{{end}}{{if .More}}<li>… and {{.More}} more</li>{{end}}</ul>{{end}}{{end}}
<p><a href="{{.ListURL}}">All open actions</a></p>
<p style="color:#666"><small>Sent by Hindsight.</small></p>
</body></html>`))

type htmlLine struct {
	ReminderLine
	Who, When string
}

// HTML is the digest as an HTML e-mail; html/template escapes every text.
func (d ReminderDigest) HTML(dueSoonDays int) (string, error) {
	type group struct {
		Title string
		Lines []htmlLine
		More  int
	}
	conv := func(title string, ls []ReminderLine) group {
		g := group{Title: title}
		for n, l := range ls {
			if n == maxMailLines {
				g.More = len(ls) - n
				break
			}
			g.Lines = append(g.Lines, htmlLine{ReminderLine: l, Who: l.who(), When: l.when()})
		}
		return g
	}
	var b bytes.Buffer
	err := reminderHTML.Execute(&b, map[string]any{
		"Heading": d.heading(), "Summary": d.summary(dueSoonDays), "ListURL": d.ListURL,
		"Groups": []group{conv("Overdue", d.Overdue), conv("Due soon", d.DueSoon)},
	})
	return b.String(), err
}
