package github

import (
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// record reads one record: a webhook payload, a combined file, an issue, a
// comment or an issue event. only is the one issue of the file, for bare
// events; d is the delivery of a webhook (zero for files).
func record(o alertjson.Object, only *issueRef, d importers.Delivery) ([]importers.TicketEvent, error) {
	iss := sub(o, "issue")
	_, hasAction := o["action"]
	switch {
	case iss != nil && hasAction:
		return webhook(o, iss, d)
	case o.Str("event") != "":
		return issueEvent(o, only, "")
	case iss != nil:
		return combined(o, iss)
	case o.Str("number") != "" && (o.Str("title") != "" || o.Str("html_url") != ""):
		ref, err := refOf(o, "")
		if err != nil {
			return nil, err
		}
		c, err := created(ref, o, "")
		if err != nil {
			return nil, err
		}
		closed, err := closedFromIssue(ref, o, "")
		return append([]importers.TicketEvent{c}, closed...), err
	case o.Str("issue_url") != "" || (o["body"] != nil && sub(o, "user") != nil && o.Str("id") != ""):
		ref, err := commentRef(o, only)
		if err != nil {
			return nil, err
		}
		c, err := comment(ref, o, "")
		return []importers.TicketEvent{c}, err
	}
	return nil, fail("", "neither a GitHub issue, comment, issue event nor webhook payload")
}

// combined reads {"issue": …, "comments": […], "events": […]}.
func combined(o, iss alertjson.Object) ([]importers.TicketEvent, error) {
	ref, err := refOf(iss, "")
	if err != nil {
		return nil, prefixed("issue", err)
	}
	c, err := created(ref, iss, "issue")
	if err != nil {
		return nil, err
	}
	out := []importers.TicketEvent{c}
	for i, v := range o.List("comments") {
		p := "comments[" + strconv.Itoa(i) + "]"
		co, ok := alertjson.AsObject(v)
		if !ok {
			return nil, fail(p, "is not an object")
		}
		t, err := comment(ref, co, p)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	for i, v := range o.List("events") {
		p := "events[" + strconv.Itoa(i) + "]"
		eo, ok := alertjson.AsObject(v)
		if !ok {
			return nil, fail(p, "is not an object")
		}
		ts, err := issueEvent(eo, &ref, p)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

func prefixed(prefix string, err error) error {
	if fe, ok := err.(*alertjson.FieldError); ok {
		return &alertjson.FieldError{Field: alertjson.Join(prefix, fe.Field), Reason: fe.Reason}
	}
	return err
}

// issueEvent reads one issue event (GET …/issues/{n}/events, the
// repository's …/issues/events with its issue, or the timeline).
func issueEvent(o alertjson.Object, only *issueRef, prefix string) ([]importers.TicketEvent, error) {
	kind := o.Str("event")
	var ref issueRef
	switch iss := sub(o, "issue"); {
	case iss != nil:
		var err error
		if ref, err = refOf(iss, ""); err != nil {
			return nil, prefixed(alertjson.Join(prefix, "issue"), err)
		}
	case only != nil:
		ref = *only
	default:
		return nil, fail(alertjson.Join(prefix, "issue"), "is missing: an issue event does not name its issue; import it with its issue (the combined file hindsight pull writes, or JSON Lines of the issue and its events)")
	}
	if kind == "commented" {
		t, err := comment(ref, o, prefix)
		return []importers.TicketEvent{t}, err
	}
	at, text, err := when(o, alertjson.Join(prefix, "created_at"), "created_at", "submitted_at")
	if err != nil {
		if c := sub(o, "committer"); c != nil {
			at, text, err = when(c, alertjson.Join(prefix, "committer.date"), "date")
		}
		if err != nil {
			return nil, err
		}
	}
	id := o.Str("id", "node_id", "sha")
	if id == "" {
		id = importers.StableID(kind, text, login(o, "actor"), o.Str("commit_id"), sub(sub(o, "source"), "issue").Str("html_url"))
	}
	t := ref.ticket("event:"+id, importers.TicketOther)
	t.At, t.AtText = at, text
	t.Actor = alertjson.FirstOf(login(o, "actor"), login(o, "user"), alertjson.Name(sub(o, "author").Str("name")))
	t.Extra = map[string]any{"event": kind}
	change(&t, kind, o)
	switch kind {
	case "referenced":
		t.Subtype = importers.TicketLinked
		if c := o.Str("commit_id"); c != "" {
			t.Extra["commit_id"] = c
			t.Body = "referenced by commit " + c
		}
	case "cross-referenced", "connected", "marked_as_duplicate":
		t.Subtype = importers.TicketLinked
		if u := alertjson.Link(sub(sub(o, "source"), "issue").Str("html_url")); u != "" {
			t.Extra["linked_url"] = u
			t.Body = kind + " from " + u
		}
	}
	if t.Subtype == importers.TicketOther && t.Body == "" {
		t.Body = strings.ReplaceAll(kind, "_", " ")
	}
	return []importers.TicketEvent{t}, nil
}

// change sets the subtype, field and values of the changes issue events
// and webhooks share; kind is the event or action name, o the event or
// payload holding label, assignee, milestone or rename.
func change(t *importers.TicketEvent, kind string, o alertjson.Object) {
	set := func(sub, field, from, to string) { t.Subtype, t.Field, t.From, t.To = sub, field, from, to }
	switch kind {
	case "closed":
		set(importers.TicketStatus, "status", "open", "closed")
	case "reopened":
		set(importers.TicketStatus, "status", "closed", "open")
	case "assigned":
		set(importers.TicketAssignee, "assignee", "", login(o, "assignee"))
	case "unassigned":
		set(importers.TicketAssignee, "assignee", login(o, "assignee"), "")
	case "labeled":
		set(importers.TicketField, "label", "", sub(o, "label").Str("name"))
	case "unlabeled":
		set(importers.TicketField, "label", sub(o, "label").Str("name"), "")
	case "milestoned":
		set(importers.TicketField, "milestone", "", sub(o, "milestone").Str("title"))
	case "demilestoned":
		set(importers.TicketField, "milestone", sub(o, "milestone").Str("title"), "")
	case "renamed":
		r := sub(o, "rename")
		set(importers.TicketField, "title", alertjson.Plain(r.Str("from")), alertjson.Plain(r.Str("to")))
	}
}

// webhook reads an "issues" or "issue_comment" payload.
func webhook(o, iss alertjson.Object, d importers.Delivery) ([]importers.TicketEvent, error) {
	ref, err := refOf(iss, sub(o, "repository").Str("full_name"))
	if err != nil {
		return nil, prefixed("issue", err)
	}
	action := o.Str("action")
	sender := login(o, "sender")
	if c := sub(o, "comment"); c != nil {
		return commentHook(ref, action, c, sender)
	}
	switch action {
	case "opened":
		t, err := created(ref, iss, "issue")
		return []importers.TicketEvent{t}, err
	case "closed":
		ts, err := closedFromIssue(ref, iss, "issue")
		if err != nil || len(ts) == 0 {
			if err == nil {
				err = fail("issue.closed_at", "is missing; want the time it was closed")
			}
			return nil, err
		}
		if sender != "" {
			ts[0].Actor = sender
		}
		return ts, nil
	}
	at, text, err := when(iss, "issue.updated_at", "updated_at")
	if err != nil {
		if len(d.Body) == 0 {
			return nil, err
		}
		at, text = importers.DeliveryTime(d)
	}
	detail := alertjson.FirstOf(sub(o, "label").Str("name"), login(o, "assignee"), sub(o, "milestone").Str("title"))
	id := ref.Key + ":" + action + ":" + importers.IDTime(text)
	if detail != "" {
		id += ":" + detail
	}
	t := ref.ticket(id, importers.TicketOther)
	t.At, t.AtText, t.Actor = at, text, sender
	change(&t, action, o)
	if action == "edited" {
		ch := sub(o, "changes")
		switch {
		case sub(ch, "title") != nil:
			t.Subtype, t.Field, t.From, t.To = importers.TicketField, "title", alertjson.Plain(sub(ch, "title").Str("from")), ref.Title
		case sub(ch, "body") != nil:
			t.Subtype, t.Field, t.Body = importers.TicketField, "description", body(iss.Str("body"))
		}
	}
	if t.Subtype == importers.TicketOther {
		t.Body = strings.ReplaceAll(alertjson.FirstOf(action, "updated"), "_", " ")
	}
	t.Extra = map[string]any{"action": action}
	return []importers.TicketEvent{t}, nil
}

// commentHook reads an "issue_comment" payload.
func commentHook(ref issueRef, action string, c alertjson.Object, sender string) ([]importers.TicketEvent, error) {
	t, err := comment(ref, c, "comment")
	if err != nil {
		return nil, err
	}
	switch action {
	case "created":
	case "edited":
		at, text, err := when(c, "comment.updated_at", "updated_at")
		if err != nil {
			return nil, err
		}
		t.ID = alertjson.ID(t.ID + ":edited:" + text)
		t.At, t.AtText, t.Actor = at, text, alertjson.FirstOf(sender, t.Actor)
		t.Extra = map[string]any{"edited": true}
	default:
		at, text, err := when(c, "comment.updated_at", "updated_at", "created_at")
		if err != nil {
			return nil, err
		}
		t.ID = alertjson.ID(t.ID + ":" + action)
		t.At, t.AtText, t.Actor = at, text, alertjson.FirstOf(sender, t.Actor)
		t.Subtype, t.Body = importers.TicketOther, "comment "+action
	}
	return []importers.TicketEvent{t}, nil
}
