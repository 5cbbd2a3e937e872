package report

import (
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Export formats.
const (
	FormatMarkdown = "md"
	FormatHTML     = "html"
	FormatPDF      = "pdf"
	FormatJSON     = "json"
)

// Export is one rendered export, ready to save or send.
type Export struct {
	// FileName is what to save it as ("INC-7-database-failover.pdf").
	FileName    string
	ContentType string
	Data        []byte
}

// Formats lists every export format.
var Formats = []string{FormatMarkdown, FormatHTML, FormatPDF, FormatJSON}

// ParseFormat reads an export format name ("markdown" is taken for "md").
func ParseFormat(s string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(s))
	if f == "markdown" {
		f = FormatMarkdown
	}
	for _, ok := range Formats {
		if f == ok {
			return f, nil
		}
	}
	return "", incident.Invalid("format", "must be one of md, html, pdf, json")
}

// ContentType is the media type of an export format.
func ContentType(format string) string {
	switch format {
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatPDF:
		return "application/pdf"
	}
	return "application/json; charset=utf-8"
}

// FileName is the name an export is saved under: "INC-7-database-failover.md".
func FileName(inc incident.Incident, format string) string {
	slug := incident.Slug(inc.Title)
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	name := inc.Key
	if name == "" {
		name = "incident"
	}
	if slug != "" {
		name += "-" + slug
	}
	return name + "." + format
}
