package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// The markers a Markdown export puts around its parts. They are HTML
// comments, so other Markdown readers show nothing of them.
const (
	markerPrefix   = "<!-- hindsight:"
	sectionMarker  = "<!-- hindsight:section "
	generatedStart = "<!-- hindsight:generated -->"
	generatedEnd   = "<!-- hindsight:end-generated -->"
	markerSuffix   = " -->"
)

// sectionMeta is the JSON in a section marker: what the heading cannot say.
type sectionMeta struct {
	Key      string `json:"key"`
	Title    string `json:"title,omitempty"` // only when the heading cannot hold it exactly
	Audience string `json:"audience"`
	Required bool   `json:"required,omitempty"`
	Block    string `json:"block,omitempty"`
	Help     string `json:"help,omitempty"`
	// Lead and Trail are the newlines the body starts and ends with, which
	// the layout around it would otherwise swallow.
	Lead  string `json:"lead,omitempty"`
	Trail string `json:"trail,omitempty"`
}

// RenderMarkdown writes the document as Markdown with YAML front matter:
// the incident's fields, the derived facts and the structured records in
// the front matter, then each section as a "## Title" heading preceded by a
// marker comment holding its key, audience, required flag and block. The
// generated block of a section sits between generated markers, so
// ParseMarkdown can drop it and recreate exactly what the writers typed.
func RenderMarkdown(d Document) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(toFrontMatter(d)); err != nil {
		return nil, fmt.Errorf("report: front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("report: front matter: %w", err)
	}
	b.WriteString("---\n\n")
	b.WriteString("# " + oneLine(headline(d)) + "\n\n")
	if d.Draft {
		b.WriteString("> **" + DraftNotice + "**: " + draftDetail + "\n\n")
	}
	if facts := d.Facts.Known(); len(facts) > 0 {
		b.WriteString("**Derived facts**\n\n")
		for _, f := range facts {
			b.WriteString("- " + f.Label + ": " + Human(*f.Duration) + "\n")
		}
		b.WriteString("\n")
	}
	for _, s := range d.Sections {
		rest := strings.TrimLeft(s.Body, "\n")
		lead := s.Body[:len(s.Body)-len(rest)]
		core := strings.TrimRight(rest, "\n")
		meta := sectionMeta{
			Key: s.Key, Audience: string(s.Audience), Required: s.Required, Block: string(s.Block),
			Help: s.Help, Lead: lead, Trail: s.Body[len(lead)+len(core):],
		}
		if oneLine(s.Title) != s.Title {
			meta.Title = s.Title
		}
		js, err := json.Marshal(meta) // escapes < and >, so "-->" cannot end the comment early
		if err != nil {
			return nil, fmt.Errorf("report: section %s: %w", s.Key, err)
		}
		b.WriteString(sectionMarker + string(js) + markerSuffix + "\n")
		b.WriteString("## " + oneLine(s.Title) + "\n\n")
		if core != "" {
			b.WriteString(guardMarkers(core) + "\n\n")
		}
		if s.Generated != "" {
			b.WriteString(generatedStart + "\n" + strings.TrimRight(s.Generated, "\n") + "\n" + generatedEnd + "\n\n")
		}
	}
	return b.Bytes(), nil
}

// DraftNotice is the banner of a document whose sections are not a
// published version of the RCA.
const DraftNotice = "Draft — not yet published"

// draftDetail follows DraftNotice in the banner.
const draftDetail = "this RCA has not been reviewed and published, and may still change."

// headline is the document's title line: "INC-7: Database failover".
func headline(d Document) string {
	if d.Incident.Key == "" {
		return d.Incident.Title
	}
	return d.Incident.Key + ": " + d.Incident.Title
}

// oneLine collapses whitespace runs (newlines included) to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// guardMarkers indents body lines that look like our markers by one space:
// Markdown renders them the same, and the parser only honours markers at
// the start of a line.
func guardMarkers(body string) string {
	if !strings.Contains(body, markerPrefix) {
		return body
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, markerPrefix) {
			lines[i] = " " + l
		}
	}
	return strings.Join(lines, "\n")
}
