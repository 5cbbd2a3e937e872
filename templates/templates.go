// Package templates holds the RCA templates: the built-in ones (YAML files
// embedded from templates/builtin), those an admin drops into
// HINDSIGHT_TEMPLATES_DIR, their validation, and the rendering of a
// template's starting text with an incident's facts ({{title}},
// {{started_at}}, {{impact_duration}}, ...; see Variables).
//
// A template file looks like this:
//
//	key: my-template
//	name: My template
//	description: What it is for.
//	sections:
//	  - key: summary
//	    title: Summary
//	    audience: public            # public, customer_success or internal
//	    required: true
//	    help: What belongs here.
//	    body: "{{title}} ({{key}}) lasted {{impact_duration}}."
//	  - key: timeline
//	    title: Timeline
//	    block: timeline             # timeline, root_causes or corrective_actions
//
// Custom templates kept in the database are the app's business; this
// package knows files only.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinOrder is the order the built-ins are listed in: the simplest first.
var builtinOrder = []string{"essentials", "sre", "five-whys", "contributing-factors"}

// Registry is a fixed, ordered set of file templates (built-in and from the
// templates directory), looked up by key. It is safe for concurrent use: it
// never changes after it is built and hands out copies.
type Registry struct {
	list []incident.Template
	// files names the file each directory template came from.
	files map[string]string
}

// Builtin returns the built-in templates.
func Builtin() (*Registry, error) {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil, fmt.Errorf("templates: built-ins: %w", err)
	}
	r := &Registry{files: map[string]string{}}
	for _, e := range entries {
		b, err := builtinFS.ReadFile("builtin/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("templates: built-in %s: %w", e.Name(), err)
		}
		t, err := Parse("builtin/"+e.Name(), b)
		if err != nil {
			return nil, fmt.Errorf("templates: built-in %w", err)
		}
		t.Source = incident.TemplateBuiltin
		r.list = append(r.list, t)
	}
	rank := func(key string) int {
		if i := slices.Index(builtinOrder, key); i >= 0 {
			return i
		}
		return len(builtinOrder)
	}
	slices.SortStableFunc(r.list, func(a, b incident.Template) int {
		if d := rank(a.Key) - rank(b.Key); d != 0 {
			return d
		}
		return strings.Compare(a.Key, b.Key)
	})
	return r, nil
}

// MustBuiltin is Builtin for callers that cannot handle the error: the
// built-ins are checked by this package's tests, so it panics only on a
// broken build.
func MustBuiltin() *Registry {
	r, err := Builtin()
	if err != nil {
		panic(err)
	}
	return r
}

// Load returns the built-ins plus the templates of dir (*.yaml and *.yml,
// not recursive; hidden files are skipped). A directory template with a
// built-in's key replaces it. Empty dir means built-ins only. Every bad file
// is reported, each by its path, so an admin fixes them in one go.
func Load(dir string) (*Registry, error) {
	r, err := Builtin()
	if err != nil || dir == "" {
		return r, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("templates dir (HINDSIGHT_TEMPLATES_DIR): %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("template file %w", err))
			continue
		}
		t, err := Parse(path, b)
		if err != nil {
			errs = append(errs, fmt.Errorf("template file %w", err))
			continue
		}
		if prev, ok := r.files[t.Key]; ok {
			errs = append(errs, fmt.Errorf("template file %s: key %q is already used by %s; keys must be unique", path, t.Key, prev))
			continue
		}
		t.Source = incident.TemplateDir
		r.files[t.Key] = path
		if i := r.index(t.Key); i >= 0 {
			r.list[i] = t
		} else {
			r.list = append(r.list, t)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Registry) index(key string) int {
	return slices.IndexFunc(r.list, func(t incident.Template) bool { return t.Key == key })
}

// Template returns the template with key.
func (r *Registry) Template(key string) (incident.Template, bool) {
	if i := r.index(key); i >= 0 {
		return clone(r.list[i]), true
	}
	return incident.Template{}, false
}

// Templates returns every template in order: the built-ins (replaced in
// place by directory templates with their key), then the other directory
// templates in file-name order.
func (r *Registry) Templates() []incident.Template {
	out := make([]incident.Template, len(r.list))
	for i, t := range r.list {
		out[i] = clone(t)
	}
	return out
}

// File returns the file a directory template was read from ("" for a
// built-in or an unknown key), for logs.
func (r *Registry) File(key string) string { return r.files[key] }
