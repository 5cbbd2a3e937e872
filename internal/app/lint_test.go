package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/blameless"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// findingsString is "section:rule:match" per finding, for comparing.
func findingsString(fs []blameless.Finding) string {
	var b []string
	for _, f := range fs {
		b = append(b, f.SectionKey+":"+f.Rule+":"+f.Match)
	}
	return strings.Join(b, "|")
}

func TestApp_LintRCA(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)

		if _, err := a.LintRCA(ctx, inc.Key); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("no RCA yet: err = %v, want not found", err)
		}
		if _, err := a.LintRCA(ctx, "INC-999"); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("no incident: err = %v, want not found", err)
		}

		// The stored RCA's root-cause section is known by its block.
		saved, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{
			{Key: "summary", Title: "Summary", Body: "Checkout failed; human error.\n\n```\nhuman error in log\n```"},
			{Key: "why", Title: "Why", Body: "Bob pushed a bad config.", Block: incident.BlockRootCauses},
		}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.LintRCA(ctx, inc.Key)
		if err != nil {
			t.Fatal(err)
		}
		if want := "summary:human_error:human error|why:person_as_root_cause:Bob pushed"; findingsString(got) != want {
			t.Errorf("stored findings = %s, want %s", findingsString(got), want)
		}

		tests := []struct {
			name     string
			ref      string
			sections []incident.Section
			want     string
			wantErr  error
		}{
			{name: "draft text, not the stored one", ref: inc.Key,
				sections: []incident.Section{{Key: "summary", Title: "Summary", Body: "We should have caught it."}},
				want:     "summary:counterfactual:should have caught"},
			{name: "draft takes the stored block by key", ref: inc.Key,
				sections: []incident.Section{{Key: "why", Title: "Why", Body: "Caused by Carol."}},
				want:     "why:person_as_root_cause:Caused by Carol"},
			{name: "new draft section is not a root cause", ref: inc.Key,
				sections: []incident.Section{{Key: "notes", Title: "Notes", Body: "Caused by Carol."}}},
			{name: "key from title", ref: inc.Key,
				sections: []incident.Section{{Title: "Root causes", Body: "@dave's change"}},
				want:     "root-causes:person_as_root_cause:@dave's change"},
			{name: "empty draft", ref: inc.Key, sections: []incident.Section{}},
			{name: "unknown incident", ref: "INC-999", sections: []incident.Section{{Key: "a", Title: "A", Body: "careless"}}, wantErr: incident.ErrNotFound},
			{name: "too long body", ref: inc.Key, sections: []incident.Section{{Key: "a", Title: "A", Body: strings.Repeat("x", incident.MaxBody+1)}},
				wantErr: &incident.ValidationError{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := a.LintRCADraft(ctx, tt.ref, tt.sections)
				switch want := tt.wantErr.(type) {
				case nil:
					if err != nil {
						t.Fatal(err)
					}
				case *incident.ValidationError:
					if !errors.As(err, &want) || want.Fields["sections[0].body"] == "" {
						t.Fatalf("err = %v, want a validation error on sections[0].body", err)
					}
					return
				default:
					if !errors.Is(err, want) {
						t.Fatalf("err = %v, want %v", err, want)
					}
					return
				}
				if findingsString(got) != tt.want {
					t.Errorf("findings = %q, want %q", findingsString(got), tt.want)
				}
			})
		}

		// Linting never changes the RCA.
		after, err := a.RCA(ctx, inc.Key)
		if err != nil || after.Version != saved.Version {
			t.Fatalf("RCA changed by lint: %+v, %v", after, err)
		}
	})
}
