package importers

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Alert subtypes: what happened to an alert, in the timeline event's
// metadata under "subtype". Vendors' own names are mapped onto these; an
// event type a parser does not know becomes SubtypeOther with the vendor's
// name kept under "event_type", never dropped.
const (
	SubtypeTrigger     = "trigger"
	SubtypeAcknowledge = "acknowledge"
	SubtypeUnack       = "unacknowledge"
	SubtypeEscalate    = "escalate"
	SubtypeAssign      = "assign"
	SubtypeNote        = "note"
	SubtypeResolve     = "resolve"
	SubtypeReopen      = "reopen"
	SubtypeSnooze      = "snooze"
	SubtypeSuppress    = "suppress" // silenced, in downtime, maintenance
	SubtypeUpdate      = "update"   // priority, title or field changed; repeat/flapping notices
	SubtypeCheck       = "check"    // a check result that is not a state change
	SubtypeOther       = "other"
)

// Subtypes lists every alert subtype.
var Subtypes = []string{SubtypeTrigger, SubtypeAcknowledge, SubtypeUnack, SubtypeEscalate, SubtypeAssign,
	SubtypeNote, SubtypeResolve, SubtypeReopen, SubtypeSnooze, SubtypeSuppress, SubtypeUpdate, SubtypeCheck, SubtypeOther}

// Normalized alert severities, in metadata under "severity"; the vendor's
// own word is kept under "vendor_severity".
const (
	SeverityCritical = "critical"
	SeverityError    = "error"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
	SeverityUnknown  = "unknown"
)

// Alert is what an alert or monitoring parser knows of one alert event (a
// trigger, an acknowledgement, a note, a resolve …). Parsers build Alerts
// and hand sink alert.Event(source); the conversion is the same for every
// source so that the timeline, routing and search read them alike.
type Alert struct {
	// ID is the dedupe key of this event at the source (a log entry id, a
	// webhook event id, or StableID of the fields that identify it). The
	// same event delivered twice must get the same ID; two different events
	// (a trigger and its resolve) must not.
	ID string
	// At is when it happened (UTC); AtText the timestamp as the source wrote it.
	At     time.Time
	AtText string
	// Subtype is one of the Subtype constants; EventType the vendor's name
	// for it ("incident.triggered", "AddNote", "PROBLEM").
	Subtype   string
	EventType string
	// AlertID identifies the alert or vendor incident the event belongs to
	// (PagerDuty incident id, OpsGenie alert id, Alertmanager fingerprint,
	// Zabbix problem event id); it becomes the event's ThreadID, so the
	// events of one alert fold together and are routed together.
	AlertID string
	// Title is the alert's name or summary line ("High error rate on api").
	Title string
	// Details is further text (description, output, note), plain or markdown.
	Details string
	// Service, Host and Component say what is affected.
	Service   string
	Host      string
	Component string
	// Severity is the vendor's severity or priority word as given ("P1",
	// "critical", "High", "5"); NormalizeSeverity maps it.
	Severity string
	// Status is the alert's state after the event as the vendor says it
	// ("firing", "resolved", "acknowledged", "CRITICAL"), when it says one.
	Status string
	// Actor is who did it (a person for acks and notes, else the tool).
	Actor string
	// Link points back at the alert in the vendor's UI (http(s) only).
	Link string
	// IncidentRef is a Hindsight incident key or id the payload names (an
	// "incident" label, a custom field, "INC-7" in a tag) for routing.
	IncidentRef string
	// Count is how often the vendor saw it (Zenoss count, repeats); 0 when unknown.
	Count int
	// Extra holds further vendor fields worth keeping (labels, tags, urls),
	// with string keys and JSON-able values.
	Extra map[string]any
}

// Event turns the alert into a timeline event of kind alert. The body
// reads "<Subtype verb>: <title>" then the details; service, host,
// severity and the rest go to metadata (see Metadata keys below).
func (a Alert) Event(source string) incident.TimelineEvent {
	title := NormalizeText(a.Title)
	details := NormalizeText(a.Details)
	verb := SubtypeVerb(a.Subtype)
	body := verb
	switch {
	case title != "":
		body += ": " + title
	case a.EventType != "":
		body += ": " + a.EventType
	}
	if details != "" && details != title {
		body += "\n\n" + details
	}
	md := map[string]any{}
	for k, v := range a.Extra {
		md[k] = v
	}
	sub := a.Subtype
	if sub == "" {
		sub = SubtypeOther
	}
	md[MetaSubtype] = sub
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			md[k] = v
		}
	}
	set(MetaEventType, a.EventType)
	set(MetaAlertID, a.AlertID)
	set(MetaTitle, title)
	set(MetaService, a.Service)
	set(MetaHost, a.Host)
	set(MetaComponent, a.Component)
	set(MetaStatus, a.Status)
	set(MetaIncident, a.IncidentRef)
	if a.Severity != "" {
		md[MetaVendorSeverity] = strings.TrimSpace(a.Severity)
	}
	md[MetaSeverity] = NormalizeSeverity(a.Severity)
	if a.Count > 0 {
		md[MetaCount] = a.Count
	}
	link := strings.TrimSpace(a.Link)
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		link = ""
	}
	actor := a.Actor
	return incident.TimelineEvent{
		OccurredAt: a.At.UTC(), OccurredAtText: a.AtText, Source: source, Kind: incident.KindAlert,
		Actor: actor, Body: body, Link: link, ExternalID: a.ID, ThreadID: a.AlertID, Metadata: md,
	}
}

// Metadata keys of alert events.
const (
	MetaSubtype        = "subtype"
	MetaEventType      = "event_type"
	MetaAlertID        = "alert_id"
	MetaTitle          = "title"
	MetaService        = "service"
	MetaHost           = "host"
	MetaComponent      = "component"
	MetaSeverity       = "severity"
	MetaVendorSeverity = "vendor_severity"
	MetaStatus         = "status"
	MetaIncident       = "incident"
	MetaCount          = "count"
)

// SubtypeVerb is how a subtype reads at the start of an event body.
func SubtypeVerb(subtype string) string {
	switch subtype {
	case SubtypeTrigger:
		return "Triggered"
	case SubtypeAcknowledge:
		return "Acknowledged"
	case SubtypeUnack:
		return "Unacknowledged"
	case SubtypeEscalate:
		return "Escalated"
	case SubtypeAssign:
		return "Assigned"
	case SubtypeNote:
		return "Note"
	case SubtypeResolve:
		return "Resolved"
	case SubtypeReopen:
		return "Reopened"
	case SubtypeSnooze:
		return "Snoozed"
	case SubtypeSuppress:
		return "Suppressed"
	case SubtypeUpdate:
		return "Updated"
	case SubtypeCheck:
		return "Check"
	default:
		return "Alert"
	}
}

// NormalizeSeverity maps a vendor's severity or priority word onto
// critical, error, warning, info or unknown: PagerDuty/Alertmanager words,
// OpsGenie P1–P5, Zabbix names and 0–5 numbers, Zenoss 0–5 numbers and
// names, Nagios states, New Relic priorities.
func NormalizeSeverity(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "crit", "disaster", "fatal", "emergency", "emerg", "alert", "p1", "sev1", "sev-1", "urgent", "page", "high urgency", "5", "down", "unreachable":
		return SeverityCritical
	case "error", "err", "high", "major", "p2", "sev2", "sev-2", "4":
		return SeverityError
	case "warning", "warn", "average", "medium", "minor", "moderate", "p3", "sev3", "sev-3", "3", "unknown state":
		return SeverityWarning
	case "info", "information", "informational", "low", "notice", "debug", "ok", "up", "clear", "cleared", "resolved", "recovery", "p4", "p5", "sev4", "sev5", "sev-4", "sev-5", "2", "1", "0", "not classified", "low urgency":
		return SeverityInfo
	}
	return SeverityUnknown
}

// StableID derives a dedupe key from the fields that identify an event
// when the source gives it no id of its own (e.g. an Alertmanager alert's
// fingerprint, status and startsAt): the same fields give the same id.
func StableID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
