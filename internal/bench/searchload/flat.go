package main

import (
	"strings"

	"github.com/hindsightrca/hindsight/search"
)

// flat is an incident as the SQL backends store it: one text column per
// kind of text, the way an application that searches with its database
// would keep it.
type flat struct {
	id         int64
	title      string
	summary    string // summary and customer impact
	causes     string // root causes' descriptions
	rca        string // RCA sections
	actions    string // corrective actions' titles and descriptions
	timeline   string // timeline events, one a line
	labels     string // services, tags and categories, space separated
	services   []string
	tags       []string
	severity   string
	restricted bool
}

// flatten joins a document's texts into the columns.
func flatten(d *search.Doc) flat {
	f := flat{id: d.ID, title: d.Title, services: d.Services, tags: d.Tags, severity: d.Severity,
		restricted: d.Visibility == "restricted"}
	f.summary = joinNonEmpty("\n", d.Summary, d.CustomerImpact)
	var b strings.Builder
	for _, rc := range d.RootCauses {
		b.WriteString(rc.Description)
		b.WriteByte('\n')
	}
	f.causes, b = b.String(), strings.Builder{}
	for _, s := range d.Sections {
		b.WriteString(s.Title)
		b.WriteByte('\n')
		b.WriteString(s.Body)
		b.WriteString("\n\n")
	}
	f.rca, b = b.String(), strings.Builder{}
	for _, a := range d.Actions {
		b.WriteString(a.Title)
		b.WriteString(". ")
		b.WriteString(a.Description)
		b.WriteByte('\n')
	}
	f.actions, b = b.String(), strings.Builder{}
	for _, e := range d.Events {
		b.WriteString(e.Body)
		b.WriteByte('\n')
	}
	f.timeline, b = b.String(), strings.Builder{}
	for _, l := range [][]string{d.Services, d.Tags, d.Categories()} {
		for _, s := range l {
			b.WriteString(s)
			b.WriteByte(' ')
		}
	}
	f.labels = b.String()
	return f
}

// textBytes is how much text the incident has.
func (f *flat) textBytes() int {
	return len(f.title) + len(f.summary) + len(f.causes) + len(f.rca) + len(f.actions) + len(f.timeline) + len(f.labels)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
