package app_test

import (
	"context"
	"errors"
	"strconv"
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

// TestApp_LintRCAPeopleAndRecords: the incident's people (commander,
// timeline actors, action owners, reviewers) are flagged when named in
// root-cause sections, and root-cause records are checked too, keyed
// root_causes[<id>] with offsets into their description.
func TestApp_LintRCAPeopleAndRecords(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Checkout errors", StartedAt: ptr(t0), Commander: "carol.jones"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{
			{OccurredAt: t0, Body: "pushed config", Actor: "alice.smith"},
			{OccurredAt: t0, Body: "rolled out", Actor: "deploy-bot"},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "validate config", Owner: "dave"}); err != nil {
			t.Fatal(err)
		}
		saved, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{
			{Key: "summary", Title: "Summary", Body: "Alice Smith and Erin looked into it."},
			{Key: "why", Title: "Why", Body: "A config from alice.smith; the deploy-bot shipped it.", Block: incident.BlockRootCauses},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SubmitRCA(ctx, inc.Key, []string{"erin"}, ptr(saved.Version)); err != nil {
			t.Fatal(err)
		}
		clean, err := a.CreateRootCause(ctx, inc.Key, incident.RootCause{Category: incident.CategoryConfigChange, Description: "The deploy pipeline had no config validation."})
		if err != nil {
			t.Fatal(err)
		}
		named, err := a.CreateRootCause(ctx, inc.Key, incident.RootCause{Category: incident.CategoryConfigChange, Description: "Unchecked.\nThe root cause was Dave; Erin approved it; human error."})
		if err != nil {
			t.Fatal(err)
		}
		rcKey := "root_causes[" + strconv.FormatInt(named.ID, 10) + "]"
		records := rcKey + ":person_as_root_cause:root cause was Dave|" + rcKey + ":person_as_root_cause:Erin approved|" + rcKey + ":human_error:human error"

		got, err := a.LintRCA(ctx, inc.Key)
		if err != nil {
			t.Fatal(err)
		}
		if want := "why:person_as_root_cause:alice.smith|" + records; findingsString(got) != want {
			t.Errorf("stored findings\n got %s\nwant %s", findingsString(got), want)
		}
		for _, f := range got {
			if f.SectionKey != rcKey {
				continue
			}
			if named.Description[f.Start:f.End] != f.Match || f.Line != 2 {
				t.Errorf("record finding %+v: span or line not relative to the description", f)
			}
			if f.Match == "root cause was Dave" && f.Column != 5 {
				t.Errorf("column = %d, want 5", f.Column)
			}
		}
		if strings.Contains(findingsString(got), strconv.FormatInt(clean.ID, 10)+"]") {
			t.Errorf("clean record flagged: %s", findingsString(got))
		}

		tests := []struct {
			name     string
			sections []incident.Section
			want     string
		}{
			{name: "draft root cause names the commander as First Last",
				sections: []incident.Section{{Key: "why", Title: "Why", Body: "Carol Jones restarted the primary."}},
				want:     "why:person_as_root_cause:Carol Jones|" + records},
			{name: "draft names a system actor only",
				sections: []incident.Section{{Key: "why", Title: "Why", Body: "The deploy-bot shipped it during the deploy."}},
				want:     records},
			{name: "people outside root causes are fine",
				sections: []incident.Section{{Key: "summary", Title: "Summary", Body: "Carol Jones and dave fixed it."}},
				want:     records},
			{name: "records are checked without sections", sections: []incident.Section{}, want: records},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := a.LintRCADraft(ctx, inc.Key, tt.sections)
				if err != nil {
					t.Fatal(err)
				}
				if findingsString(got) != tt.want {
					t.Errorf("findings\n got %s\nwant %s", findingsString(got), tt.want)
				}
			})
		}
	})
}
