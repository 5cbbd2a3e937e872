package templates

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// MaxKey is the longest template key.
const MaxKey = 64

var keyRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Normalize trims and cleans the text of t and defaults its sections the way
// an RCA's sections are defaulted: a missing section key is derived from the
// title ("Root causes" → "root-causes") and a missing audience is internal,
// the narrowest.
func Normalize(t *incident.Template) {
	t.Key = strings.TrimSpace(incident.CleanText(t.Key))
	t.Name = strings.TrimSpace(incident.CleanText(t.Name))
	t.Description = strings.TrimSpace(incident.CleanText(t.Description))
	r := incident.RCA{Sections: t.Sections}
	r.Normalize()
	t.Sections = r.Sections
}

// Validate checks a normalized template and returns a
// *incident.ValidationError naming every bad field with its JSON name
// ("key", "sections[2].audience", "sections[0].body"), or nil.
func Validate(t incident.Template) error {
	v := &incident.ValidationError{}
	switch {
	case t.Key == "":
		v.Add("key", "is required")
	case utf8.RuneCountInString(t.Key) > MaxKey || !keyRe.MatchString(t.Key):
		v.Add("key", "must be a lower-case slug of letters a-z, digits and - (at most "+strconv.Itoa(MaxKey)+"), such as \"my-template\"")
	}
	switch {
	case t.Name == "":
		v.Add("name", "is required")
	case utf8.RuneCountInString(t.Name) > incident.MaxTitle:
		v.Add("name", "must be at most "+strconv.Itoa(incident.MaxTitle)+" characters")
	}
	if utf8.RuneCountInString(t.Description) > incident.MaxSummary {
		v.Add("description", "must be at most "+strconv.Itoa(incident.MaxSummary)+" characters")
	}
	if len(t.Sections) == 0 {
		v.Add("sections", "must list at least one section")
	}
	// The sections become an RCA's sections: the RCA's own rules (keys,
	// titles, audiences, blocks, lengths) apply as they are.
	r := incident.RCA{Status: incident.RCADraft, Sections: t.Sections}
	var sv *incident.ValidationError
	if err := r.Validate(); errors.As(err, &sv) {
		for _, f := range sortedFields(sv) {
			msg := sv.Fields[f]
			if i, attr, ok := sectionField(t, f); ok {
				sec := t.Sections[i]
				switch attr {
				case "audience":
					msg = "unknown audience " + strconv.Quote(string(sec.Audience)) + ": " + msg
				case "block":
					msg = "unknown block " + strconv.Quote(string(sec.Block)) + ": " + msg
				}
				if sec.Key != "" {
					msg += " (section " + strconv.Quote(sec.Key) + ")"
				}
			}
			v.Add(f, msg)
		}
	}
	for i, s := range t.Sections {
		if _, problems := expand(s.Body, nil); len(problems) > 0 {
			v.Add("sections["+strconv.Itoa(i)+"].body", strings.Join(problems, "; ")+
				" (template "+strconv.Quote(t.Key)+", section "+strconv.Quote(s.Key)+"); variables are "+variableNames())
		}
	}
	return v.Err()
}

// sectionField splits "sections[2].audience" into 2 and "audience", when
// the index is one of t's sections.
func sectionField(t incident.Template, field string) (int, string, bool) {
	rest, ok := strings.CutPrefix(field, "sections[")
	if !ok {
		return 0, "", false
	}
	n, attr, ok := strings.Cut(rest, "].")
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i < 0 || i >= len(t.Sections) {
		return 0, "", false
	}
	return i, attr, true
}

func sortedFields(v *incident.ValidationError) []string {
	fields := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	return fields
}

// Render returns the sections an RCA created from t for inc starts with: in
// the template's order, with help, audience, required flag and block copied
// and the variables of each starting text replaced by the incident's facts
// (as plain text; the markdown pipeline sanitizes the result when it is
// shown). A template with bad variables gives a *incident.ValidationError.
func Render(t incident.Template, inc incident.Incident) ([]incident.Section, error) {
	vals := Vars(inc)
	out := make([]incident.Section, len(t.Sections))
	v := &incident.ValidationError{}
	for i, s := range t.Sections {
		body, problems := expand(s.Body, vals)
		if len(problems) > 0 {
			v.Add("sections["+strconv.Itoa(i)+"].body", strings.Join(problems, "; ")+
				" (template "+strconv.Quote(t.Key)+", section "+strconv.Quote(s.Key)+")")
		}
		s.Body = body
		out[i] = s
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// clone copies t so that callers cannot change a registry's templates.
func clone(t incident.Template) incident.Template {
	t.Sections = slices.Clone(t.Sections)
	return t
}
