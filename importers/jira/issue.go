package jira

import (
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// issue reads a REST issue: its creation, comments, changelog and
// worklogs.
func (r *collector) issue(o alertjson.Object, prefix string) error {
	t := ticketOf(o)
	if t.key == "" {
		return fmt.Errorf("%s: missing", alertjson.Join(prefix, "key"))
	}
	fields, ok := alertjson.AsObject(o["fields"])
	if !ok {
		return fmt.Errorf("%s: missing (ask the API for fields=*all)", alertjson.Join(prefix, "fields"))
	}
	rendered, _ := alertjson.AsObject(o["renderedFields"])
	fp := alertjson.Join(prefix, "fields")
	if fields["created"] != nil {
		if at, text, ok := r.when(fields["created"], fp+".created"); ok {
			extra := map[string]any{}
			for k, f := range map[string]string{"issuetype": "issue_type", "project": "project", "priority": "priority", "status": "status"} {
				if fo, ok := alertjson.AsObject(fields[k]); ok {
					if s := alertjson.Name(fo.Str("name", "key")); s != "" {
						extra[f] = s
					}
				}
			}
			actor := alertjson.FirstOf(person(fields["reporter"]), person(fields["creator"]))
			r.add(t, importers.TicketEvent{ID: importers.TicketCreated, At: at, AtText: text, Subtype: importers.TicketCreated,
				Actor: actor, Body: body(fields["description"], rendered.Str("description")), Extra: extra})
		}
	}
	r.comments(t, fields["comment"], rendered["comment"], fp+".comment")
	r.worklogs(t, fields["worklog"], fp+".worklog")
	cl, hasChangelog := alertjson.AsObject(o["changelog"])
	if hasChangelog {
		list := cl.List("histories")
		key := "histories"
		if list == nil {
			list, key = cl.List("values"), "values"
		}
		for i, h := range list {
			r.history(t, h, fmt.Sprintf("%s[%d]", alertjson.Join(alertjson.Join(prefix, "changelog"), key), i))
		}
	} else if fields["resolutiondate"] != nil {
		// Without the changelog the resolution is known only from the
		// issue's fields.
		if at, text, ok := r.when(fields["resolutiondate"], fp+".resolutiondate"); ok {
			res, _ := alertjson.AsObject(fields["resolution"])
			st, _ := alertjson.AsObject(fields["status"])
			r.add(t, importers.TicketEvent{ID: "resolved", At: at, AtText: text, Subtype: importers.TicketStatus,
				Field: "resolution", To: alertjson.FirstOf(res.Str("name"), st.Str("name"), "Resolved")})
		}
	}
	return nil
}

// comments reads fields.comment: {"comments":[…]} or a bare list.
func (r *collector) comments(t ticket, v, rendered any, prefix string) {
	list, _ := v.([]any)
	if o, ok := alertjson.AsObject(v); ok {
		list = o.List("comments")
		prefix += ".comments"
	}
	var html []any
	if ro, ok := alertjson.AsObject(rendered); ok {
		html = ro.List("comments")
	}
	for i, c := range list {
		p := fmt.Sprintf("%s[%d]", prefix, i)
		co, ok := alertjson.AsObject(c)
		if !ok {
			r.reject(p, "not a JSON object")
			continue
		}
		rend := ""
		if i < len(html) {
			if ho, ok := alertjson.AsObject(html[i]); ok && ho.Str("id") == co.Str("id") {
				rend = ho.Str("body")
			}
		}
		r.comment(t, co, rend, p, false)
	}
}

// comment reads one comment object. edited marks a comment_updated
// delivery, whose edit is an event of its own.
func (r *collector) comment(t ticket, co alertjson.Object, rendered, p string, edited bool) {
	id := co.Str("id")
	if id == "" {
		r.reject(p+".id", "missing")
		return
	}
	// Comments restricted to a role or group, and Service Management's
	// internal comments, stay in the tracker, as the other trackers'
	// private notes do.
	if vis, ok := alertjson.AsObject(co["visibility"]); ok && vis.Str("value") != "" {
		return
	}
	if pub, ok := co["jsdPublic"].(bool); ok && !pub {
		return
	}
	field, who := "created", co["author"]
	if edited && co.Str("updated") != "" && co.Str("updated") != co.Str("created") {
		field, who = "updated", alertjson.FirstOf(person(co["updateAuthor"]), person(co["author"]))
	}
	at, text, ok := r.when(co[field], p+"."+field)
	if !ok {
		return
	}
	e := importers.TicketEvent{ID: "comment:" + id, At: at, AtText: text, Subtype: importers.TicketComment,
		Actor: person(who), Body: body(co["body"], rendered)}
	if field == "updated" {
		e.ID += ":edited:" + text
		e.Extra = map[string]any{"edited": true}
	}
	r.add(t, e)
}

// worklogs reads fields.worklog.worklogs.
func (r *collector) worklogs(t ticket, v any, prefix string) {
	o, ok := alertjson.AsObject(v)
	if !ok {
		return
	}
	for i, w := range o.List("worklogs") {
		p := fmt.Sprintf("%s.worklogs[%d]", prefix, i)
		wo, ok := alertjson.AsObject(w)
		if !ok {
			r.reject(p, "not a JSON object")
			continue
		}
		r.worklog(t, wo, p)
	}
}

func (r *collector) worklog(t ticket, wo alertjson.Object, p string) {
	id := wo.Str("id")
	if id == "" {
		r.reject(p+".id", "missing")
		return
	}
	at, text, ok := r.when(alertjson.FirstOf(wo.Str("started"), wo.Str("created")), p+".started")
	if !ok {
		return
	}
	spent := alertjson.FirstOf(wo.Str("timeSpent"), seconds(wo.Str("timeSpentSeconds")))
	b := "Time spent: " + orDash(plain(spent))
	if c := body(wo["comment"], ""); c != "" {
		b += "\n\n" + c
	}
	extra := map[string]any{}
	if spent != "" {
		extra["time_spent"] = spent
	}
	r.add(t, importers.TicketEvent{ID: "worklog:" + id, At: at, AtText: text, Subtype: importers.TicketWorklog,
		Actor: person(wo["author"]), Body: b, Extra: extra})
}

func seconds(s string) string {
	if s == "" {
		return ""
	}
	return s + "s"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// history reads one changelog history: an event per changed field.
func (r *collector) history(t ticket, v any, p string) {
	h, ok := alertjson.AsObject(v)
	if !ok {
		r.reject(p, "not a JSON object")
		return
	}
	id := h.Str("id")
	if id == "" {
		r.reject(p+".id", "missing")
		return
	}
	at, text, ok := r.when(h["created"], p+".created")
	if !ok {
		return
	}
	r.items(t, id, h.List("items"), person(h["author"]), at, text, p+".items")
}

// items turns the items of changelog id into events.
func (r *collector) items(t ticket, id string, items []any, actor string, at time.Time, text, p string) {
	seen := map[string]int{}
	for i, it := range items {
		io, ok := alertjson.AsObject(it)
		if !ok {
			r.reject(fmt.Sprintf("%s[%d]", p, i), "not a JSON object")
			continue
		}
		field := alertjson.FirstOf(io.Str("field"), io.Str("fieldId"), "field")
		fid := strings.ToLower(alertjson.FirstOf(io.Str("fieldId"), field))
		sub := importers.TicketField
		switch fid {
		case "status", "resolution":
			sub = importers.TicketStatus
		case "assignee":
			sub = importers.TicketAssignee
		case "priority":
			sub = importers.TicketPriority
		}
		name := "changelog:" + id + ":" + field
		seen[name]++
		if n := seen[name]; n > 1 {
			name += fmt.Sprintf(":%d", n)
		}
		from := alertjson.FirstOf(io.Str("fromString"), io.Str("from"))
		to := alertjson.FirstOf(io.Str("toString"), io.Str("to"))
		r.add(t, importers.TicketEvent{ID: name, At: at, AtText: text, Subtype: sub, Actor: actor,
			Field: plain(alertjson.Name(field)), From: short(from), To: short(to)})
	}
}
