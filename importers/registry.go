package importers

import (
	"fmt"
	"sort"
)

// Registry is the explicit list of importers a binary offers, built in cmd
// (no self-registration), looked up by source name.
type Registry struct {
	bySource map[string]Importer
}

// NewRegistry lists imps by their Source. It panics on two importers with
// the same source: that is a wiring mistake, found by any test.
func NewRegistry(imps ...Importer) *Registry {
	r := &Registry{bySource: make(map[string]Importer, len(imps))}
	for _, imp := range imps {
		src := imp.Source()
		if _, dup := r.bySource[src]; dup {
			panic(fmt.Sprintf("importers: two importers for source %q", src))
		}
		r.bySource[src] = imp
	}
	return r
}

// Get returns the importer of source.
func (r *Registry) Get(source string) (Importer, bool) {
	if r == nil {
		return nil, false
	}
	imp, ok := r.bySource[source]
	return imp, ok
}

// Sources lists the known source names, sorted.
func (r *Registry) Sources() []string {
	if r == nil {
		return []string{}
	}
	out := make([]string, 0, len(r.bySource))
	for s := range r.bySource {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
