package app_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestApp_PublishNeedsWrittenSections: a scaffold straight from the template
// cannot be published; writing the text or recording what a block shows
// (key events, root causes, actions) fills a section.
func TestApp_PublishNeedsWrittenSections(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		r, err := a.CreateRCAFromTemplate(ctx, inc.Key, "essentials")
		if err != nil {
			t.Fatal(err)
		}
		r, err = a.SubmitRCA(ctx, inc.Key, []string{"bo"}, &r.Version)
		if err != nil {
			t.Fatal(err)
		}
		reviewer := incident.WithActor(ctx, incident.Actor{Name: "bo"})
		if r, err = a.ApproveRCA(reviewer, inc.Key, "", "", nil); err != nil {
			t.Fatal(err)
		}
		_, err = a.PublishRCA(ctx, inc.Key, &r.Version)
		var v *incident.ValidationError
		if !errors.As(err, &v) {
			t.Fatalf("publishing the bare scaffold: err = %v", err)
		}
		var unfilled []string
		for f := range v.Fields {
			unfilled = append(unfilled, f)
		}
		sort.Strings(unfilled)
		want := []string{"sections[corrective-actions]", "sections[event-description]", "sections[root-causes]", "sections[timeline]"}
		if len(unfilled) != len(want) {
			t.Fatalf("unfilled = %v, want %v", unfilled, want)
		}
		for i := range want {
			if unfilled[i] != want[i] {
				t.Fatalf("unfilled = %v, want %v", unfilled, want)
			}
		}

		// Record what the blocks show and write the description.
		res, err := a.AppendTimeline(ctx, inc.Key, []incident.TimelineEvent{{OccurredAt: t0.Add(time.Minute), Body: "5xx spike", KeyEvent: true}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateRootCause(ctx, inc.Key, incident.RootCause{Category: incident.CategoryDeploy, Description: "Bad deploy", EvidenceEventIDs: []int64{res.Added[0].ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "Canary deploys"}); err != nil {
			t.Fatal(err)
		}
		r, _ = a.RCA(ctx, inc.Key)
		for i := range r.Sections {
			if r.Sections[i].Key == "event-description" {
				r.Sections[i].Body = "Checkout failed for 20 minutes."
			}
		}
		if r, err = a.SaveRCA(ctx, inc.Key, r); err != nil {
			t.Fatal(err)
		}
		if r.Reviewers[0].State != incident.ReviewRequested {
			t.Fatalf("the edit must dismiss the approval: %+v", r.Reviewers)
		}
		if r, err = a.ApproveRCA(reviewer, inc.Key, "", "", nil); err != nil {
			t.Fatal(err)
		}
		if r, err = a.PublishRCA(ctx, inc.Key, &r.Version); err != nil {
			t.Fatalf("publish after writing: %v", err)
		}
		if r.Status != incident.RCAPublished {
			t.Fatalf("status = %s", r.Status)
		}
	})
}

func TestApp_SaveRCAGuards(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustIncident(t, a)
		r, err := a.CreateRCAFromTemplate(ctx, inc.Key, "essentials")
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			rca   incident.RCA
			check func(error) bool
		}{
			{name: "dropping a required section", rca: incident.RCA{Version: r.Version, Sections: r.Sections[1:]},
				check: func(err error) bool {
					var v *incident.ValidationError
					return errors.As(err, &v) && v.Fields["sections"] != ""
				}},
			{name: "unknown template", rca: incident.RCA{Version: r.Version, Template: "nope", Sections: r.Sections},
				check: func(err error) bool {
					var v *incident.ValidationError
					return errors.As(err, &v) && v.Fields["template"] != ""
				}},
			{name: "section over the limit", rca: incident.RCA{Version: r.Version, Sections: []incident.Section{{Title: "x", Body: strings.Repeat("a", incident.MaxBody+1)}}},
				check: func(err error) bool {
					var tl *incident.TooLargeError
					return errors.As(err, &tl) && tl.Field == "sections[0].body"
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := a.SaveRCA(ctx, inc.Key, tt.rca); !tt.check(err) {
					t.Fatalf("err = %v", err)
				}
				if got, _ := a.RCA(ctx, inc.Key); got.Version != r.Version {
					t.Fatal("a refused save must write nothing")
				}
			})
		}
	})
}
