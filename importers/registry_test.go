package importers

import (
	"context"
	"slices"
	"testing"
)

// namedImporter is an importer that only has a name.
type namedImporter string

func (n namedImporter) Source() string { return string(n) }

func (namedImporter) Parse(context.Context, Input, Options, Sink) error { return nil }

func TestRegistry(t *testing.T) {
	r := NewRegistry(namedImporter("slack"), namedImporter("csv"), namedImporter("teams"))
	if got, want := r.Sources(), []string{"csv", "slack", "teams"}; !slices.Equal(got, want) {
		t.Errorf("Sources() = %v, want %v", got, want)
	}
	tests := []struct {
		name   string
		source string
		ok     bool
	}{
		{name: "known", source: "slack", ok: true},
		{name: "unknown", source: "irc"},
		{name: "case matters", source: "Slack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp, ok := r.Get(tt.source)
			if ok != tt.ok || (ok && imp.Source() != tt.source) {
				t.Errorf("Get(%q) = %v, %v", tt.source, imp, ok)
			}
		})
	}
	var empty *Registry
	if _, ok := empty.Get("slack"); ok || len(empty.Sources()) != 0 {
		t.Error("nil registry should know nothing")
	}
}

func TestNewRegistry_DuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("two importers for one source did not panic")
		}
	}()
	NewRegistry(namedImporter("slack"), namedImporter("slack"))
}
