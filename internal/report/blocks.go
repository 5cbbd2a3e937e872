package report

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Generated blocks are bounded, so a section's Markdown (typed text plus
// generated block) stays well inside what the Markdown pipeline renders
// (markdown.MaxSource) whatever the number of key events or records.
const (
	// maxCell bounds the characters of text one table cell shows.
	maxCell = 300
	// MaxBlockRows bounds the rows (events, root causes, actions) one
	// generated block lists; a last line says how many were left out.
	MaxBlockRows = 500
	// maxDescription bounds the characters of one root cause the block
	// shows; the whole text stays on the root cause.
	maxDescription = 2000
)

// moreLine is the line closing a block that left n rows out: "… and 12
// more key events — see the incident timeline".
func moreLine(n int, what, where string) string {
	return "\n… and " + strconv.Itoa(n) + " more " + what + " — see the incident " + where + "\n"
}

// block generates the Markdown a section's structured block shows for the
// document's audience; "" when there is nothing the audience may see.
func (d Document) block(b incident.Block) string {
	switch b {
	case incident.BlockTimeline:
		return d.timelineBlock()
	case incident.BlockRootCauses:
		return d.rootCausesBlock()
	case incident.BlockActions:
		return d.actionsBlock()
	}
	return ""
}

// row is one line of the generated timeline.
type row struct {
	at                  time.Time
	source, actor, text string
	mark                bool
}

// timelineBlock is a table of the lifecycle marks and, for internal
// readers, the key events, in time order.
func (d Document) timelineBlock() string {
	var rows []row
	marks := []struct {
		at   *time.Time
		text string
	}{
		{d.Incident.StartedAt, "Incident started"},
		{d.Incident.DetectedAt, "Detected"},
		{d.Incident.AcknowledgedAt, "Acknowledged"},
		{d.Incident.MitigatedAt, "Mitigated"},
		{d.Incident.ResolvedAt, "Resolved"},
	}
	for _, m := range marks {
		if m.at != nil {
			rows = append(rows, row{at: *m.at, source: "lifecycle", text: m.text, mark: true})
		}
	}
	internal := d.Audience == incident.AudienceInternal
	more := 0
	if internal {
		events := d.KeyEvents()
		if len(events) > MaxBlockRows { // the lifecycle marks always stay
			events, more = events[:MaxBlockRows], len(events)-MaxBlockRows
		}
		for _, e := range events {
			rows = append(rows, row{at: e.OccurredAt, source: e.Source, actor: e.Actor, text: e.Body})
		}
	}
	if len(rows) == 0 {
		return "_No key events yet._\n"
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	var b strings.Builder
	if internal {
		b.WriteString("| Time (UTC) | Source | Actor | Event |\n|---|---|---|---|\n")
	} else {
		b.WriteString("| Time (UTC) | Event |\n|---|---|\n")
	}
	for _, r := range rows {
		text := cell(r.text)
		if r.mark {
			text = "**" + text + "**"
		}
		if internal {
			b.WriteString("| " + utcText(r.at) + " | " + cell(r.source) + " | " + cell(r.actor) + " | " + text + " |\n")
		} else {
			b.WriteString("| " + utcText(r.at) + " | " + text + " |\n")
		}
	}
	if more > 0 {
		b.WriteString(moreLine(more, "key events", "timeline"))
	}
	return b.String()
}

// rootCausesBlock lists the root causes; internal readers also see the
// events each one cites.
func (d Document) rootCausesBlock() string {
	if d.Audience == incident.AudiencePublic {
		return ""
	}
	if len(d.RootCauses) == 0 {
		return "_No root causes recorded yet._\n"
	}
	var b strings.Builder
	causes, more := d.RootCauses, 0
	if len(causes) > MaxBlockRows {
		causes, more = causes[:MaxBlockRows], len(causes)-MaxBlockRows
	}
	for i, rc := range causes {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- **" + cell(string(rc.Category)) + "**: ")
		b.WriteString(indent(clip(strings.TrimSpace(rc.Description), maxDescription), "  "))
		b.WriteByte('\n')
		if d.Audience != incident.AudienceInternal {
			continue
		}
		for _, id := range rc.EvidenceEventIDs {
			e, ok := d.event(id)
			if !ok {
				continue
			}
			line := utcText(e.OccurredAt) + " · " + cell(e.Source)
			if e.Actor != "" {
				line += " · " + cell(e.Actor)
			}
			b.WriteString("  - Evidence: " + line + ": " + cell(e.Body) + "\n")
		}
	}
	if more > 0 {
		b.WriteString(moreLine(more, "root causes", "root causes"))
	}
	return b.String()
}

// actionsBlock is a table of the corrective actions: whole for internal
// readers, title and status for customer success.
func (d Document) actionsBlock() string {
	if d.Audience == incident.AudiencePublic {
		return ""
	}
	if len(d.Actions) == 0 {
		return "_No corrective actions recorded yet._\n"
	}
	var b strings.Builder
	actions, more := d.Actions, 0
	if len(actions) > MaxBlockRows {
		actions, more = actions[:MaxBlockRows], len(actions)-MaxBlockRows
	}
	if d.Audience != incident.AudienceInternal {
		b.WriteString("| Action | Status |\n|---|---|\n")
		for _, a := range actions {
			b.WriteString("| " + cell(a.Title) + " | " + statusText(a.Status) + " |\n")
		}
		if more > 0 {
			b.WriteString(moreLine(more, "corrective actions", "corrective actions"))
		}
		return b.String()
	}
	b.WriteString("| Action | Type | Priority | Owner | Team | Due | Status | Ticket |\n|---|---|---|---|---|---|---|---|\n")
	for _, a := range actions {
		due := ""
		if a.DueDate != nil {
			due = a.DueDate.String()
		}
		b.WriteString("| " + cell(a.Title) + " | " + cell(string(a.Type)) + " | " + cell(string(a.Priority)) +
			" | " + cell(a.Owner) + " | " + cell(a.Team) + " | " + due + " | " + statusText(a.Status) +
			" | " + ticket(a) + " |\n")
	}
	if more > 0 {
		b.WriteString(moreLine(more, "corrective actions", "corrective actions"))
	}
	return b.String()
}

// statusText is an action status for people.
func statusText(s incident.ActionStatus) string {
	switch s {
	case incident.ActionOpen:
		return "open"
	case incident.ActionInProgress:
		return "in progress"
	case incident.ActionDone:
		return "done"
	case incident.ActionWontDo:
		return "won't do"
	}
	return cell(string(s))
}

// ticket is the action's ticket as a link when it has a URL.
func ticket(a incident.CorrectiveAction) string {
	label := a.TicketKey
	if label == "" {
		label = a.TicketSystem
	}
	if a.TicketURL == "" || !(strings.HasPrefix(a.TicketURL, "https://") || strings.HasPrefix(a.TicketURL, "http://")) {
		return cell(label)
	}
	if label == "" {
		label = "ticket"
	}
	u := strings.NewReplacer(" ", "%20", ")", "%29", "(", "%28", "|", "%7C", "<", "%3C", ">", "%3E").Replace(a.TicketURL)
	return "[" + cell(strings.NewReplacer("[", `\[`, "]", `\]`).Replace(label)) + "](" + u + ")"
}

// cell makes text fit one Markdown table cell: one line, pipes escaped,
// at most maxCell characters.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxCell {
		r := []rune(s)
		s = string(r[:maxCell]) + "…"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// indent prefixes every line but the first with pad, so multi-line text stays
// inside a list item.
func indent(s, pad string) string {
	return strings.ReplaceAll(s, "\n", "\n"+pad)
}
