package report

import (
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// FormatVersion names the Markdown export format in its front matter, so a reader
// knows the sections carry Hindsight markers.
const FormatVersion = "hindsight-rca/1"

// frontMatter is the YAML at the top of a Markdown export. Its first block
// of fields is the one the public post-mortem collection uses (title, url,
// start_time, end_time, categories, keywords, company, product, summary), so
// tools reading that collection read ours; the rest is Hindsight's own and
// lets an import recreate the incident and its RCA.
type frontMatter struct {
	Title      string     `yaml:"title"`
	URL        string     `yaml:"url,omitempty"`
	StartTime  *looseTime `yaml:"start_time,omitempty"`
	EndTime    *looseTime `yaml:"end_time,omitempty"`
	Categories []string   `yaml:"categories,omitempty"`
	Keywords   []string   `yaml:"keywords,omitempty"`
	Company    string     `yaml:"company,omitempty"`
	Product    string     `yaml:"product,omitempty"`
	Summary    string     `yaml:"summary,omitempty"`

	Format         string     `yaml:"hindsight_format,omitempty"`
	Key            string     `yaml:"key,omitempty"`
	Severity       string     `yaml:"severity,omitempty"`
	Status         string     `yaml:"status,omitempty"`
	Services       []string   `yaml:"services,omitempty"`
	Teams          []string   `yaml:"teams,omitempty"`
	Tags           []string   `yaml:"tags,omitempty"`
	Commander      string     `yaml:"commander,omitempty"`
	Visibility     string     `yaml:"visibility,omitempty"`
	RestrictedTo   []string   `yaml:"restricted_to,omitempty"`
	CustomerImpact string     `yaml:"customer_impact,omitempty"`
	StartedAt      *time.Time `yaml:"started_at,omitempty"`
	DetectedAt     *time.Time `yaml:"detected_at,omitempty"`
	AcknowledgedAt *time.Time `yaml:"acknowledged_at,omitempty"`
	MitigatedAt    *time.Time `yaml:"mitigated_at,omitempty"`
	ResolvedAt     *time.Time `yaml:"resolved_at,omitempty"`
	Template       string     `yaml:"template,omitempty"`
	RCAStatus      string     `yaml:"rca_status,omitempty"`
	Audience       string     `yaml:"audience,omitempty"`

	Facts      map[string]string `yaml:"facts,omitempty"`
	Timeline   []eventYAML       `yaml:"timeline,omitempty"`
	RootCauses []rootCauseYAML   `yaml:"root_causes,omitempty"`
	Actions    []actionYAML      `yaml:"actions,omitempty"`
}

// eventYAML is a key or cited timeline event; ID is the id in the exporting
// database, which root causes' evidence refers to.
type eventYAML struct {
	ID         int64     `yaml:"id"`
	OccurredAt time.Time `yaml:"occurred_at"`
	Source     string    `yaml:"source,omitempty"`
	Kind       string    `yaml:"kind,omitempty"`
	Actor      string    `yaml:"actor,omitempty"`
	Body       string    `yaml:"body"`
	Link       string    `yaml:"link,omitempty"`
	ExternalID string    `yaml:"external_id,omitempty"`
	KeyEvent   bool      `yaml:"key_event,omitempty"`
}

// rootCauseYAML is a root cause; Evidence lists timeline ids.
type rootCauseYAML struct {
	Category    string  `yaml:"category"`
	Description string  `yaml:"description"`
	Evidence    []int64 `yaml:"evidence,omitempty"`
}

// actionYAML is a corrective action.
type actionYAML struct {
	Title        string `yaml:"title"`
	Description  string `yaml:"description,omitempty"`
	Type         string `yaml:"type,omitempty"`
	Priority     string `yaml:"priority,omitempty"`
	Owner        string `yaml:"owner,omitempty"`
	Team         string `yaml:"team,omitempty"`
	DueDate      string `yaml:"due_date,omitempty"`
	Status       string `yaml:"status,omitempty"`
	TicketSystem string `yaml:"ticket_system,omitempty"`
	TicketKey    string `yaml:"ticket_key,omitempty"`
	TicketURL    string `yaml:"ticket_url,omitempty"`
}

// toFrontMatter lays the document out as front matter. The document is
// already filtered, so empty fields are simply left out.
func toFrontMatter(d Document) frontMatter {
	inc := d.Incident
	fm := frontMatter{
		Title: inc.Title, StartTime: loose(inc.StartedAt), EndTime: loose(inc.ResolvedAt),
		Keywords: inc.Tags, Product: strings.Join(inc.Services, ", "), Summary: inc.Summary,
		Format: FormatVersion, Key: inc.Key, Severity: string(inc.Severity), Status: string(inc.Status),
		Services: inc.Services, Teams: inc.Teams, Tags: inc.Tags, Commander: inc.Commander,
		Visibility: string(inc.Visibility), RestrictedTo: inc.RestrictedTo,
		CustomerImpact: inc.CustomerImpact,
		StartedAt:      utcPtr(inc.StartedAt), DetectedAt: utcPtr(inc.DetectedAt),
		AcknowledgedAt: utcPtr(inc.AcknowledgedAt), MitigatedAt: utcPtr(inc.MitigatedAt),
		ResolvedAt: utcPtr(inc.ResolvedAt),
		Template:   d.Template, RCAStatus: string(d.RCAStatus), Audience: string(d.Audience),
		URL: sourceURL(inc.Summary), Company: companyOf(inc.Tags), // see corpus.go
	}
	for _, f := range d.Facts.Known() {
		if fm.Facts == nil {
			fm.Facts = map[string]string{}
		}
		fm.Facts[f.Name] = Human(*f.Duration)
	}
	seen := map[string]bool{}
	for _, c := range categoriesOf(inc.Tags) {
		if !seen[c] {
			seen[c] = true
			fm.Categories = append(fm.Categories, c)
		}
	}
	for _, rc := range d.RootCauses {
		if c := string(rc.Category); !seen[c] {
			seen[c] = true
			fm.Categories = append(fm.Categories, c)
		}
		fm.RootCauses = append(fm.RootCauses, rootCauseYAML{
			Category: string(rc.Category), Description: rc.Description, Evidence: rc.EvidenceEventIDs,
		})
	}
	for _, e := range d.Events {
		fm.Timeline = append(fm.Timeline, eventYAML{
			ID: e.ID, OccurredAt: e.OccurredAt.UTC(), Source: e.Source, Kind: string(e.Kind),
			Actor: e.Actor, Body: e.Body, Link: e.Link, ExternalID: e.ExternalID, KeyEvent: e.KeyEvent,
		})
	}
	for _, a := range d.Actions {
		y := actionYAML{
			Title: a.Title, Description: a.Description, Type: string(a.Type), Priority: string(a.Priority),
			Owner: a.Owner, Team: a.Team, Status: string(a.Status),
			TicketSystem: a.TicketSystem, TicketKey: a.TicketKey, TicketURL: a.TicketURL,
		}
		if a.DueDate != nil {
			y.DueDate = a.DueDate.String()
		}
		fm.Actions = append(fm.Actions, y)
	}
	return fm
}

// looseTime is a time in the public collection's fields, where some files
// write an empty string for "unknown".
type looseTime struct{ t *time.Time }

func loose(t *time.Time) *looseTime {
	if t == nil {
		return nil
	}
	return &looseTime{utcPtr(t)}
}

// MarshalYAML writes the time as a YAML timestamp.
func (l looseTime) MarshalYAML() (any, error) { return l.t, nil }

// UnmarshalYAML reads a timestamp, or "" for unknown.
func (l *looseTime) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "" {
		return nil
	}
	var t time.Time
	if err := n.Decode(&t); err != nil {
		return err
	}
	l.t = &t
	return nil
}

// time returns the time, nil when absent or empty.
func (l *looseTime) time() *time.Time {
	if l == nil {
		return nil
	}
	return l.t
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
