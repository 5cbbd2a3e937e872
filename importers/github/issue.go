package github

import (
	"net/url"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// issueRef names the issue events belong to.
type issueRef struct {
	Key   string // owner/repo#12
	URL   string // its html_url
	Title string
}

// ticket starts a ticket event of ref.
func (r issueRef) ticket(id, subtype string) importers.TicketEvent {
	return importers.TicketEvent{ID: alertjson.ID(id), Subtype: subtype, System: Source, Key: r.Key, URL: r.URL, Title: r.Title}
}

func fail(field, reason string) error { return &alertjson.FieldError{Field: field, Reason: reason} }

// sub is the object under key ({} when absent).
func sub(o alertjson.Object, key string) alertjson.Object {
	m, _ := alertjson.AsObject(o[key])
	return m
}

// login is the login of the user object under key.
func login(o alertjson.Object, key string) string {
	return alertjson.Name(sub(o, key).Str("login", "name"))
}

// recordIssue is the issue a record names, for files that hold one issue
// and bare events of it.
func recordIssue(o alertjson.Object) (issueRef, bool) {
	if iss := sub(o, "issue"); iss != nil {
		ref, err := refOf(iss, sub(o, "repository").Str("full_name"))
		return ref, err == nil
	}
	if o.Str("number") != "" && o.Str("title") != "" {
		ref, err := refOf(o, "")
		return ref, err == nil
	}
	return issueRef{}, false
}

// refOf names the issue object iss; repo is the webhook's repository.
func refOf(iss alertjson.Object, repo string) (issueRef, error) {
	n := iss.Str("number")
	if n == "" {
		return issueRef{}, fail("number", "is missing; want the issue number")
	}
	if repo == "" {
		repo, _ = repoOf(iss.Str("repository_url") + "/issues/" + n)
	}
	if repo == "" {
		repo, _ = repoOf(iss.Str("html_url"))
	}
	if repo == "" {
		return issueRef{}, fail("repository_url", "is missing; cannot tell the issue's repository")
	}
	return issueRef{Key: repo + "#" + n, URL: alertjson.Link(iss.Str("html_url")), Title: alertjson.Plain(iss.Str("title"))}, nil
}

// repoOf reads owner/repo and the number from an issue URL of the API
// (…/repos/o/r/issues/12) or the web (…/o/r/issues/12, …/o/r/pull/12,
// GitHub Enterprise under any prefix).
func repoOf(u string) (repo, number string) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" {
		return "", ""
	}
	seg := strings.Split(strings.Trim(p.Path, "/"), "/")
	for i := len(seg) - 2; i >= 2; i-- {
		if (seg[i] == "issues" || seg[i] == "pull" || seg[i] == "pulls") && seg[i-2] != "" && seg[i-1] != "" && seg[i+1] != "" {
			return seg[i-2] + "/" + seg[i-1], seg[i+1]
		}
	}
	return "", ""
}

// when reads the time under key of o; field names it in errors.
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

// labels lists the names of the labels of iss.
func labels(iss alertjson.Object) []string {
	var out []string
	for _, l := range iss.List("labels") {
		if lo, ok := alertjson.AsObject(l); ok {
			if n := lo.Str("name"); n != "" {
				out = append(out, n)
			}
		} else if s := alertjson.ValueText(l); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// created is the issue's opening: its body, state and labels.
func created(ref issueRef, iss alertjson.Object, prefix string) (importers.TicketEvent, error) {
	t := ref.ticket(ref.Key+":created", importers.TicketCreated)
	var err error
	if t.At, t.AtText, err = when(iss, alertjson.Join(prefix, "created_at"), "created_at"); err != nil {
		return t, err
	}
	t.Actor = login(iss, "user")
	t.Body = body(iss.Str("body"))
	t.Extra = map[string]any{}
	if ls := labels(iss); len(ls) > 0 {
		t.Extra["labels"] = ls
	}
	if s := iss.Str("state"); s != "" {
		t.Extra["state"] = s
	}
	if _, pr := iss["pull_request"]; pr {
		t.Extra["pull_request"] = true
	}
	return t, nil
}

// closedFromIssue is the closing an issue object shows by closed_at; its
// id is the one the "closed" webhook gives, so both are one event.
func closedFromIssue(ref issueRef, iss alertjson.Object, prefix string) ([]importers.TicketEvent, error) {
	if iss.Str("closed_at") == "" {
		return nil, nil
	}
	at, text, err := when(iss, alertjson.Join(prefix, "closed_at"), "closed_at")
	if err != nil {
		return nil, err
	}
	t := ref.ticket(ref.Key+":closed:"+text, importers.TicketStatus)
	t.At, t.AtText, t.Field, t.From, t.To = at, text, "status", "open", "closed"
	t.Actor = login(iss, "closed_by")
	if r := iss.Str("state_reason"); r != "" {
		t.Extra = map[string]any{"state_reason": r}
	}
	return []importers.TicketEvent{t}, nil
}

// body is a GitHub markdown text: already markdown, kept as it is
// (normalised and capped); the renderer sanitizes any raw HTML in it.
func body(s string) string {
	s = importers.NormalizeText(s)
	if r := []rune(s); len(r) > alertjson.MaxText {
		s = string(r[:alertjson.MaxText]) + "…"
	}
	return s
}

// comment is an issue comment (REST, timeline "commented", webhook).
func comment(ref issueRef, c alertjson.Object, prefix string) (importers.TicketEvent, error) {
	id := c.Str("id")
	if id == "" {
		return importers.TicketEvent{}, fail(alertjson.Join(prefix, "id"), "is missing; want the comment id")
	}
	t := ref.ticket("comment:"+id, importers.TicketComment)
	var err error
	if t.At, t.AtText, err = when(c, alertjson.Join(prefix, "created_at"), "created_at"); err != nil {
		return t, err
	}
	t.Actor = alertjson.FirstOf(login(c, "user"), login(c, "actor"))
	t.Body = body(c.Str("body"))
	if u := alertjson.Link(c.Str("html_url")); u != "" {
		t.Extra = map[string]any{"comment_url": u}
	}
	return t, nil
}

// commentRef names the issue of a REST comment from its issue_url or
// html_url.
func commentRef(c alertjson.Object, only *issueRef) (issueRef, error) {
	for _, u := range []string{c.Str("issue_url"), c.Str("html_url")} {
		if repo, n := repoOf(u); repo != "" {
			ref := issueRef{Key: repo + "#" + n}
			if only != nil && only.Key == ref.Key {
				return *only, nil
			}
			if h := alertjson.Link(c.Str("html_url")); h != "" {
				ref.URL, _, _ = strings.Cut(h, "#")
			}
			return ref, nil
		}
	}
	if only != nil {
		return *only, nil
	}
	return issueRef{}, fail("issue_url", "is missing; cannot tell the comment's issue")
}
