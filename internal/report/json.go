package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// IncidentFields returns the incident's fields the audience may see, by
// their JSON names; fields it may not see are absent, not empty.
func (d Document) IncidentFields() map[string]any {
	inc := d.Incident
	m := map[string]any{
		"key": inc.Key, "title": inc.Title,
		"severity": inc.Severity, "status": inc.Status, "customer_impact": inc.CustomerImpact,
		"started_at": utcPtr(inc.StartedAt), "detected_at": utcPtr(inc.DetectedAt),
		"acknowledged_at": utcPtr(inc.AcknowledgedAt), "mitigated_at": utcPtr(inc.MitigatedAt),
		"resolved_at": utcPtr(inc.ResolvedAt),
	}
	if d.Audience != incident.AudiencePublic {
		m["summary"] = inc.Summary // responders' text: never public
	}
	if d.Audience == incident.AudienceInternal {
		m["id"] = inc.ID
		m["services"] = nonNil(inc.Services)
		m["teams"] = nonNil(inc.Teams)
		m["tags"] = nonNil(inc.Tags)
		m["commander"] = inc.Commander
		m["visibility"] = inc.Visibility
		m["restricted_to"] = nonNil(inc.RestrictedTo)
		m["version"] = inc.Version
		m["created_at"] = inc.CreatedAt.UTC()
		m["updated_at"] = inc.UpdatedAt.UTC()
	}
	return m
}

// FactSeconds returns the derived facts the audience may see in whole
// seconds (nil when unknown), by name.
func (d Document) FactSeconds() map[string]*int64 {
	m := map[string]*int64{}
	for _, f := range d.Facts.List() {
		if d.Audience == incident.AudiencePublic && f.Name != "impact_duration" {
			continue
		}
		m[f.Name] = seconds(f.Duration)
	}
	return m
}

// FactTexts returns the known derived facts for people ("1h 5m"), by name.
func (d Document) FactTexts() map[string]string {
	m := map[string]string{}
	for _, f := range d.Facts.Known() {
		m[f.Name] = Human(*f.Duration)
	}
	return m
}

func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// record is the JSON export: the whole record as the audience may see it.
type record struct {
	Format     string            `json:"format"`
	Audience   incident.Audience `json:"audience"`
	Draft      bool              `json:"draft"`
	Incident   map[string]any    `json:"incident"`
	Facts      map[string]*int64 `json:"facts"`
	FactsText  map[string]string `json:"facts_text"`
	RCA        *rcaRecord        `json:"rca"`
	Timeline   []map[string]any  `json:"timeline,omitempty"`
	RootCauses []map[string]any  `json:"root_causes,omitempty"`
	Actions    []map[string]any  `json:"actions,omitempty"`
}

type rcaRecord struct {
	Template string             `json:"template"`
	Status   incident.RCAStatus `json:"status"`
	Sections []sectionRecord    `json:"sections"`
}

type sectionRecord struct {
	Key      string            `json:"key"`
	Title    string            `json:"title"`
	Audience incident.Audience `json:"audience"`
	Required bool              `json:"required"`
	Block    incident.Block    `json:"block"`
	Help     string            `json:"help,omitempty"`
	Body     string            `json:"body"`
	Markdown string            `json:"markdown"`
}

// RenderJSON writes the full record the audience may see: the incident, the
// RCA (sections with their text and their generated Markdown), the derived
// facts and, as far as the audience may see them, the key events, root
// causes and corrective actions.
func RenderJSON(d Document) ([]byte, error) {
	r := record{
		Format: FormatVersion, Audience: d.Audience, Draft: d.Draft, Incident: d.IncidentFields(),
		Facts: d.FactSeconds(), FactsText: d.FactTexts(),
	}
	if d.Template != "" || len(d.Sections) > 0 {
		r.RCA = &rcaRecord{Template: d.Template, Status: d.RCAStatus, Sections: []sectionRecord{}}
		for _, s := range d.Sections {
			r.RCA.Sections = append(r.RCA.Sections, sectionRecord{
				Key: s.Key, Title: s.Title, Audience: s.Audience, Required: s.Required,
				Block: s.Block, Help: s.Help, Body: s.Body, Markdown: s.Markdown(),
			})
		}
	}
	internal := d.Audience == incident.AudienceInternal
	for _, e := range d.Events {
		r.Timeline = append(r.Timeline, map[string]any{
			"id": e.ID, "occurred_at": e.OccurredAt.UTC(), "source": e.Source, "kind": e.Kind,
			"actor": e.Actor, "body": e.Body, "link": e.Link, "external_id": e.ExternalID,
			"key_event": e.KeyEvent,
		})
	}
	for _, rc := range d.RootCauses {
		m := map[string]any{"category": rc.Category, "description": rc.Description}
		if internal {
			m["id"] = rc.ID
			m["evidence_event_ids"] = nonNilIDs(rc.EvidenceEventIDs)
		}
		r.RootCauses = append(r.RootCauses, m)
	}
	for _, a := range d.Actions {
		m := map[string]any{"title": a.Title, "status": a.Status}
		if internal {
			m["id"], m["description"], m["type"], m["priority"] = a.ID, a.Description, a.Type, a.Priority
			m["owner"], m["team"], m["due_date"], m["completed_at"] = a.Owner, a.Team, a.DueDate, utcPtr(a.CompletedAt)
			m["ticket_system"], m["ticket_key"], m["ticket_url"], m["ticket_status"] = a.TicketSystem, a.TicketKey, a.TicketURL, a.TicketStatus
		}
		r.Actions = append(r.Actions, m)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: json: %w", err)
	}
	return append(b, '\n'), nil
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
