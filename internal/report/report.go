// Package report composes an incident's RCA into one document for an
// audience (public, customer success, internal) and renders it as Markdown
// with YAML front matter, standalone HTML, PDF (through headless Chromium)
// or JSON. It also parses its own Markdown back (ParseMarkdown), so an
// exported file can be imported elsewhere and give the same RCA.
//
// Everything an audience may not see is removed in Build; the renderers only
// ever read the Document, so no format can leak what Build dropped.
package report

import (
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// ParseAudience reads an audience name; empty means internal.
func ParseAudience(s string) (incident.Audience, error) {
	a := incident.Audience(strings.TrimSpace(s))
	if a == "" {
		return incident.AudienceInternal, nil
	}
	if !a.Valid() {
		return "", incident.Invalid("audience", "must be one of public, customer_success, internal")
	}
	return a, nil
}

// Sees reports whether a reader of audience reader may read content meant
// for audience content (internal readers see everything, customer success
// sees public and customer-success content, the public sees public content).
func Sees(reader, content incident.Audience) bool {
	switch reader {
	case incident.AudienceInternal:
		return true
	case incident.AudienceCustomerSuccess:
		return content == incident.AudiencePublic || content == incident.AudienceCustomerSuccess
	case incident.AudiencePublic:
		return content == incident.AudiencePublic
	}
	return false
}

// Document is an incident's RCA composed for one audience.
type Document struct {
	Audience incident.Audience
	// Incident holds only the fields the audience may see; the others are zero.
	Incident incident.Incident
	// Template and Status describe the RCA ("" when the incident has none).
	Template  string
	RCAStatus incident.RCAStatus
	// Draft is set when the incident has an RCA and the sections shown are
	// not a published version of it: the outputs say "Draft — not yet
	// published" (JSON "draft": true, a banner in HTML, Markdown and PDF).
	Draft    bool
	Facts    Facts
	Sections []Section
	// Events are the key (starred, not hidden) events and the events root
	// causes cite, in time order; internal only.
	Events []incident.TimelineEvent
	// RootCauses: internal gets them whole; customer success gets category
	// and description, and only when a section it may read shows the root
	// causes block; the public none.
	RootCauses []incident.RootCause
	// Actions: internal gets them whole; customer success gets title and
	// status, and only when a section it may read shows the corrective
	// actions block; the public none.
	Actions []incident.CorrectiveAction
}

// Section is one RCA section as the audience reads it.
type Section struct {
	Key      string
	Title    string
	Audience incident.Audience
	Help     string
	Required bool
	Block    incident.Block
	// Body is the text the writers typed.
	Body string
	// Generated is the Markdown of the structured block (key events, root
	// causes or corrective actions) shown after Body; "" without a block.
	Generated string
	// HTML is the sanitized HTML of Markdown(), filled by RenderSectionsHTML.
	HTML string
}

// Markdown is the section's text followed by its generated block.
func (s Section) Markdown() string {
	switch {
	case s.Generated == "":
		return s.Body
	case strings.TrimSpace(s.Body) == "":
		return s.Generated
	}
	return strings.TrimRight(s.Body, "\n") + "\n\n" + s.Generated
}

// Build composes the document: the RCA's sections the audience may see, in
// order, each with its structured block generated from the records, plus
// the derived facts. events are the incident's key events and any events
// the root causes cite (hidden events are left out of the timeline). rca may
// be the zero RCA when the incident has none.
//
// Outside internal readers, the structured records (root causes, actions)
// travel with the document (JSON, front matter) only when a section the
// audience may read shows their block: a customer-success reader of an RCA
// whose Root causes section is internal gets no root-cause records at all.
// Internal readers get the full record whatever the sections.
func Build(inc incident.Incident, rca incident.RCA, events []incident.TimelineEvent, rootCauses []incident.RootCause, actions []incident.CorrectiveAction, audience incident.Audience) Document {
	if !audience.Valid() {
		audience = incident.AudiencePublic // the narrowest view is the safe default
	}
	d := Document{
		Audience:  audience,
		Incident:  filterIncident(inc, audience),
		Template:  rca.Template,
		RCAStatus: rca.Status,
		Draft:     (rca.Template != "" || len(rca.Sections) > 0) && rca.Status != incident.RCAPublished,
		Facts:     factsFor(inc, audience),
	}
	internal := audience == incident.AudienceInternal
	blocks := map[incident.Block]bool{}
	for _, s := range rca.Sections {
		if Sees(audience, s.Audience) {
			blocks[s.Block] = true
		}
	}
	if internal {
		d.Events = sortedEvents(shownEvents(events, rootCauses))
	}
	if internal || blocks[incident.BlockRootCauses] {
		d.RootCauses = filterRootCauses(rootCauses, audience)
	}
	if internal || blocks[incident.BlockActions] {
		d.Actions = filterActions(actions, audience)
	}
	for _, s := range rca.Sections {
		if !Sees(audience, s.Audience) {
			continue
		}
		sec := Section{
			Key: s.Key, Title: s.Title, Audience: s.Audience, Required: s.Required,
			Block: s.Block, Body: s.Body,
		}
		if audience == incident.AudienceInternal {
			sec.Help = s.Help
		}
		sec.Generated = d.block(s.Block)
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// filterIncident keeps the fields audience may see. The summary is the
// responders' own text (hosts, names): customer success reads it, the
// public never does; customer_impact is the customer-facing field.
func filterIncident(inc incident.Incident, audience incident.Audience) incident.Incident {
	if audience == incident.AudienceInternal {
		return inc
	}
	out := incident.Incident{
		Key: inc.Key, Title: inc.Title, Severity: inc.Severity,
		Status: inc.Status, CustomerImpact: inc.CustomerImpact,
		StartedAt: inc.StartedAt, DetectedAt: inc.DetectedAt, AcknowledgedAt: inc.AcknowledgedAt,
		MitigatedAt: inc.MitigatedAt, ResolvedAt: inc.ResolvedAt,
	}
	if audience == incident.AudienceCustomerSuccess {
		out.Summary = inc.Summary
	}
	return out
}

func filterRootCauses(rcs []incident.RootCause, audience incident.Audience) []incident.RootCause {
	switch audience {
	case incident.AudienceInternal:
		return rcs
	case incident.AudienceCustomerSuccess:
		out := make([]incident.RootCause, len(rcs))
		for i, rc := range rcs {
			out[i] = incident.RootCause{Category: rc.Category, Description: rc.Description}
		}
		return out
	}
	return nil
}

func filterActions(acts []incident.CorrectiveAction, audience incident.Audience) []incident.CorrectiveAction {
	switch audience {
	case incident.AudienceInternal:
		return acts
	case incident.AudienceCustomerSuccess:
		out := make([]incident.CorrectiveAction, len(acts))
		for i, a := range acts {
			out[i] = incident.CorrectiveAction{Title: a.Title, Status: a.Status}
		}
		return out
	}
	return nil
}

// shownEvents keeps the key (starred, not hidden) events and the events a
// root cause cites.
func shownEvents(evs []incident.TimelineEvent, rcs []incident.RootCause) []incident.TimelineEvent {
	cited := map[int64]bool{}
	for _, rc := range rcs {
		for _, id := range rc.EvidenceEventIDs {
			cited[id] = true
		}
	}
	var out []incident.TimelineEvent
	for _, e := range evs {
		if (e.KeyEvent && !e.Hidden) || cited[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// sortedEvents returns the events in time order (then id), without repeats.
func sortedEvents(evs []incident.TimelineEvent) []incident.TimelineEvent {
	out := make([]incident.TimelineEvent, 0, len(evs))
	seen := map[int64]bool{}
	for _, e := range evs {
		if e.ID != 0 && seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].OccurredAt.Equal(out[j].OccurredAt) {
			return out[i].OccurredAt.Before(out[j].OccurredAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// KeyEvents are the starred, visible events of the document, in time order.
func (d Document) KeyEvents() []incident.TimelineEvent {
	var out []incident.TimelineEvent
	for _, e := range d.Events {
		if e.KeyEvent && !e.Hidden {
			out = append(out, e)
		}
	}
	return out
}

// event finds a document event by id.
func (d Document) event(id int64) (incident.TimelineEvent, bool) {
	for _, e := range d.Events {
		if e.ID == id {
			return e, true
		}
	}
	return incident.TimelineEvent{}, false
}

// utcText formats a time for people: RFC 3339 in UTC, to the second.
func utcText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
