package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// MaxImport bounds the size of one imported Markdown file.
const MaxImport = 8 << 20

// Imported is an incident with its RCA, key events, root causes and
// corrective actions, read from a Markdown export.
type Imported struct {
	// SourceKey is the key the incident had where it was exported.
	SourceKey string
	// Origin is where the post-mortem was published (the front matter's
	// url), when it says; importers use it to recognise a file seen before.
	Origin   string
	Incident incident.Incident
	// RCA is nil when the file carries no sections.
	RCA *incident.RCA
	// Events keep the ids of the exporting database: RootCauses' evidence
	// refers to them, and the importer maps them to the new events.
	Events     []incident.TimelineEvent
	RootCauses []incident.RootCause
	Actions    []incident.CorrectiveAction
}

// lines maps a field path ("severity", "actions[2].due_date", "sections[1]")
// to the line of the file it came from.
type lines map[string]int

// at returns the line of path, or of the closest enclosing path known.
func (l lines) at(path string) int {
	for p := path; p != ""; {
		if n, ok := l[p]; ok {
			return n
		}
		switch i := strings.LastIndexAny(p, ".["); {
		case i < 0:
			p = ""
		default:
			p = p[:i]
		}
	}
	return 1
}

// errorf adds a line-numbered problem: the field is named "field (line N)".
func (l lines) add(v *incident.ValidationError, field, msg string) {
	v.Add(field+" (line "+strconv.Itoa(l.at(field))+")", msg)
}

// ParseMarkdown reads a Markdown file with YAML front matter: the format
// RenderMarkdown writes (sections recognised by their markers, generated
// blocks dropped), and also plain post-mortems whose front matter uses the
// public collection's fields (title, summary, start_time, end_time,
// keywords, product), whose "## " headings become sections. Problems come
// back as one *incident.ValidationError whose fields name the line.
//
// A file without a title takes the first "# " heading of its body, else
// "<company>: <first sentence of the summary or of the body>"; see
// ParseMarkdownFile for the last resort, the file name.
func ParseMarkdown(src []byte) (Imported, error) { return ParseMarkdownFile("", src) }

// ParseMarkdownFile is ParseMarkdown for a file called name, whose base
// name (without extension) is the title of last resort.
func ParseMarkdownFile(name string, src []byte) (Imported, error) {
	v := &incident.ValidationError{}
	if len(src) > MaxImport {
		v.Add("file", "is larger than "+strconv.Itoa(MaxImport)+" bytes")
		return Imported{}, v
	}
	if !utf8.Valid(src) {
		v.Add("file", "is not UTF-8 text: save it as UTF-8 (its accented letters would be garbled)")
		return Imported{}, v
	}
	// The byte order mark goes first: it would hide the "---\r\n" below.
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	if !bytes.HasPrefix(src, []byte("---\n")) && bytes.HasPrefix(src, []byte("---\r\n")) {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")) // saved by a CRLF editor
	}
	text := incident.CleanText(string(src))
	all := strings.Split(text, "\n")
	if len(all) == 0 || strings.TrimRight(all[0], " \t") != "---" {
		v.Add("front_matter (line 1)", `is required: the file must start with a "---" line`)
		return Imported{}, v
	}
	end := -1
	for i := 1; i < len(all); i++ {
		if t := strings.TrimRight(all[i], " \t"); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		v.Add("front_matter (line 1)", `is not closed: add a "---" line after it`)
		return Imported{}, v
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(all[1:end], "\n")), &root); err != nil {
		field, msg := yamlProblem(err, 1)
		v.Add(field, msg)
		return Imported{}, v
	}
	at := lines{}
	if len(root.Content) > 0 {
		if root.Content[0].Kind != yaml.MappingNode {
			v.Add("front_matter (line 2)", "must be a mapping of fields (title: …)")
			return Imported{}, v
		}
		walk(root.Content[0], "", 1, at)
	}
	var fm frontMatter
	if err := root.Decode(&fm); err != nil {
		field, msg := yamlProblem(err, 1)
		v.Add(field, msg)
		return Imported{}, v
	}
	if fm.Format != "" && fm.Format != FormatVersion {
		at.add(v, "hindsight_format", "is "+strconv.Quote(fm.Format)+"; this version reads "+FormatVersion)
		return Imported{}, v
	}
	secs, secErr := parseSections(all[end+1:], end+2, at)
	if secErr != nil {
		return Imported{}, secErr
	}
	if strings.TrimSpace(fm.Title) == "" {
		fm.Title = fallbackTitle(fm, all[end+1:], name)
	}
	return fm.imported(secs, at)
}

// walk records the line of every field of a YAML mapping, to depth 3.
func walk(n *yaml.Node, prefix string, offset int, at lines) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			at[p] = k.Line + offset
			if strings.Count(p, ".")+strings.Count(p, "[") < 3 {
				walk(val, p, offset, at)
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := prefix + "[" + strconv.Itoa(i) + "]"
			at[p] = item.Line + offset
			walk(item, p, offset, at)
		}
	}
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// yamlProblem turns a yaml.v3 error into a field named by its file line.
func yamlProblem(err error, offset int) (string, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 2
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = n + offset
		msg = strings.TrimSpace(yamlLineRe.ReplaceAllString(msg, ""))
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, ":"), " ")
	}
	return "front_matter (line " + strconv.Itoa(line) + ")", "is not valid YAML: " + msg
}

// parseSections reads the sections after the front matter. first is the
// file line of body[0].
func parseSections(body []string, first int, at lines) ([]incident.Section, error) {
	var marks []int
	for i, l := range body {
		if strings.HasPrefix(l, sectionMarker) {
			marks = append(marks, i)
		}
	}
	if len(marks) == 0 {
		return headingSections(body, first, at), nil
	}
	v := &incident.ValidationError{}
	var out []incident.Section
	for k, m := range marks {
		p := "sections[" + strconv.Itoa(k) + "]"
		at[p] = first + m
		stop := len(body)
		if k+1 < len(marks) {
			stop = marks[k+1]
		}
		raw := strings.TrimRight(body[m], " \t")
		js, ok := strings.CutSuffix(strings.TrimPrefix(raw, sectionMarker), markerSuffix)
		var meta sectionMeta
		if !ok {
			at.add(v, p, `section marker must end with " -->" on the same line`)
			continue
		}
		if err := json.Unmarshal([]byte(js), &meta); err != nil {
			at.add(v, p, "section marker does not hold valid JSON: "+err.Error())
			continue
		}
		if m+1 >= stop || !strings.HasPrefix(body[m+1], "## ") {
			at[p+".title"] = first + m + 1
			at.add(v, p+".title", `must follow the section marker as a "## Title" heading`)
			continue
		}
		at[p+".title"] = first + m + 1
		title := meta.Title
		if title == "" {
			title = strings.TrimSpace(strings.TrimPrefix(body[m+1], "## "))
		}
		var kept []string
		for i := m + 2; i < stop; i++ {
			if body[i] != generatedStart {
				kept = append(kept, body[i])
				continue
			}
			j := i + 1
			for j < stop && body[j] != generatedEnd {
				j++
			}
			if j == stop {
				at[p+".body"] = first + i
				at.add(v, p+".body", "generated block is not closed by "+generatedEnd)
			}
			i = j
		}
		if strings.Trim(meta.Lead, "\n") != "" || strings.Trim(meta.Trail, "\n") != "" {
			at.add(v, p, "section marker lead and trail may hold newlines only")
			continue
		}
		core := strings.Trim(strings.Join(kept, "\n"), "\n")
		out = append(out, incident.Section{
			Key: meta.Key, Title: title, Body: meta.Lead + core + meta.Trail,
			Audience: incident.Audience(meta.Audience), Help: meta.Help,
			Required: meta.Required, Block: incident.Block(meta.Block),
		})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// headingSections splits a Markdown body without markers at its "## "
// headings (outside code fences); text before the first heading becomes a
// "Description" section. A leading "# Title" line is dropped.
func headingSections(body []string, first int, at lines) []incident.Section {
	type part struct {
		title string
		line  int
		text  []string
	}
	parts := []part{{title: "Description", line: first}}
	fence := ""
	for i, l := range body {
		t := strings.TrimSpace(l)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
		case strings.HasPrefix(t, "```"), strings.HasPrefix(t, "~~~"):
			fence = t[:3]
		case strings.HasPrefix(l, "## "):
			parts = append(parts, part{title: strings.TrimSpace(l[3:]), line: first + i})
			continue
		case strings.HasPrefix(l, "# ") && len(parts) == 1 && strings.TrimSpace(strings.Join(parts[0].text, "")) == "":
			continue
		}
		parts[len(parts)-1].text = append(parts[len(parts)-1].text, l)
	}
	var out []incident.Section
	used := map[string]bool{}
	for i, p := range parts {
		body := strings.Trim(strings.Join(p.text, "\n"), "\n")
		if i == 0 && strings.TrimSpace(body) == "" {
			continue
		}
		base := incident.Slug(p.title)
		if len(base) > 56 {
			base = strings.TrimRight(base[:56], "-")
		}
		if base == "" {
			base = "section"
		}
		key := base
		for n := 2; used[key]; n++ {
			key = base + "-" + strconv.Itoa(n)
		}
		used[key] = true
		at["sections["+strconv.Itoa(len(out))+"]"] = p.line
		out = append(out, incident.Section{Key: key, Title: p.title, Body: body, Audience: incident.AudienceInternal})
	}
	return out
}
