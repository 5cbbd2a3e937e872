package app

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/notify"
)

// ReminderLine is one action in a reminder digest.
type ReminderLine struct {
	ActionID      int64
	IncidentKey   string
	IncidentTitle string
	Title         string
	Priority      incident.Priority
	Owner         string
	Team          string
	DueDate       incident.Date
	// DaysOverdue is how many days past due (0: due today or later).
	DaysOverdue int
	// DaysLeft is how many days until due (for due-soon actions).
	DaysLeft int
	// URL leads to the action (its incident's actions).
	URL string
}

// ReminderDigest is the reminder one recipient gets over one channel.
type ReminderDigest struct {
	Channel string // incident.ReminderSlack or incident.ReminderEmail
	// Recipient is the e-mail address, or "team <name>" for Slack.
	Recipient string
	Scope     string // incident.ReminderScopeOwner or ReminderScopeTeam
	// Subject is the owner or team the digest is about.
	Subject string
	Overdue []ReminderLine
	DueSoon []ReminderLine
	// ListURL lists all of the subject's open actions.
	ListURL string
	// Throttled says the recipient already got a digest within the
	// throttle window, so this one is not sent now.
	Throttled bool
	// Status and Error are the outcome of sending (empty in a dry run).
	Status string
	Error  string

	// webhook is the Slack webhook URL (a secret, never shown).
	webhook string
}

// ActionIDs lists the digest's actions.
func (d ReminderDigest) ActionIDs() []int64 {
	var ids []int64
	for _, l := range append(append([]ReminderLine(nil), d.Overdue...), d.DueSoon...) {
		ids = append(ids, l.ActionID)
	}
	return ids
}

// digestKey identifies a digest within one run.
type digestKey struct{ channel, recipient, scope string }

// digestBuilder groups reminder items into digests.
type digestBuilder struct {
	opts    ReminderOptions
	today   incident.Date
	base    string
	owners  ownerDirectory
	digests map[digestKey]*ReminderDigest
	// previewAll shows every channel as configured (test mode, or a dry
	// run with none configured).
	previewAll bool
	warnings   map[string]bool
}

func (b *digestBuilder) warn(format string, args ...any) {
	b.warnings[fmt.Sprintf(format, args...)] = true
}

// add puts one action into its owner's and its team's digests.
// Restricted incidents' actions go to their owner by e-mail only.
func (b *digestBuilder) add(it incident.ReminderItem) {
	a := it.Action
	line := ReminderLine{
		ActionID: a.ID, IncidentKey: a.IncidentKey, IncidentTitle: it.IncidentTitle, Title: a.Title,
		Priority: a.Priority, Owner: a.Owner, Team: a.Team, DueDate: *a.DueDate,
		URL: b.base + "/incidents/" + url.PathEscape(a.IncidentKey) + "#action-" + strconv.FormatInt(a.ID, 10),
	}
	overdue := a.DueDate.Before(b.today)
	if overdue {
		line.DaysOverdue = daysBetween(*a.DueDate, b.today)
	} else {
		line.DaysLeft = daysBetween(b.today, *a.DueDate)
	}
	if a.Owner != "" && (b.opts.SMTP != nil || b.previewAll) {
		addr, viewer, reason := b.owners.resolve(a.Owner)
		switch {
		case reason != "":
			b.warn("owner %q %s: not reminded", a.Owner, reason)
		case it.Restricted && !viewer.Sees(incident.VisibilityRestricted, it.RestrictedTo):
			// The owner may not see the incident: nothing about it goes to them.
			b.warn("%s is not in the reminder of %s, who may not see restricted incident %s", actionRef(a), addr, a.IncidentKey)
		default:
			b.put(digestKey{incident.ReminderEmail, addr, incident.ReminderScopeOwner}, a.Owner,
				b.base+"/actions?owner="+url.QueryEscape(a.Owner), line, overdue, "")
		}
	}
	if it.Restricted {
		return
	}
	team := a.Team
	list := b.base + "/actions?team=" + url.QueryEscape(team)
	if team == "" {
		list = b.base + "/actions"
	}
	if hook := b.webhookFor(team); hook != "" {
		b.put(digestKey{incident.ReminderSlack, teamRecipient(team), incident.ReminderScopeTeam}, team, list, line, overdue, hook)
	}
	if team == "" {
		return
	}
	if addr, ok := lookupFold(b.opts.TeamEmails, team); ok && (b.opts.SMTP != nil || b.previewAll) {
		b.put(digestKey{incident.ReminderEmail, addr, incident.ReminderScopeTeam}, team, list, line, overdue, "")
	}
}

// webhookFor is the Slack webhook of a team's digest: the team's own, else
// the default one; "" when neither is configured. In a preview without
// any, every team shows as if the default existed.
func (b *digestBuilder) webhookFor(team string) string {
	if team != "" {
		if u, ok := lookupFold(b.opts.TeamWebhooks, team); ok {
			return u
		}
	}
	if b.opts.SlackWebhook != "" {
		return b.opts.SlackWebhook
	}
	if b.previewAll {
		return "(preview)"
	}
	return ""
}

func (b *digestBuilder) put(k digestKey, subject, list string, line ReminderLine, overdue bool, webhook string) {
	d := b.digests[k]
	if d == nil {
		d = &ReminderDigest{Channel: k.channel, Recipient: k.recipient, Scope: k.scope, Subject: subject, ListURL: list, webhook: webhook}
		if subject == "" {
			d.Subject = "no team"
		}
		b.digests[k] = d
	}
	if overdue {
		d.Overdue = append(d.Overdue, line)
	} else {
		d.DueSoon = append(d.DueSoon, line)
	}
}

// result returns the digests in a stable order: by channel, scope and
// recipient.
func (b *digestBuilder) result() ([]ReminderDigest, []string) {
	out := make([]ReminderDigest, 0, len(b.digests))
	for _, d := range b.digests {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Channel != out[j].Channel {
			return out[i].Channel < out[j].Channel
		}
		if out[i].Scope != out[j].Scope {
			return out[i].Scope < out[j].Scope
		}
		return out[i].Recipient < out[j].Recipient
	})
	var warns []string
	for w := range b.warnings {
		warns = append(warns, w)
	}
	sort.Strings(warns)
	return out, warns
}

func actionRef(a incident.CorrectiveAction) string { return "action " + strconv.FormatInt(a.ID, 10) }

func teamRecipient(team string) string {
	if team == "" {
		return "no team"
	}
	return "team " + team
}

// lookupFold finds key in m ignoring case.
func lookupFold(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

func daysBetween(from, to incident.Date) int {
	t := func(d incident.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
	return int(t(to).Sub(t(from)).Hours() / 24)
}

// ownerDirectory resolves action owners to e-mail addresses, and to who
// they are for restricted incidents.
type ownerDirectory struct {
	byEmail, byName, byLocal map[string][]incident.User
	// domains are the domains of the users' addresses: an owner typed as
	// an address without an account is mailed only within them.
	domains map[string]bool
}

func newOwnerDirectory(users []incident.User) ownerDirectory {
	d := ownerDirectory{byEmail: map[string][]incident.User{}, byName: map[string][]incident.User{}, byLocal: map[string][]incident.User{},
		domains: map[string]bool{}}
	for _, u := range users {
		if u.Disabled || u.Email == "" {
			continue
		}
		e := strings.ToLower(u.Email)
		d.byEmail[e] = append(d.byEmail[e], u)
		if n := strings.ToLower(strings.TrimSpace(u.Name)); n != "" {
			d.byName[n] = append(d.byName[n], u)
		}
		if local, domain, ok := strings.Cut(e, "@"); ok {
			d.byLocal[local] = append(d.byLocal[local], u)
			d.domains[domain] = true
		}
	}
	return d
}

// resolve returns owner's e-mail address and which incidents they may
// see: the owner itself when it is an address — as that user when one has
// it, else only within the domains of the users' addresses, so a typo or a
// stranger's address never receives incident titles — or the one user
// whose e-mail address, name or e-mail local part (the username) it is, in
// that order. The reason says why an owner cannot be mailed.
func (d ownerDirectory) resolve(owner string) (addr string, v incident.Viewer, reason string) {
	owner = strings.TrimSpace(owner)
	if strings.Contains(owner, "@") {
		a, err := notify.ParseAddress(owner)
		if err != nil {
			return "", incident.Viewer{}, "is not an e-mail address"
		}
		if list := d.byEmail[strings.ToLower(a)]; len(list) == 1 {
			return a, userViewer(list[0]), ""
		}
		if _, domain, _ := strings.Cut(strings.ToLower(a), "@"); !d.domains[domain] {
			return "", incident.Viewer{}, "is an address outside the domains of this server's users"
		}
		return a, incident.Viewer{Principals: []string{a}}, ""
	}
	key := strings.ToLower(owner)
	for _, m := range []map[string][]incident.User{d.byEmail, d.byName, d.byLocal} {
		if list := m[key]; len(list) == 1 {
			return list[0].Email, userViewer(list[0]), ""
		}
	}
	return "", incident.Viewer{}, "has no e-mail address (no user has that e-mail address or name)"
}

// userViewer is which incidents u may see (as the API judges it): admins
// all; others the internal ones and those restricted to their address or
// one of their groups.
func userViewer(u incident.User) incident.Viewer {
	if u.Role == incident.RoleAdmin {
		return incident.EveryIncident
	}
	return incident.Viewer{Principals: append([]string{u.Email}, u.Groups...)}
}
