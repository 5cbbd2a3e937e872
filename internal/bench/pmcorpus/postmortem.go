// Package pmcorpus reads the collection of real public post-mortems (one
// markdown file each, with YAML front matter) and recombines them into
// synthetic incidents for the search benchmarks: any number of them,
// deterministic for a seed, each with RCA sections, root causes,
// corrective actions and a timeline of chat, alert and ticket lines.
package pmcorpus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvDir names the variable that points at the post-mortems directory,
// overriding the search of FindDir.
const EnvDir = "HINDSIGHT_POSTMORTEMS"

// corpusPath is where the post-mortems live relative to a directory that
// holds the shared material (the repository's parent in this workspace).
var corpusPath = filepath.Join("shared", "corpus", "postmortems")

// PostMortem is one real post-mortem: its front matter and its body.
type PostMortem struct {
	// Path is the file it was read from.
	Path       string
	UUID       string
	URL        string
	Title      string
	Categories []string
	Keywords   []string
	Company    string
	Product    string
	Summary    string
	// Body is the markdown after the front matter.
	Body string
}

// frontMatter is the YAML header of a post-mortem file.
type frontMatter struct {
	UUID       string   `yaml:"uuid"`
	URL        string   `yaml:"url"`
	Title      string   `yaml:"title"`
	Categories []string `yaml:"categories"`
	Keywords   []string `yaml:"keywords"`
	Company    string   `yaml:"company"`
	Product    string   `yaml:"product"`
	Summary    string   `yaml:"summary"`
}

// FindDir returns the post-mortems directory: $HINDSIGHT_POSTMORTEMS when
// set, else shared/corpus/postmortems in the working directory or the
// nearest of its parents that has one.
func FindDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		cand := filepath.Join(dir, corpusPath)
		if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("pmcorpus: no %s in %s or its parents (set %s)", corpusPath, wd, EnvDir)
		}
		dir = parent
	}
}

// Load reads every *.md file of dir, in name order so that a seed gives
// the same corpus on every machine.
func Load(dir string) ([]PostMortem, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("pmcorpus: no post-mortems (*.md) in %s", dir)
	}
	sort.Strings(paths)
	out := make([]PostMortem, 0, len(paths))
	for _, p := range paths {
		pm, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pm)
	}
	return out, nil
}

// ReadFile reads and parses one post-mortem file.
func ReadFile(path string) (PostMortem, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return PostMortem{}, err
	}
	pm, err := Parse(b)
	if err != nil {
		return PostMortem{}, fmt.Errorf("pmcorpus: %s: %w", path, err)
	}
	pm.Path = path
	return pm, nil
}

// ErrNoFrontMatter says a file does not start with a "---" header.
var ErrNoFrontMatter = errors.New("no front matter (the file must start with a --- line)")

// Parse reads one post-mortem: the YAML between the first two "---" lines
// and the markdown after them. A title missing from the header is made
// from the company, so every post-mortem has one.
func Parse(b []byte) (PostMortem, error) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(b, []byte("---\n"))
	if !ok {
		return PostMortem{}, ErrNoFrontMatter
	}
	var header, body []byte
	if h, after, found := bytes.Cut(rest, []byte("\n---\n")); found {
		header, body = h, after
	} else if h, found := bytes.CutSuffix(bytes.TrimRight(rest, "\n"), []byte("\n---")); found {
		header = h
	} else {
		return PostMortem{}, errors.New("front matter is not closed by a --- line")
	}
	var fm frontMatter
	if err := yaml.Unmarshal(header, &fm); err != nil {
		return PostMortem{}, fmt.Errorf("front matter: %w", err)
	}
	pm := PostMortem{
		UUID:       fm.UUID,
		URL:        fm.URL,
		Title:      strings.TrimSpace(fm.Title),
		Categories: cleanList(fm.Categories),
		Keywords:   cleanList(fm.Keywords),
		Company:    strings.TrimSpace(fm.Company),
		Product:    strings.TrimSpace(fm.Product),
		Summary:    strings.TrimSpace(fm.Summary),
		Body:       strings.TrimSpace(string(body)),
	}
	if pm.Title == "" {
		pm.Title = strings.Join(strings.Fields(pm.Company+" "+pm.Product+" outage"), " ")
	}
	return pm, nil
}

// cleanList trims the values and drops the empty ones.
func cleanList(in []string) []string {
	out := in[:0]
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Paragraphs splits markdown into its paragraphs (blocks between blank
// lines), headings and list markers left out, lines of one paragraph
// joined by spaces.
func Paragraphs(md string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for line := range strings.Lines(md) {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "#"):
			flush()
		default:
			for _, m := range []string{"- ", "* ", "> "} {
				line = strings.TrimPrefix(line, m)
			}
			if cur.Len() > 0 {
				cur.WriteByte(' ')
			}
			cur.WriteString(line)
		}
	}
	flush()
	return out
}

// Sentences splits prose into sentences: a sentence ends at ".", "!" or
// "?" followed by a space and a capital letter or a digit.
func Sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i+2 < len(text); i++ {
		switch text[i] {
		case '.', '!', '?':
			if text[i+1] == ' ' && (isUpperASCII(text[i+2]) || isDigitASCII(text[i+2])) {
				if s := strings.TrimSpace(text[start : i+1]); len(s) > 1 {
					out = append(out, s)
				}
				start = i + 2
			}
		}
	}
	if s := strings.TrimSpace(text[start:]); len(s) > 1 {
		out = append(out, s)
	}
	return out
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigitASCII(c byte) bool { return c >= '0' && c <= '9' }
