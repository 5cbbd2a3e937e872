package bugzilla

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// historyKinds maps history field names (REST names and the older
// database names) to the event subtype and the field shown.
var historyKinds = map[string][2]string{
	"status":       {importers.TicketStatus, "status"},
	"bug_status":   {importers.TicketStatus, "status"},
	"resolution":   {importers.TicketStatus, "resolution"},
	"assigned_to":  {importers.TicketAssignee, "assignee"},
	"priority":     {importers.TicketPriority, "priority"},
	"severity":     {importers.TicketPriority, "severity"},
	"bug_severity": {importers.TicketPriority, "severity"},
	"blocks":       {importers.TicketLinked, "blocks"},
	"depends_on":   {importers.TicketLinked, "depends on"},
	"dependson":    {importers.TicketLinked, "depends on"},
	"dupe_of":      {importers.TicketLinked, "duplicate of"},
	"see_also":     {importers.TicketLinked, "see also"},
}

// extraFields are bug fields kept in the created event's metadata.
var extraFields = []string{"product", "component", "version", "status", "resolution", "priority", "severity",
	"platform", "op_sys", "target_milestone", "whiteboard", "url", "deadline", "assigned_to", "classification"}

// events turns what is known of the bug into ticket events.
func (b *bug) events(opts importers.Options, reject func(*alertjson.FieldError)) []importers.TicketEvent {
	names := map[string]string{}
	for _, u := range append([]user{deref(b.info.CreatorDetail), deref(b.info.AssignedToDetail), deref(b.info.QAContactDetail)}, b.info.CCDetail...) {
		if login, real := u.Name.String(), alertjson.Name(u.RealName.String()); login != "" && real != "" {
			names[login] = real
		}
	}
	who := func(login string) string {
		if n := names[strings.TrimSpace(login)]; n != "" {
			return n
		}
		return alertjson.Name(login)
	}
	base := importers.TicketEvent{System: Source, Key: "Bug " + b.id, Title: plainText(b.info.Summary.String())}
	if b.base != "" {
		base.URL = b.base + "/show_bug.cgi?id=" + b.id
	}
	var out []importers.TicketEvent
	seen := map[string]bool{}
	push := func(e importers.TicketEvent) {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}

	// Comment 0 is the description: the body of the created event.
	var desc *comment
	for i := range b.comments {
		if c := &b.comments[i]; c.Count.String() == "0" && c.IsPrivate.String() != "true" {
			desc = c
			break
		}
	}
	if b.raw != nil || desc != nil {
		ev := base
		ev.ID, ev.Subtype = alertjson.ID("bug:"+b.id+":created"), importers.TicketCreated
		when, actor := b.info.CreationTime, b.info.Creator.String()
		if b.raw == nil {
			when, actor = firstText(desc.CreationTime, desc.Time), desc.Creator.String()
		}
		at, text, err := parseWhen(when, "creation_time", opts)
		if err != nil {
			reject(err)
		} else {
			ev.At, ev.AtText, ev.Actor = at, text, who(actor)
			if desc != nil {
				ev.Body = plainText(desc.Text.String())
			}
			ev.Extra = b.extra()
			push(ev)
		}
	}
	for i, c := range b.comments {
		if c == (comment{}) || c.Count.String() == "0" || c.IsPrivate.String() == "true" {
			continue
		}
		field := "comments[" + strconv.Itoa(i) + "]"
		if c.ID.String() == "" {
			reject(&alertjson.FieldError{Field: field + ".id", Reason: "missing"})
			continue
		}
		at, text, err := parseWhen(firstText(c.CreationTime, c.Time), field+".creation_time", opts)
		if err != nil {
			reject(err)
			continue
		}
		ev := base
		ev.ID, ev.Subtype = alertjson.ID("comment:"+c.ID.String()), importers.TicketComment
		ev.At, ev.AtText, ev.Actor = at, text, who(c.Creator.String())
		ev.Body = plainText(c.Text.String())
		ev.Extra = map[string]any{"comment_number": c.Count.String()}
		if a := c.AttachmentID.String(); a != "" {
			ev.Extra["attachment_id"] = a
		}
		push(ev)
	}
	for i, h := range b.history {
		field := "history[" + strconv.Itoa(i) + "]"
		at, text, err := parseWhen(h.When, field+".when", opts)
		if err != nil {
			reject(err)
			continue
		}
		for _, ch := range h.Changes {
			name := ch.FieldName.String()
			id := "history:" + b.id + ":" + h.When.String() + ":" + h.Who.String() + ":" + name
			if a := ch.AttachmentID.String(); a != "" {
				id += ":" + a
			}
			ev := base
			ev.ID, ev.At, ev.AtText, ev.Actor = alertjson.ID(id), at, text, who(h.Who.String())
			ev.Subtype, ev.Field = importers.TicketField, name
			from, to := ch.Removed.String(), ch.Added.String()
			if k, ok := historyKinds[name]; ok {
				ev.Subtype, ev.Field = k[0], k[1]
			}
			switch ev.Subtype {
			case importers.TicketAssignee:
				from, to = namesOf(from, who), namesOf(to, who)
			case importers.TicketLinked:
				ev.Body = linkText(ev.Field, from, to)
			}
			if a := ch.AttachmentID.String(); a != "" {
				ev.Extra = map[string]any{"attachment_id": a}
			}
			ev.From, ev.To = short(from), short(to)
			push(ev)
		}
	}
	return out
}

// extra is the created event's metadata: the bug's fields worth keeping,
// its custom fields (cf_…) and the incident it names.
func (b *bug) extra() map[string]any {
	out := map[string]any{"bug_id": b.id}
	cf := map[string]string{}
	for k, raw := range b.raw {
		v := alertjson.Scalar(raw)
		if v == "" && len(raw) > 0 && raw[0] == '[' {
			var list []alertjson.Text
			if alertjson.Decode(raw, &list) == nil {
				parts := make([]string, 0, len(list))
				for _, x := range list {
					if s := x.String(); s != "" {
						parts = append(parts, s)
					}
				}
				v = strings.Join(parts, ", ")
			}
		}
		if v == "" {
			continue
		}
		if strings.HasPrefix(k, "cf_") {
			cf[k] = short(v)
		}
	}
	for _, k := range extraFields {
		if v := short(alertjson.Scalar(b.raw[k])); v != "" {
			out[k] = v
		}
	}
	var kw []string
	for _, k := range b.info.Keywords {
		if s := k.String(); s != "" {
			kw = append(kw, s)
		}
	}
	if len(kw) > 0 {
		out["keywords"] = strings.Join(kw, ", ")
	}
	if len(cf) > 0 {
		out["custom_fields"] = cf
	}
	ref := alertjson.IncidentRef(cf)
	if ref == "" {
		// Whiteboards hold tags as "[hindsight:INC-7] [other]".
		wb := strings.FieldsFunc(alertjson.Scalar(b.raw["whiteboard"]), func(r rune) bool { return r == '[' || r == ']' || r == ' ' || r == ',' })
		ref = alertjson.TagRef(append(kw, wb...))
	}
	if ref != "" {
		out[importers.MetaIncident] = ref
	}
	return out
}

func deref(u *user) user {
	if u == nil {
		return user{}
	}
	return *u
}

func firstText(ts ...alertjson.Text) alertjson.Text {
	for _, t := range ts {
		if t.String() != "" {
			return t
		}
	}
	return ""
}

// namesOf maps a comma-separated list of logins to names.
func namesOf(s string, who func(string) string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = who(strings.TrimSpace(p))
	}
	return strings.Join(parts, ", ")
}

func linkText(field, from, to string) string {
	var parts []string
	if to = strings.TrimSpace(to); to != "" {
		parts = append(parts, field+" "+bugRefs(to))
	}
	if from = strings.TrimSpace(from); from != "" {
		parts = append(parts, "no longer "+field+" "+bugRefs(from))
	}
	return strings.Join(parts, "; ")
}

// bugRefs writes "12, 13" as "Bug 12, Bug 13" (URLs of see_also stay).
func bugRefs(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && strings.Trim(p, "0123456789") == "" {
			p = "Bug " + p
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}

// openTag is a "<" that could open an HTML tag.
var openTag = regexp.MustCompile(`<([a-zA-Z/!?])`)

// plainText is Bugzilla's plain text as markdown: a "<" that could open a tag
// is escaped, so text like "<script>" shows as written and is never HTML.
func plainText(s string) string {
	s = importers.NormalizeText(s)
	if r := []rune(s); len(r) > alertjson.MaxText {
		s = string(r[:alertjson.MaxText])
	}
	return openTag.ReplaceAllString(s, "&lt;$1")
}

// short caps a value shown inline.
func short(s string) string {
	s = strings.Join(strings.Fields(plainText(s)), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// parseWhen reads a Bugzilla time (ISO 8601 in UTC, "2026-03-01T10:05:00Z").
func parseWhen(t alertjson.Text, field string, opts importers.Options) (time.Time, string, *alertjson.FieldError) {
	s := t.String()
	if s == "" {
		return time.Time{}, "", &alertjson.FieldError{Field: field, Reason: "missing"}
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	at, err := importers.ParseTime(s, loc)
	if err != nil {
		return time.Time{}, "", &alertjson.FieldError{Field: field, Reason: err.Error()}
	}
	if at.IsZero() {
		return time.Time{}, "", &alertjson.FieldError{Field: field, Reason: "is the zero time"}
	}
	return at.UTC(), s, nil
}
