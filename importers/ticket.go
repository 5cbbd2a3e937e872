package importers

import (
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Unwindowed is implemented by importers whose events belong to an
// incident whenever they happen (ticket trackers, status pages: the
// follow-up work goes on for weeks): their imports keep every event
// unless a window is given explicitly.
type Unwindowed interface {
	Unwindowed()
}

// Ticket event subtypes, in metadata under "subtype" of kind-ticket events
// (and of kind-status events for status pages).
const (
	TicketCreated  = "created"
	TicketComment  = "comment"
	TicketStatus   = "status"   // status or resolution changed (From → To)
	TicketAssignee = "assignee" // assignee changed
	TicketPriority = "priority" // priority or severity changed
	TicketField    = "field"    // any other field changed
	TicketWorklog  = "worklog"  // time logged
	TicketLinked   = "linked"   // linked to another ticket
	TicketUpdate   = "update"   // a status-page update (investigating, identified …)
	TicketOther    = "other"
)

// Metadata keys of ticket events. TicketSystem/TicketKey/TicketURL also
// let the app remember which tickets an incident was built from, so they
// can be pulled again (hindsight pull jira --incident INC-7).
const (
	MetaTicketSystem = "ticket_system" // jira, redmine, bugzilla, mantis, github, statuspage
	MetaTicketKey    = "ticket_key"    // PROJ-12, 4711, owner/repo#12
	MetaTicketURL    = "ticket_url"
	MetaTicketTitle  = "ticket_title"
	// MetaPublicText holds what customers were told (a status page's whole
	// incident text, on its newest update).
	MetaPublicText = "incident_public_text"
	MetaField      = "field"
	MetaFrom       = "from"
	MetaTo         = "to"
)

// TicketEvent is what a ticket or status-page parser knows of one thing
// that happened to a ticket: its creation, a comment, a change of status,
// assignee or another field, a worklog. Parsers hand sink
// t.Event(source); the conversion is the same for every tracker.
type TicketEvent struct {
	// ID is the dedupe key at the source: a comment id, a changelog or
	// journal id plus the field, "created". The same event read again (a
	// re-import, a later pull, a webhook) must get the same ID.
	ID string
	// At is when it happened (UTC); AtText the time as the source wrote it.
	At     time.Time
	AtText string
	// Subtype is one of the Ticket constants.
	Subtype string
	// System, Key, URL and Title name the ticket.
	System string
	Key    string
	URL    string
	Title  string
	// Actor is who did it (display name, not an id).
	Actor string
	// Body is the comment or description as markdown (converted from the
	// tracker's wiki markup, ADF or HTML; never raw HTML).
	Body string
	// Field, From and To describe a change ("status", "Open", "In Progress").
	Field, From, To string
	// Status marks a status-page update: the event kind is status, not ticket.
	Status bool
	// Extra holds further fields worth keeping, JSON-able.
	Extra map[string]any
}

// Event turns the ticket event into a timeline event of kind ticket (or
// status for status-page updates). The body reads "<KEY> <what>: …" so the
// timeline is readable without the metadata.
func (t TicketEvent) Event(source string) incident.TimelineEvent {
	head := strings.TrimSpace(t.Key)
	switch t.Subtype {
	case TicketCreated:
		head += " created: " + NormalizeText(t.Title)
	case TicketComment:
		head += " comment"
	case TicketStatus, TicketAssignee, TicketPriority, TicketField:
		field := t.Field
		if field == "" {
			field = t.Subtype
		}
		head += " " + field + ": " + orNone(t.From) + " → " + orNone(t.To)
	case TicketWorklog:
		head += " work logged"
	case TicketLinked:
		head += " linked"
	case TicketUpdate:
		if t.To != "" {
			head += " " + t.To
		} else {
			head += " update"
		}
	default:
		head += " updated"
	}
	body := strings.TrimSpace(head)
	if b := NormalizeText(t.Body); b != "" {
		body += "\n\n" + b
	}
	md := map[string]any{}
	for k, v := range t.Extra {
		md[k] = v
	}
	sub := t.Subtype
	if sub == "" {
		sub = TicketOther
	}
	md[MetaSubtype] = sub
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			md[k] = v
		}
	}
	set(MetaTicketSystem, t.System)
	set(MetaTicketKey, t.Key)
	set(MetaTicketURL, t.URL)
	set(MetaTicketTitle, NormalizeText(t.Title))
	set(MetaField, t.Field)
	set(MetaFrom, t.From)
	set(MetaTo, t.To)
	link := strings.TrimSpace(t.URL)
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		link = ""
	}
	kind := incident.KindTicket
	if t.Status {
		kind = incident.KindStatus
	}
	return incident.TimelineEvent{
		OccurredAt: t.At.UTC(), OccurredAtText: t.AtText, Source: source, Kind: kind,
		Actor: t.Actor, Body: body, Link: link, ExternalID: t.ID, ThreadID: t.Key, Metadata: md,
	}
}

func orNone(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "(none)"
	}
	return s
}
