package statuspage

import (
	"sort"
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

// record reads one record: an incident, the public API's list or single
// incident, or a webhook payload (incident or component update).
func record(o alertjson.Object) ([]importers.TicketEvent, error) {
	pageID := sub(o, "page").Str("id")
	switch {
	case o["incidents"] != nil:
		var out []importers.TicketEvent
		for i, v := range o.List("incidents") {
			p := "incidents[" + strconv.Itoa(i) + "]"
			io, ok := alertjson.AsObject(v)
			if !ok {
				return nil, fail(p, "is not an object")
			}
			evs, err := readIncident(io, pageID, p)
			if err != nil {
				return nil, err
			}
			out = append(out, evs...)
		}
		return out, nil
	case sub(o, "incident") != nil:
		return readIncident(sub(o, "incident"), pageID, "incident")
	case sub(o, "component_update") != nil:
		return componentUpdate(o, pageID)
	case o["incident_updates"] != nil || (o.Str("id") != "" && o.Str("name") != "" && o.Str("status") != ""):
		return readIncident(o, "", "")
	}
	return nil, fail("", "neither a Statuspage incident, an incident list nor a webhook payload")
}

// when reads the first time under keys of o.
func when(o alertjson.Object, field string, keys ...string) (time.Time, string, error) {
	s := o.Str(keys...)
	if s == "" {
		return time.Time{}, "", fail(field, "is missing; want the time")
	}
	t, err := importers.ParseTime(s, time.UTC)
	if err != nil {
		return time.Time{}, "", fail(field, err.Error())
	}
	return t.UTC(), s, nil
}

// names lists the "name" of each object in l.
func names(l []any) []string {
	var out []string
	for _, v := range l {
		if o, ok := alertjson.AsObject(v); ok {
			if n := o.Str("name"); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// update is one incident update as read.
type update struct {
	t      importers.TicketEvent
	status string
	body   string
}

// readIncident reads an incident: an event per update, oldest first, each
// marked customer_facing; the newest also carries the incident's whole
// public text, and a published postmortem is one more update.
func readIncident(o alertjson.Object, pageID, prefix string) ([]importers.TicketEvent, error) {
	id := o.Str("id")
	if id == "" {
		return nil, fail(alertjson.Join(prefix, "id"), "is missing; want the incident id")
	}
	if p := o.Str("page_id"); p != "" {
		pageID = p
	}
	key := id
	if pageID != "" {
		key = pageID + "/" + id
	}
	name := alertjson.Plain(o.Str("name"))
	base := importers.TicketEvent{Subtype: importers.TicketUpdate, Status: true, System: Source, Key: key,
		URL: alertjson.Link(o.Str("shortlink")), Title: name}
	extra := func() map[string]any {
		m := map[string]any{"customer_facing": true, "incident_id": id}
		if s := o.Str("impact"); s != "" {
			m["impact"] = s
		}
		if s := o.Str("status"); s != "" {
			m["incident_status"] = s
		}
		if cs := names(o.List("components")); len(cs) > 0 {
			m["components"] = cs
		}
		return m
	}
	var ups []update
	for i, v := range o.List("incident_updates") {
		p := alertjson.Join(prefix, "incident_updates["+strconv.Itoa(i)+"]")
		uo, ok := alertjson.AsObject(v)
		if !ok {
			return nil, fail(p, "is not an object")
		}
		t := base
		var err error
		if t.At, t.AtText, err = when(uo, alertjson.Join(p, "display_at"), "display_at", "created_at"); err != nil {
			return nil, err
		}
		status := uo.Str("status")
		body := alertjson.Plain(uo.Str("body"))
		uid := uo.Str("id")
		if uid == "" {
			uid = importers.StableID(id, status, t.AtText, body)
		}
		t.ID = alertjson.ID("update:" + uid)
		t.To, t.Body = status, body
		t.Extra = extra()
		var affected []string
		for _, a := range uo.List("affected_components") {
			if ao, ok := alertjson.AsObject(a); ok {
				if n := ao.Str("name"); n != "" {
					affected = append(affected, n+": "+alertjson.FirstOf(ao.Str("new_status"), "?"))
				}
			}
		}
		if len(affected) > 0 {
			t.Extra["affected_components"] = affected
		}
		ups = append(ups, update{t, status, body})
	}
	sort.SliceStable(ups, func(i, j int) bool { return ups[i].t.At.Before(ups[j].t.At) })
	var out []importers.TicketEvent
	for i := range ups {
		if i > 0 && ups[i].status != "" {
			ups[i].t.From = ups[i-1].status
		}
		out = append(out, ups[i].t)
	}
	if len(out) > 0 {
		out[len(out)-1].Extra[importers.MetaPublicText] = publicText(name, ups)
	}
	if pm := alertjson.Plain(o.Str("postmortem_body")); pm != "" {
		t := base
		var err error
		if t.At, t.AtText, err = when(o, alertjson.Join(prefix, "postmortem_published_at"), "postmortem_published_at", "postmortem_body_last_updated_at", "resolved_at", "updated_at"); err != nil {
			return nil, err
		}
		t.ID, t.To, t.Body, t.Extra = "postmortem:"+alertjson.ID(id), "postmortem", pm, extra()
		out = append(out, t)
	}
	return out, nil
}

// publicText is what the status page showed: the title, then each update
// as "**Status** (time): text", oldest first.
func publicText(name string, ups []update) string {
	var b strings.Builder
	if name != "" {
		b.WriteString("# " + name + "\n")
	}
	for _, u := range ups {
		b.WriteString("\n**" + statusWord(u.status) + "** (" + u.t.At.Format("2006-01-02 15:04 MST") + "): " + u.body + "\n")
	}
	return strings.TrimSpace(b.String())
}

// statusWord is a status as the page shows it: "in_progress" → "In progress".
func statusWord(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", " ")
	if s == "" {
		return "Update"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// componentUpdate reads a component webhook: the component's status
// change as a field change of the page.
func componentUpdate(o alertjson.Object, pageID string) ([]importers.TicketEvent, error) {
	cu, comp := sub(o, "component_update"), sub(o, "component")
	at, text, err := when(cu, "component_update.created_at", "created_at")
	if err != nil {
		return nil, err
	}
	name := alertjson.FirstOf(comp.Str("name"), cu.Str("component_id"))
	key := alertjson.FirstOf(pageID, "component")
	id := cu.Str("id")
	if id == "" {
		id = importers.StableID(cu.Str("component_id"), text, cu.Str("new_status"))
	}
	t := importers.TicketEvent{ID: alertjson.ID("component_update:" + id), At: at, AtText: text, Subtype: importers.TicketField,
		Status: true, System: Source, Key: key, Field: "component " + name, From: cu.Str("old_status"), To: cu.Str("new_status"),
		Extra: map[string]any{"customer_facing": true, "component": name}}
	return []importers.TicketEvent{t}, nil
}
