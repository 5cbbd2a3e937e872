package incident

import (
	"regexp"
	"strings"
	"time"
)

// ObjectAlert and ObjectHook name alerts (inbox items) and hook
// integrations in changes and audit entries.
const (
	ObjectAlert = "alert"
	ObjectHook  = "hook"
)

// Hook is one webhook integration: a sender (an Alertmanager receiver, a
// PagerDuty subscription …) posting to /api/v1/hooks/{source} with its
// own token and, where the vendor signs deliveries, its signing secret.
type Hook struct {
	ID     int64
	Source string
	Name   string
	// TokenHash is the hex SHA-256 of the URL token; the token itself is
	// shown once when the hook is created and never stored.
	TokenHash string
	// SigningSecret is the vendor's signing secret (PagerDuty v3), used to
	// check signatures; empty when the vendor does not sign or the hook
	// relies on its token alone. Never shown after creation.
	SigningSecret string
	// Mapping maps our fields to payload keys for templated payloads
	// (Zabbix media, generic JSON).
	Mapping        map[string]string
	CreatedBy      string
	CreatedAt      time.Time
	LastDeliveryAt *time.Time
	DisabledAt     *time.Time
}

var hookNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// Normalize trims the hook's names.
func (h *Hook) Normalize() {
	h.Source = strings.ToLower(strings.TrimSpace(h.Source))
	h.Name = strings.TrimSpace(h.Name)
	h.SigningSecret = strings.TrimSpace(h.SigningSecret)
}

// Validate checks the hook's fields (the source against the known ones is
// checked by the caller, who knows them).
func (h *Hook) Validate() error {
	v := &ValidationError{}
	if !sourceRe.MatchString(h.Source) {
		v.Add("source", "must be a lower-case source name such as pagerduty or alertmanager")
	}
	if !hookNameRe.MatchString(h.Name) {
		v.Add("name", "must be 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if len(h.SigningSecret) > 500 {
		v.Add("signing_secret", "must be at most 500 bytes")
	}
	for k, val := range h.Mapping {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(val) == "" || len(k) > 100 || len(val) > 200 {
			v.Add("mapping", "keys and values must be non-empty and short")
			break
		}
	}
	return v.Err()
}

// Alert routing: how an alert reached its incident.
const (
	RoutedNamed   = "named"   // the payload named the incident
	RoutedThread  = "thread"  // an earlier event of the same alert went there
	RoutedService = "service" // an open incident of the alert's service
	RoutedManual  = "manual"  // a person attached it from the inbox
	RoutedOpened  = "opened"  // a person opened a new incident from it
)

// Alert states for filters.
const (
	AlertInbox     = "inbox"     // waiting for a person: not routed, not dismissed
	AlertRouted    = "routed"    // in an incident's timeline
	AlertDismissed = "dismissed" // put aside from the inbox
)

// Alert is one alert event a hook delivered: routed into an incident's
// timeline (IncidentID and EventID set) or waiting in the alert inbox.
// Every alert is kept once per source and external id, so a delivery
// repeated later is recognised wherever the first one went.
type Alert struct {
	ID     int64
	HookID *int64
	// Event holds the parsed event (source, external id, thread, time,
	// actor, body, link, metadata); its ID is 0.
	Event      TimelineEvent
	Service    string // first service, as written
	Severity   string // normalized: critical, error, warning, info, unknown
	Subtype    string // trigger, acknowledge, resolve …
	ReceivedAt time.Time
	IncidentID *int64
	// IncidentKey is the key of IncidentID, filled when read.
	IncidentKey string
	EventID     *int64
	RoutedBy    string
	RoutedAt    *time.Time
	DismissedAt *time.Time
	DismissedBy string
}

// State is inbox, routed or dismissed.
func (a Alert) State() string {
	switch {
	case a.IncidentID != nil:
		return AlertRouted
	case a.DismissedAt != nil:
		return AlertDismissed
	default:
		return AlertInbox
	}
}

// AlertFilter selects alerts for a list, newest first.
type AlertFilter struct {
	// State is inbox, routed, dismissed or empty for all.
	State      string
	Source     string
	Service    string
	IncidentID int64
	Limit      int
	// Cursor continues after the alert of that id.
	Cursor *Cursor
	// Viewer is who lists: alerts routed to an incident it may not see
	// are left out of the page and the total (they are part of that
	// incident now). The zero Viewer sees internal incidents only.
	Viewer Viewer
}
