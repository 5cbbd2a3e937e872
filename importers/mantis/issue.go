package mantis

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

func fail(field, reason string) error { return &alertjson.FieldError{Field: field, Reason: reason} }

func sub(o alertjson.Object, key string) alertjson.Object {
	m, _ := alertjson.AsObject(o[key])
	return m
}

// when reads the time under key of o.
func when(o alertjson.Object, field, key string) (time.Time, string, error) {
	s := o.Str(key)
	if s == "" {
		return time.Time{}, "", fail(field, "is missing; want the time")
	}
	t, err := importers.ParseTime(s, time.UTC)
	if err != nil {
		return time.Time{}, "", fail(field, err.Error())
	}
	return t.UTC(), s, nil
}

// value is an enum, account or plain value as text: an object's label,
// real name or name (else its id), a string or number as it is.
func value(v any) string {
	if o, ok := alertjson.AsObject(v); ok {
		return alertjson.Name(o.Str("label", "real_name", "name", "filename", "id"))
	}
	return alertjson.Name(alertjson.ValueText(v))
}

// defaultEnums are MantisBT's stock enumerations (config_defaults_inc.php);
// history sent as bare ids is read with them. A site that renumbered its
// enums shows the id.
var defaultEnums = map[string]map[string]string{
	"status":     {"10": "new", "20": "feedback", "30": "acknowledged", "40": "confirmed", "50": "assigned", "80": "resolved", "90": "closed"},
	"priority":   {"10": "none", "20": "low", "30": "normal", "40": "high", "50": "urgent", "60": "immediate"},
	"severity":   {"10": "feature", "20": "trivial", "30": "text", "40": "tweak", "50": "minor", "60": "major", "70": "crash", "80": "block"},
	"resolution": {"10": "open", "20": "fixed", "30": "reopened", "40": "unable to reproduce", "50": "not fixable", "60": "duplicate", "70": "no change required", "80": "suspended", "90": "won't fix"},
}

// enumLabel names a bare enum id of field by MantisBT's defaults.
func enumLabel(field, v string) string {
	if name, ok := defaultEnums[field][strings.TrimSpace(v)]; ok {
		return name
	}
	return v
}

// person is an account's display name.
func person(v any) string {
	if o, ok := alertjson.AsObject(v); ok {
		return alertjson.Name(o.Str("real_name", "name", "id"))
	}
	return alertjson.Name(alertjson.ValueText(v))
}

// IssueURL is the web page of issue id under base ("" without base).
func IssueURL(base, id string) string {
	if base = strings.TrimRight(strings.TrimSpace(base), "/"); base == "" {
		return ""
	}
	return alertjson.Link(base + "/view.php?id=" + url.QueryEscape(id))
}

// issue reads one issue: its creation, its public notes and its history.
func issue(o alertjson.Object, base string) ([]importers.TicketEvent, error) {
	id := o.Str("id")
	if id == "" {
		return nil, fail("id", "is missing; want the issue id")
	}
	key := "Mantis " + id
	tmpl := importers.TicketEvent{System: Source, Key: key, URL: IssueURL(base, id), Title: alertjson.Plain(o.Str("summary"))}
	c := tmpl
	c.ID, c.Subtype = alertjson.ID(key+":created"), importers.TicketCreated
	var err error
	if c.At, c.AtText, err = when(o, "created_at", "created_at"); err != nil {
		return nil, err
	}
	c.Actor = person(o["reporter"])
	var body []string
	for _, f := range []struct{ key, head string }{{"description", ""}, {"steps_to_reproduce", "Steps to reproduce"}, {"additional_information", "Additional information"}} {
		if s := alertjson.Plain(o.Str(f.key)); s != "" {
			if f.head != "" {
				s = "**" + f.head + "**\n\n" + s
			}
			body = append(body, s)
		}
	}
	c.Body = strings.Join(body, "\n\n")
	c.Extra = map[string]any{}
	for _, k := range []string{"status", "resolution", "priority", "severity", "category", "project"} {
		if s := value(o[k]); s != "" {
			c.Extra[k] = s
		}
	}
	if h := person(o["handler"]); h != "" {
		c.Extra["handler"] = h
	}
	out := []importers.TicketEvent{c}
	for i, v := range o.List("notes") {
		p := "notes[" + strconv.Itoa(i) + "]"
		n, ok := alertjson.AsObject(v)
		if !ok {
			return nil, fail(p, "is not an object")
		}
		if vs := sub(n, "view_state"); strings.EqualFold(vs.Str("name"), "private") || vs.Str("id") == "50" || strings.EqualFold(n.Str("view_state"), "private") {
			continue // private notes stay in the tracker
		}
		nid := n.Str("id")
		if nid == "" {
			return nil, fail(p+".id", "is missing; want the note id")
		}
		t := tmpl
		t.ID, t.Subtype = alertjson.ID("note:"+nid), importers.TicketComment
		if t.At, t.AtText, err = when(n, p+".created_at", "created_at"); err != nil {
			return nil, err
		}
		t.Actor, t.Body = person(n["reporter"]), alertjson.Plain(n.Str("text"))
		// MantisBT sends {"duration":"01:30"} on timelog notes; older
		// versions a bare string.
		tt := n.Str("time_tracking")
		if obj, ok := alertjson.AsObject(n["time_tracking"]); ok {
			tt = obj.Str("duration")
		}
		if tt != "" && tt != "0" && tt != "0:00" && tt != "00:00" {
			t.Subtype, t.Extra = importers.TicketWorklog, map[string]any{"time_tracking": tt}
			if strings.TrimSpace(t.Body) == "" {
				t.Body = "Time spent: " + tt
			} else {
				t.Body = "Time spent: " + tt + "\n\n" + t.Body
			}
		}
		out = append(out, t)
	}
	for i, v := range o.List("history") {
		p := "history[" + strconv.Itoa(i) + "]"
		h, ok := alertjson.AsObject(v)
		if !ok {
			return nil, fail(p, "is not an object")
		}
		t, keep, err := history(tmpl, h, p)
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, t)
		}
	}
	return out, nil
}

// history reads one history entry. The issue's creation and added notes
// are left out: the issue and its notes give them already.
func history(t importers.TicketEvent, h alertjson.Object, p string) (importers.TicketEvent, bool, error) {
	typ := alertjson.FirstOf(sub(h, "type").Str("name"), h.Str("type"))
	if typ == "issue-new" || typ == "note-added" {
		return t, false, nil
	}
	var err error
	if t.At, t.AtText, err = when(h, p+".created_at", "created_at"); err != nil {
		return t, false, err
	}
	t.Actor = person(h["user"])
	field := alertjson.FirstOf(sub(h, "field").Str("name"), h.Str("field"))
	label := alertjson.FirstOf(sub(h, "field").Str("label"), field)
	from, to := value(h["old_value"]), value(h["new_value"])
	t.ID = alertjson.ID("history:" + importers.StableID(t.AtText, typ, field, from, to, t.Actor))
	switch {
	case field == "status" || field == "resolution":
		t.Subtype = importers.TicketStatus
	case field == "handler":
		t.Subtype = importers.TicketAssignee
	case field == "priority" || field == "severity":
		t.Subtype = importers.TicketPriority
	case strings.HasPrefix(typ, "relationship") || typ == "issue-cloned-to":
		t.Subtype = importers.TicketLinked
		t.Body = alertjson.FirstOf(h.Str("message"), typ) + " " + alertjson.FirstOf(value(h["issue"]), value(h["relationship"]))
	case field != "":
		t.Subtype = importers.TicketField
	default:
		t.Subtype = importers.TicketOther
		detail := alertjson.FirstOf(value(h["note"]), value(h["tag"]), value(h["file"]), h.Str("change"))
		t.Body = alertjson.FirstOf(alertjson.Plain(h.Str("message")), typ)
		if detail != "" && !strings.Contains(t.Body, detail) {
			t.Body += " " + detail
		}
	}
	if t.Subtype != importers.TicketOther && t.Subtype != importers.TicketLinked {
		t.Field, t.From, t.To = label, enumLabel(field, from), enumLabel(field, to)
		switch field {
		case "status", "resolution", "priority", "severity":
			t.Field = field
		case "handler":
			t.Field = "assignee"
		}
	}
	t.Extra = map[string]any{"history_type": typ}
	return t, true, nil
}
