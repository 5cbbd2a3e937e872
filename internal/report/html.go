package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
)

// TooLargeError says a section's Markdown (text plus generated block) is
// over what the Markdown pipeline renders. It wraps markdown.ErrTooLarge.
type TooLargeError struct {
	// Key is the section's key.
	Key string
	// Size is the section's Markdown in bytes.
	Size int
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("section %s is too large to render as HTML: %d bytes of Markdown, more than %d; shorten it, or export as md or json",
		e.Key, e.Size, markdown.MaxSource)
}

// Unwrap makes errors.Is(err, markdown.ErrTooLarge) hold.
func (e *TooLargeError) Unwrap() error { return markdown.ErrTooLarge }

// RenderSectionsHTML fills each section's HTML from its Markdown (text plus
// generated block) through the one sanitizing pipeline. A section over the
// pipeline's limit is a *TooLargeError.
func RenderSectionsHTML(d *Document, md *markdown.Renderer) error {
	for i := range d.Sections {
		src := d.Sections[i].Markdown()
		h, err := md.HTML(src)
		if errors.Is(err, markdown.ErrTooLarge) {
			return &TooLargeError{Key: d.Sections[i].Key, Size: len(src)}
		}
		if err != nil {
			return fmt.Errorf("report: section %s: %w", d.Sections[i].Key, err)
		}
		// Sections share one page: keep their footnote and heading anchors apart.
		d.Sections[i].HTML = markdown.PrefixIDs(h, "s-"+d.Sections[i].Key)
	}
	return nil
}

// pageCSS styles the standalone export on screen and on paper.
const pageCSS = `
:root { color-scheme: light; }
body { font: 15px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2328; max-width: 56rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin: 0 0 .75rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .75rem 0; width: 100%; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
table.meta th { width: 12rem; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88rem; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; }
blockquote { margin: 0; padding-left: 1rem; border-left: 4px solid #d0d7de; color: #59636e; }
.draft-banner { margin: 0 0 1rem; padding: .6rem .8rem; border: 2px solid #bf8700; background: #fff8c5; color: #4d2d00; }
.audience { display: inline-block; font-size: .75rem; padding: .05rem .45rem; border-radius: 1rem; background: #eef1f4; color: #59636e; vertical-align: middle; }
footer { margin-top: 3rem; font-size: .8rem; color: #59636e; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  nav, .no-print { display: none !important; }
  a { color: inherit; text-decoration: underline; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.rca-section { break-before: auto; }
  table, pre, blockquote, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  pre { white-space: pre-wrap; word-break: break-word; }
}
`

// pageTemplate is the standalone HTML export. html/template escapes every
// field; only sanitized pipeline output goes in as template.HTML.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src https: data:">
<meta name="generator" content="Hindsight">
<title>{{.Headline}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header>
<h1>{{.Headline}}</h1>
{{if .Draft}}<p class="draft-banner" role="note"><strong>{{.DraftNotice}}</strong>: {{.DraftDetail}}</p>
{{end}}<table class="meta">
{{range .Meta}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
</header>
{{if .Facts}}<h2>Derived facts</h2>
<table class="meta facts">
{{range .Facts}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
{{end}}{{if .Summary}}<h2>Summary</h2>
{{.Summary}}
{{end}}{{if .Impact}}<h2>Customer impact</h2>
{{.Impact}}
{{end}}{{range .Sections}}<section class="rca-section" id="section-{{.Key}}">
<h2>{{.Title}}{{if $.ShowAudience}} <span class="audience">{{.Audience}}</span>{{end}}</h2>
{{.HTML}}
</section>
{{end}}<footer>{{.Footer}}</footer>
</body>
</html>
`))

type labelled struct{ Label, Value string }

type pageSection struct {
	Key, Title, Audience string
	HTML                 template.HTML
}

// RenderHTML writes the document as one standalone HTML page with inline
// CSS (print rules included) and no scripts. Section HTML is filled when
// RenderSectionsHTML has not run yet.
func RenderHTML(d Document, md *markdown.Renderer) ([]byte, error) {
	if err := RenderSectionsHTML(&d, md); err != nil {
		return nil, err
	}
	inc := d.Incident
	data := struct {
		Headline, Footer         string
		DraftNotice, DraftDetail string
		Draft                    bool
		CSS                      template.CSS
		Meta, Facts              []labelled
		Summary, Impact          template.HTML
		Sections                 []pageSection
		ShowAudience             bool
	}{
		Headline: headline(d),
		Draft:    d.Draft, DraftNotice: DraftNotice, DraftDetail: draftDetail,
		CSS:          template.CSS(pageCSS + markdown.CSS()), // constant, ours
		Footer:       "Post-mortem " + inc.Key + ", " + audienceLabel(d.Audience) + " version, exported from Hindsight.",
		ShowAudience: d.Audience == incident.AudienceInternal,
	}
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			data.Meta = append(data.Meta, labelled{label, value})
		}
	}
	add("Severity", string(inc.Severity))
	add("Status", string(inc.Status))
	add("Services", strings.Join(inc.Services, ", "))
	add("Teams", strings.Join(inc.Teams, ", "))
	add("Tags", strings.Join(inc.Tags, ", "))
	add("Commander", inc.Commander)
	for _, l := range []struct {
		label string
		at    *time.Time
	}{
		{"Started", inc.StartedAt}, {"Detected", inc.DetectedAt}, {"Acknowledged", inc.AcknowledgedAt},
		{"Mitigated", inc.MitigatedAt}, {"Resolved", inc.ResolvedAt},
	} {
		if l.at != nil {
			add(l.label, utcText(*l.at))
		}
	}
	if d.Template != "" {
		add("RCA status", string(d.RCAStatus))
	}
	for _, f := range d.Facts.Known() {
		data.Facts = append(data.Facts, labelled{f.Label, Human(*f.Duration)})
	}
	var err error
	if data.Summary, err = safeHTML(md, inc.Summary); err != nil {
		return nil, err
	}
	if data.Impact, err = safeHTML(md, inc.CustomerImpact); err != nil {
		return nil, err
	}
	for _, s := range d.Sections {
		data.Sections = append(data.Sections, pageSection{
			Key: s.Key, Title: s.Title, Audience: string(s.Audience),
			HTML: template.HTML(s.HTML), // sanitized by the markdown pipeline
		})
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("report: html: %w", err)
	}
	return b.Bytes(), nil
}

// safeHTML renders untrusted Markdown through the pipeline.
func safeHTML(md *markdown.Renderer, src string) (template.HTML, error) {
	if strings.TrimSpace(src) == "" {
		return "", nil
	}
	h, err := md.HTML(src)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return template.HTML(h), nil // sanitized by the markdown pipeline
}

// audienceLabel names an audience for people.
func audienceLabel(a incident.Audience) string {
	switch a {
	case incident.AudiencePublic:
		return "public"
	case incident.AudienceCustomerSuccess:
		return "customer success"
	}
	return "internal"
}
