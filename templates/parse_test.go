package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/templates"
)

func TestParse(t *testing.T) {
	const good = `key: ops-review
name: Ops review
description: For operational incidents.
sections:
  - key: summary
    title: Summary
    audience: public
    required: true
    help: Say what happened.
    body: "{{title}} lasted {{impact_duration}}."
  - title: Root causes
    block: root_causes
`
	t.Run("good", func(t *testing.T) {
		tm, err := templates.Parse("ops.yaml", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		want := incident.Template{Key: "ops-review", Name: "Ops review", Description: "For operational incidents.", Sections: []incident.Section{
			{Key: "summary", Title: "Summary", Audience: incident.AudiencePublic, Required: true, Help: "Say what happened.", Body: "{{title}} lasted {{impact_duration}}."},
			{Key: "root-causes", Title: "Root causes", Audience: incident.AudienceInternal, Block: incident.BlockRootCauses},
		}}
		if tm.Key != want.Key || tm.Name != want.Name || tm.Description != want.Description || len(tm.Sections) != 2 ||
			tm.Sections[0] != want.Sections[0] || tm.Sections[1] != want.Sections[1] {
			t.Errorf("parsed %+v\nwant   %+v", tm, want)
		}
	})

	tests := []struct {
		name string
		yaml string
		// field → substring of its message; line → the problem's line.
		field, msg string
		line       int
	}{
		{"invalid yaml", "key: x\nname: A\n  bad: indent\n", "yaml", "mapping values are not allowed", 3},
		{"empty file", "", "yaml", "the file is empty", 0},
		{"not a mapping", "- a\n- b\n", "yaml", "a template is a mapping", 1},
		{"unknown field", strings.Replace(good, "    required: true", "    audiance: public", 1), "yaml", `unknown field "audiance"`, 8},
		{"wrong type", strings.Replace(good, "required: true", "required: maybe", 1), "yaml", "cannot unmarshal", 8},
		{"two documents", good + "---\nkey: other\n", "yaml", "one template", 13},
		{"missing key", strings.Replace(good, "key: ops-review\n", "", 1), "key", "is required", 0},
		{"bad key", strings.Replace(good, "key: ops-review", "key: Ops Review", 1), "key", "lower-case slug", 1},
		{"missing name", strings.Replace(good, "name: Ops review\n", "", 1), "name", "is required", 0},
		{"missing sections", "key: a\nname: A\n", "sections", "at least one section", 0},
		{"empty sections", "key: a\nname: A\nsections: []\n", "sections", "at least one section", 3},
		{"missing section title", strings.Replace(good, "    title: Summary\n", "", 1), "sections[0].title", "is required", 5},
		{"duplicate section keys", strings.Replace(good, "  - title: Root causes", "  - key: summary\n    title: Root causes", 1),
			"sections[1].key", `duplicates the key of an earlier section (section "summary")`, 11},
		{"unknown audience", strings.Replace(good, "audience: public", "audience: everyone", 1),
			"sections[0].audience", `unknown audience "everyone": must be one of public, customer_success, internal (section "summary")`, 7},
		{"unknown block", strings.Replace(good, "block: root_causes", "block: graphs", 1),
			"sections[1].block", `unknown block "graphs"`, 12},
		{"unknown variable", strings.Replace(good, "{{impact_duration}}", "{{outage_length}}", 1),
			"sections[0].body", `unknown variable {{outage_length}} (template "ops-review", section "summary")`, 10},
		{"malformed variable", strings.Replace(good, "{{impact_duration}}", "{{Impact Duration}}", 1),
			"sections[0].body", `malformed variable "{{Impact Duration}}"`, 10},
		{"unclosed variable", strings.Replace(good, "{{impact_duration}}", "{{impact_duration", 1),
			"sections[0].body", "{{ without a closing }}", 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := templates.Parse("ops.yaml", []byte(tc.yaml))
			var fe *templates.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if !strings.HasPrefix(err.Error(), "ops.yaml") {
				t.Errorf("error %q does not start with the file name", err)
			}
			var found bool
			for _, p := range fe.Problems {
				if p.Field == tc.field && strings.Contains(p.Message, tc.msg) {
					found = true
					if p.Line != tc.line {
						t.Errorf("%s: line %d, want %d", p.Field, p.Line, tc.line)
					}
				}
			}
			if !found {
				t.Errorf("problems %+v lack %s: %q", fe.Problems, tc.field, tc.msg)
			}
			// The API answers with the fields of the validation error.
			var verr *incident.ValidationError
			if !errors.As(err, &verr) || !strings.Contains(verr.Fields[tc.field], tc.msg) {
				t.Errorf("unwrapped fields %v lack %s", verr, tc.field)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	sec := func(key string) incident.Section {
		return incident.Section{Key: key, Title: "T " + key, Audience: incident.AudienceInternal}
	}
	tests := []struct {
		name   string
		tm     incident.Template
		fields []string
	}{
		{"valid", incident.Template{Key: "a-1", Name: "A", Sections: []incident.Section{sec("x")}}, nil},
		{"everything missing", incident.Template{}, []string{"key", "name", "sections"}},
		{"key with underscore", incident.Template{Key: "a_b", Name: "A", Sections: []incident.Section{sec("x")}}, []string{"key"}},
		{"key too long", incident.Template{Key: strings.Repeat("a", 65), Name: "A", Sections: []incident.Section{sec("x")}}, []string{"key"}},
		{"too many sections", incident.Template{Key: "a", Name: "A", Sections: func() []incident.Section {
			out := make([]incident.Section, incident.MaxSections+1)
			for i := range out {
				out[i] = sec("s" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26)))
			}
			return out
		}()}, []string{"sections"}},
		{"bad section key", incident.Template{Key: "a", Name: "A", Sections: []incident.Section{sec("Bad Key")}}, []string{"sections[0].key"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := templates.Validate(tc.tm)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var verr *incident.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a validation error", err)
			}
			for _, f := range tc.fields {
				if verr.Fields[f] == "" {
					t.Errorf("no problem for %s in %v", f, verr.Fields)
				}
			}
			if len(verr.Fields) != len(tc.fields) {
				t.Errorf("fields = %v, want only %v", verr.Fields, tc.fields)
			}
		})
	}
}
