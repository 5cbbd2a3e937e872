package templates

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// yamlTemplate is the file format of a template. Unknown fields are errors,
// so a misspelt "audiance" is reported instead of silently ignored.
type yamlTemplate struct {
	Key         string        `yaml:"key"`
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Sections    []yamlSection `yaml:"sections"`
}

// yamlSection is one section in the file format.
type yamlSection struct {
	Key      string `yaml:"key"`
	Title    string `yaml:"title"`
	Help     string `yaml:"help"`
	Audience string `yaml:"audience"`
	Required bool   `yaml:"required"`
	Block    string `yaml:"block"`
	Body     string `yaml:"body"`
}

// Problem is one thing wrong with a template file.
type Problem struct {
	// Field is the JSON name of the field ("sections[2].key"), or "yaml"
	// when the file is not a template-shaped YAML document.
	Field string
	// Line is the 1-based line in the file, 0 when unknown.
	Line    int
	Message string
}

// FileError says what is wrong with one template file (or request body).
// It unwraps to the *incident.ValidationError of its problems, so the API
// answers a bad template with 422 and the field names.
type FileError struct {
	File     string
	Key      string // the template's key, when the file got that far
	Problems []Problem
}

// Error implements error: the file, the template and every problem with its
// line, which is what an admin fixing the file needs.
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Key != "" {
		b.WriteString(" (template " + strconv.Quote(e.Key) + ")")
	}
	b.WriteString(": ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.text(true))
	}
	return b.String()
}

func (p Problem) text(withField bool) string {
	s := p.Message
	if withField && p.Field != "" && p.Field != "yaml" {
		s = p.Field + ": " + s
	}
	if p.Line > 0 {
		s = "line " + strconv.Itoa(p.Line) + ": " + s
	}
	return s
}

// Unwrap returns the problems as a *incident.ValidationError.
func (e *FileError) Unwrap() error {
	v := &incident.ValidationError{}
	for _, p := range e.Problems {
		v.Add(p.Field, p.text(false))
	}
	return v.Err()
}

// Parse reads one template from YAML; file names it in errors. The template
// is normalized and validated; any problem gives a *FileError with the YAML
// line of each bad field.
func Parse(file string, data []byte) (incident.Template, error) {
	fail := func(key string, ps ...Problem) (incident.Template, error) {
		return incident.Template{}, &FileError{File: file, Key: key, Problems: ps}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fail("", yamlProblems(err)...)
	}
	if len(doc.Content) == 0 {
		return fail("", Problem{Field: "yaml", Message: "the file is empty: a template needs key, name and sections"})
	}
	if root := doc.Content[0]; root.Kind != yaml.MappingNode {
		return fail("", Problem{Field: "yaml", Line: root.Line, Message: "a template is a mapping with key, name, description and sections"})
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var yt yamlTemplate
	if err := dec.Decode(&yt); err != nil {
		return fail(strings.TrimSpace(keyOf(doc.Content[0])), yamlProblems(err)...)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fail(yt.Key, Problem{Field: "yaml", Line: extra.Line, Message: "a file holds one template; remove the second YAML document (---)"})
	}
	t := incident.Template{Key: yt.Key, Name: yt.Name, Description: yt.Description, Sections: make([]incident.Section, len(yt.Sections))}
	for i, s := range yt.Sections {
		t.Sections[i] = incident.Section{
			Key: s.Key, Title: s.Title, Help: s.Help, Audience: incident.Audience(s.Audience),
			Required: s.Required, Block: incident.Block(s.Block), Body: s.Body,
		}
	}
	Normalize(&t)
	var verr *incident.ValidationError
	if err := Validate(t); errors.As(err, &verr) {
		lines := fieldLines(doc.Content[0])
		ps := make([]Problem, 0, len(verr.Fields))
		for _, f := range sortedFields(verr) {
			ps = append(ps, Problem{Field: f, Line: lineOf(lines, f), Message: verr.Fields[f]})
		}
		slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
		return fail(t.Key, ps...)
	}
	return t, nil
}

// yamlLineRe finds the line yaml.v3 puts in its messages.
var yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// unknownFieldRe rewrites yaml.v3's "field x not found in type
// templates.yamlSection", which names our Go types, for the reader.
var unknownFieldRe = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// yamlProblems turns a yaml.v3 error into problems with lines.
func yamlProblems(err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	ps := make([]Problem, 0, len(msgs))
	for _, m := range msgs {
		p := Problem{Field: "yaml", Message: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLineRe.FindStringSubmatch(m); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			p.Message = sm[2]
		}
		if sm := unknownFieldRe.FindStringSubmatch(p.Message); sm != nil {
			p.Message = "unknown field " + strconv.Quote(sm[1]) + " (a template has key, name, description, sections; a section has key, title, help, audience, required, block, body)"
		}
		p.Message = strings.ReplaceAll(p.Message, "templates.yamlTemplate", "a template")
		p.Message = strings.ReplaceAll(p.Message, "templates.yamlSection", "a section")
		ps = append(ps, p)
	}
	return ps
}

// keyOf returns the scalar value of "key" in a mapping node, if any.
func keyOf(m *yaml.Node) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "key" && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// fieldLines maps the JSON field names of a template document to the line
// of their key in the file: "name", "sections", "sections[1]",
// "sections[1].audience", ...
func fieldLines(root *yaml.Node) map[string]int {
	lines := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		lines[k.Value] = k.Line
		if k.Value != "sections" || v.Kind != yaml.SequenceNode {
			continue
		}
		for j, item := range v.Content {
			p := "sections[" + strconv.Itoa(j) + "]"
			lines[p] = item.Line
			for n := 0; item.Kind == yaml.MappingNode && n+1 < len(item.Content); n += 2 {
				lines[p+"."+item.Content[n].Value] = item.Content[n].Line
			}
		}
	}
	return lines
}

// lineOf finds the line of field, or of the nearest enclosing one (a key
// derived from the title has no line of its own: the section's line is
// given instead).
func lineOf(lines map[string]int, field string) int {
	for f := field; f != ""; {
		if l, ok := lines[f]; ok {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return 0
}
