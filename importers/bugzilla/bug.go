package bugzilla

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

type user struct {
	Name     alertjson.Text `json:"name"` // the login
	RealName alertjson.Text `json:"real_name"`
}

type bugJSON struct {
	ID               alertjson.Text   `json:"id"`
	Summary          alertjson.Text   `json:"summary"`
	CreationTime     alertjson.Text   `json:"creation_time"`
	Creator          alertjson.Text   `json:"creator"`
	CreatorDetail    *user            `json:"creator_detail"`
	AssignedToDetail *user            `json:"assigned_to_detail"`
	QAContactDetail  *user            `json:"qa_contact_detail"`
	CCDetail         []user           `json:"cc_detail"`
	Keywords         []alertjson.Text `json:"keywords"`
}

type comment struct {
	ID           alertjson.Text `json:"id"`
	BugID        alertjson.Text `json:"bug_id"`
	Count        alertjson.Text `json:"count"`
	Text         alertjson.Text `json:"text"`
	Creator      alertjson.Text `json:"creator"`
	Time         alertjson.Text `json:"time"`
	CreationTime alertjson.Text `json:"creation_time"`
	IsPrivate    alertjson.Text `json:"is_private"`
	AttachmentID alertjson.Text `json:"attachment_id"`
}

type historyEntry struct {
	When    alertjson.Text `json:"when"`
	Who     alertjson.Text `json:"who"`
	Changes []struct {
		FieldName    alertjson.Text `json:"field_name"`
		Removed      alertjson.Text `json:"removed"`
		Added        alertjson.Text `json:"added"`
		AttachmentID alertjson.Text `json:"attachment_id"`
	} `json:"changes"`
}

// bug is what a file told of one bug.
type bug struct {
	id       string
	raw      map[string]json.RawMessage // the bug object, when given
	info     bugJSON
	comments []comment
	history  []historyEntry
	base     string
	line     int // the record that first named the bug, for rejections
}

// bugSet merges the records of a file per bug, in order of appearance.
type bugSet struct {
	order []string
	bugs  map[string]*bug
}

func newBugSet() *bugSet { return &bugSet{bugs: map[string]*bug{}} }

func (s *bugSet) get(id string, line int) *bug {
	b := s.bugs[id]
	if b == nil {
		b = &bug{id: id, line: line}
		s.bugs[id] = b
		s.order = append(s.order, id)
	}
	return b
}

// bugID reads a bug id: digits only, so keys and URLs stay well formed.
func bugID(t alertjson.Text, field string) (string, error) {
	id := t.String()
	if id == "" || len(id) > 20 || strings.Trim(id, "0123456789") != "" {
		return "", &alertjson.FieldError{Field: field, Reason: "missing or not a bug id"}
	}
	return id, nil
}

// add reads one record into the set. Nothing of a record is added unless
// all of it can be read.
func (s *bugSet) add(data json.RawMessage, line int) error {
	var top map[string]json.RawMessage
	if err := alertjson.Decode(data, &top); err != nil || top == nil {
		return &alertjson.FieldError{Reason: "not a JSON object"}
	}
	type pending struct {
		id   string
		fill func(*bug)
	}
	var adds []pending
	addBug := func(raw json.RawMessage, field string) error {
		var obj map[string]json.RawMessage
		var info bugJSON
		if err := alertjson.Decode(raw, &obj); err != nil || obj == nil {
			return &alertjson.FieldError{Field: field, Reason: "not a JSON object"}
		}
		if err := alertjson.Decode(raw, &info); err != nil {
			return alertjson.DecodeError(field, err)
		}
		id, err := bugID(info.ID, alertjson.Join(field, "id"))
		if err != nil {
			return err
		}
		var hist []historyEntry
		if h, ok := obj["history"]; ok {
			if err := alertjson.Decode(h, &hist); err != nil {
				return alertjson.DecodeError(alertjson.Join(field, "history"), err)
			}
		}
		isBug := obj["summary"] != nil || obj["creation_time"] != nil || obj["creator"] != nil
		adds = append(adds, pending{id, func(b *bug) {
			if isBug {
				b.raw, b.info = obj, info
			}
			b.history = append(b.history, hist...)
		}})
		return nil
	}
	switch {
	case top["bug"] != nil:
		if err := addBug(top["bug"], "bug"); err != nil {
			return err
		}
		var cs []comment
		var hs []historyEntry
		if err := decodeOpt(top["comments"], &cs, "comments"); err != nil {
			return err
		}
		if err := decodeOpt(top["history"], &hs, "history"); err != nil {
			return err
		}
		base := strings.TrimRight(alertjson.Link(alertjson.Scalar(top["base_url"])), "/")
		last := &adds[len(adds)-1]
		fill := last.fill
		last.fill = func(b *bug) {
			fill(b)
			b.comments = append(b.comments, cs...)
			b.history = append(b.history, hs...)
			if base != "" {
				b.base = base
			}
		}
	case top["bugs"] != nil:
		raw := strings.TrimSpace(string(top["bugs"]))
		switch {
		case strings.HasPrefix(raw, "["):
			var list []json.RawMessage
			if err := alertjson.Decode(top["bugs"], &list); err != nil {
				return alertjson.DecodeError("bugs", err)
			}
			for i, item := range list {
				if err := addBug(item, "bugs["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
		case strings.HasPrefix(raw, "{"):
			var byBug map[string]struct {
				Comments []comment `json:"comments"`
			}
			if err := alertjson.Decode(top["bugs"], &byBug); err != nil {
				return alertjson.DecodeError("bugs", err)
			}
			keys := make([]string, 0, len(byBug))
			for k := range byBug {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				id, err := bugID(alertjson.Text(k), "bugs."+k)
				if err != nil {
					return err
				}
				cs := byBug[k].Comments
				adds = append(adds, pending{id, func(b *bug) { b.comments = append(b.comments, cs...) }})
			}
		default:
			return &alertjson.FieldError{Field: "bugs", Reason: "is neither a list of bugs nor comments by bug"}
		}
		if len(top["faults"]) > 0 && string(top["faults"]) != "[]" && string(top["faults"]) != "null" && len(adds) == 0 {
			return &alertjson.FieldError{Field: "faults", Reason: "the answer holds only faults: " + alertjson.Scalar(top["faults"])}
		}
	case top["id"] != nil && (top["summary"] != nil || top["creation_time"] != nil):
		if err := addBug(data, ""); err != nil {
			return err
		}
	case top["error"] != nil && top["message"] != nil:
		return &alertjson.FieldError{Field: "error", Reason: "a Bugzilla error answer: " + alertjson.Scalar(top["message"])}
	default:
		return &alertjson.FieldError{Reason: `not a Bugzilla answer (no "bug", "bugs" or bug "id" and "summary")`}
	}
	for _, a := range adds {
		a.fill(s.get(a.id, line))
	}
	return nil
}

func decodeOpt(raw json.RawMessage, v any, field string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := alertjson.Decode(raw, v); err != nil {
		return alertjson.DecodeError(field, err)
	}
	return nil
}

// emit hands sink the events of every bug; a part of a bug that cannot be
// read (a comment or history entry without a time) is rejected alone.
func (s *bugSet) emit(opts importers.Options, reject func(int, *alertjson.FieldError), sink importers.Sink) error {
	for _, id := range s.order {
		b := s.bugs[id]
		for _, ev := range b.events(opts, func(f *alertjson.FieldError) { reject(b.line, f) }) {
			if err := sink.Event(ev.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}
