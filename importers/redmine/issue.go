package redmine

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// named is an object Redmine refers to by id and name (status, user …).
type named struct {
	ID   alertjson.Text `json:"id"`
	Name alertjson.Text `json:"name"`
}

type issue struct {
	ID           alertjson.Text `json:"id"`
	Project      *named         `json:"project"`
	Tracker      *named         `json:"tracker"`
	Status       *named         `json:"status"`
	Priority     *named         `json:"priority"`
	Author       *named         `json:"author"`
	AssignedTo   *named         `json:"assigned_to"`
	Category     *named         `json:"category"`
	FixedVersion *named         `json:"fixed_version"`
	Subject      alertjson.Text `json:"subject"`
	Description  alertjson.Text `json:"description"`
	StartDate    alertjson.Text `json:"start_date"`
	DueDate      alertjson.Text `json:"due_date"`
	DoneRatio    alertjson.Text `json:"done_ratio"`
	CreatedOn    alertjson.Text `json:"created_on"`
	ClosedOn     alertjson.Text `json:"closed_on"`
	CustomFields []customField  `json:"custom_fields"`
	Journals     []journal      `json:"journals"`
	Attachments  []attachment   `json:"attachments"`
}

type customField struct {
	ID    alertjson.Text `json:"id"`
	Name  alertjson.Text `json:"name"`
	Value alertjson.Text `json:"value"` // an array for multi-value fields, read as its JSON
}

type journal struct {
	ID           alertjson.Text `json:"id"`
	User         *named         `json:"user"`
	Notes        alertjson.Text `json:"notes"`
	CreatedOn    alertjson.Text `json:"created_on"`
	PrivateNotes alertjson.Text `json:"private_notes"`
	Details      []detail       `json:"details"`
}

type detail struct {
	Property alertjson.Text `json:"property"`
	Name     alertjson.Text `json:"name"`
	OldValue alertjson.Text `json:"old_value"`
	NewValue alertjson.Text `json:"new_value"`
}

type attachment struct {
	ID         alertjson.Text `json:"id"`
	Filename   alertjson.Text `json:"filename"`
	ContentURL alertjson.Text `json:"content_url"`
}

// lookups name the ids journal details carry, per attribute
// ("status", "priority", "user", "tracker" …).
type lookups struct {
	names map[string]map[string]string
	base  string
}

func newLookups(env envelope) lookups {
	lk := lookups{names: map[string]map[string]string{}, base: strings.TrimRight(alertjson.Link(env.BaseURL.String()), "/")}
	lk.addAll("status", env.Statuses, env.IssueStatuses)
	lk.addAll("priority", env.Priorities, env.IssuePriors)
	lk.addAll("user", env.Users)
	return lk
}

func (lk lookups) addAll(kind string, lists ...[]named) {
	for _, l := range lists {
		for _, n := range l {
			lk.add(kind, &n)
		}
	}
}

// add remembers n's name; names the lookups gave win over names an
// issue shows (both are current names).
func (lk lookups) add(kind string, n *named) {
	if n == nil || n.ID.String() == "" || n.Name.String() == "" {
		return
	}
	m := lk.names[kind]
	if m == nil {
		m = map[string]string{}
		lk.names[kind] = m
	}
	if _, ok := m[n.ID.String()]; !ok {
		m[n.ID.String()] = alertjson.Name(n.Name.String())
	}
}

// name is the name of id of kind, else "#id"; "" stays "".
func (lk lookups) name(kind, id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return ""
	}
	if n := lk.names[kind][id]; n != "" {
		return n
	}
	return "#" + id
}

// answer is one issue of a record with the record's lookups.
type answer struct {
	raw     json.RawMessage
	lookups lookups
	listed  bool
}

// attrs maps the journal detail attributes whose values are ids to the
// field name events show and the lookup that names them.
var attrs = map[string][2]string{
	"status_id":        {"status", "status"},
	"assigned_to_id":   {"assignee", "user"},
	"priority_id":      {"priority", "priority"},
	"tracker_id":       {"tracker", "tracker"},
	"category_id":      {"category", "category"},
	"fixed_version_id": {"target version", "version"},
	"project_id":       {"project", "project"},
	"author_id":        {"author", "user"},
}

// events turns one issue into its ticket events.
func (a answer) events(opts importers.Options) ([]importers.TicketEvent, error) {
	var is issue
	if err := alertjson.Decode(a.raw, &is); err != nil {
		return nil, err
	}
	id := strings.TrimPrefix(is.ID.String(), "#")
	if id == "" || len(id) > 40 || strings.ContainsAny(id, " \t\n/") {
		return nil, &alertjson.FieldError{Field: "id", Reason: "missing or not an issue id"}
	}
	lk := a.lookups
	lk.add("status", is.Status)
	lk.add("priority", is.Priority)
	lk.add("user", is.Author)
	lk.add("user", is.AssignedTo)
	lk.add("tracker", is.Tracker)
	lk.add("category", is.Category)
	lk.add("version", is.FixedVersion)
	lk.add("project", is.Project)
	for _, j := range is.Journals {
		lk.add("user", j.User)
	}
	cfNames := map[string]string{}
	cfValues := map[string]string{}
	for _, cf := range is.CustomFields {
		if n := alertjson.Name(cf.Name.String()); n != "" {
			cfNames[cf.ID.String()] = n
			cfValues[n] = cf.Value.String()
		}
	}
	files := map[string]attachment{}
	for _, f := range is.Attachments {
		files[f.ID.String()] = f
	}
	base := importers.TicketEvent{System: Source, Key: "#" + id, Title: openTag.ReplaceAllString(alertjson.Plain(is.Subject.String()), "&lt;$1")}
	if lk.base != "" {
		base.URL = lk.base + "/issues/" + id
	}
	created, text, err := when(is.CreatedOn, "created_on", opts)
	if err != nil {
		return nil, err
	}
	extra := map[string]any{"issue_id": id}
	put := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			extra[k] = v
		}
	}
	for k, n := range map[string]*named{"project": is.Project, "tracker": is.Tracker, "status": is.Status, "priority": is.Priority, "assigned_to": is.AssignedTo, "category": is.Category, "target_version": is.FixedVersion} {
		if n != nil {
			put(k, alertjson.Name(n.Name.String()))
		}
	}
	put("start_date", is.StartDate.String())
	put("due_date", is.DueDate.String())
	put("done_ratio", is.DoneRatio.String())
	put("closed_on", is.ClosedOn.String())
	if len(cfValues) > 0 {
		extra["custom_fields"] = cfValues
	}
	if ref := alertjson.IncidentRef(cfValues); ref != "" {
		extra[importers.MetaIncident] = ref
	}
	ev := base
	ev.ID, ev.At, ev.AtText, ev.Subtype = "issue:"+id+":created", created, text, importers.TicketCreated
	ev.Actor = actor(is.Author)
	ev.Body = clip(Markdown(is.Description.String()))
	ev.Extra = extra
	out := []importers.TicketEvent{ev}
	for i, j := range is.Journals {
		field := "journals[" + strconv.Itoa(i) + "]"
		jid := j.ID.String()
		if jid == "" {
			return nil, &alertjson.FieldError{Field: field + ".id", Reason: "missing"}
		}
		at, atText, err := when(j.CreatedOn, field+".created_on", opts)
		if err != nil {
			return nil, err
		}
		je := base
		je.At, je.AtText, je.Actor = at, atText, actor(j.User)
		if notes := clip(Markdown(j.Notes.String())); notes != "" && j.PrivateNotes.String() != "true" {
			c := je
			c.ID, c.Subtype, c.Body = alertjson.ID("journal:"+jid), importers.TicketComment, notes
			out = append(out, c)
		}
		for _, d := range j.Details {
			out = append(out, change(je, jid, d, lk, cfNames, files))
		}
	}
	return out, nil
}

// change turns one journal detail into an event.
func change(je importers.TicketEvent, jid string, d detail, lk lookups, cfNames map[string]string, files map[string]attachment) importers.TicketEvent {
	prop, name := d.Property.String(), d.Name.String()
	from, to := d.OldValue.String(), d.NewValue.String()
	je.ID = alertjson.ID("journal:" + jid + ":" + prop + ":" + name)
	je.Subtype, je.Field = importers.TicketField, name
	switch prop {
	case "attr":
		if a, ok := attrs[name]; ok {
			je.Field, from, to = a[0], lk.name(a[1], from), lk.name(a[1], to)
			switch name {
			case "status_id":
				je.Subtype = importers.TicketStatus
			case "assigned_to_id":
				je.Subtype = importers.TicketAssignee
			case "priority_id":
				je.Subtype = importers.TicketPriority
			}
		} else {
			je.Field = strings.ReplaceAll(strings.TrimSuffix(name, "_id"), "_", " ")
			if name == "description" || name == "subject" {
				from, to = Markdown(from), Markdown(to)
			}
		}
	case "cf":
		je.Field = cfNames[name]
		if je.Field == "" {
			je.Field = "custom field " + name
		}
	case "attachment":
		je.Field = "attachment"
		if f, ok := files[name]; ok {
			if u := alertjson.Link(f.ContentURL.String()); u != "" {
				je.Extra = map[string]any{"attachment_url": u}
			}
		}
	case "relation":
		je.Subtype, je.Field = importers.TicketLinked, "relation "+name
		from, to = issueRef(from), issueRef(to)
		if to != "" {
			je.Body = name + " " + to
		} else {
			je.Body = "no longer " + name + " " + from
		}
	default:
		je.Subtype = importers.TicketOther
		je.Field = strings.TrimSpace(prop + " " + name)
		je.Body = "changed " + orDash(from) + " → " + orDash(to)
	}
	je.From, je.To = short(from), short(to)
	return je
}

func issueRef(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return "#" + s
	}
	return ""
}

func orDash(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "(none)"
	}
	return short(s)
}

// short caps a changed value shown inline.
func short(s string) string {
	s = strings.Join(strings.Fields(openTag.ReplaceAllString(alertjson.Plain(s), "&lt;$1")), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

func clip(s string) string {
	if r := []rune(s); len(r) > alertjson.MaxText {
		s = string(r[:alertjson.MaxText])
	}
	return s
}

func actor(n *named) string {
	if n == nil {
		return ""
	}
	return alertjson.Name(n.Name.String())
}

// when reads a Redmine timestamp (RFC 3339, UTC).
func when(t alertjson.Text, field string, opts importers.Options) (time.Time, string, error) {
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
