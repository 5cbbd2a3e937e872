package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// seedMonthlyReport builds a small history on a moving clock: two visible
// October incidents (one with a published RCA), one restricted October
// incident, one in September and one in November; actions created and
// closed across the months. It leaves the clock on 2026-11-10.
func seedMonthlyReport(t *testing.T, a *app.App, now *time.Time) {
	t.Helper()
	ctx := context.Background()
	at := func(m time.Month, d, h int) *time.Time { v := time.Date(2026, m, d, h, 0, 0, 0, time.UTC); return &v }
	day := func(m time.Month, d int) *incident.Date { return &incident.Date{Year: 2026, Month: m, Day: d} }
	mk := func(in incident.Incident) incident.Incident {
		t.Helper()
		inc, err := a.CreateIncident(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	act := func(key string, in incident.CorrectiveAction) incident.CorrectiveAction {
		t.Helper()
		out, err := a.CreateAction(ctx, key, in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	closeAs := func(id int64, s incident.ActionStatus) {
		t.Helper()
		if _, err := a.UpdateAction(ctx, id, incident.ActionPatch{Status: incident.Some(s)}); err != nil {
			t.Fatal(err)
		}
	}

	*now = *at(9, 12, 9)
	sep := mk(incident.Incident{Title: "Queue backlog", Severity: incident.SEV3, StartedAt: at(9, 10, 8), ResolvedAt: at(9, 10, 12)})
	late := act(sep.Key, incident.CorrectiveAction{Title: "Alert on lag", DueDate: day(10, 1)})

	*now = *at(10, 6, 9)
	a1 := mk(incident.Incident{Title: "Checkout down", Severity: incident.SEV1, Services: []string{"checkout"},
		StartedAt: at(10, 3, 10), DetectedAt: at(10, 3, 10), ResolvedAt: at(10, 3, 12)})
	mk(incident.Incident{Title: "Pipe | and *stars*", Severity: incident.SEV2, Services: []string{"search"},
		StartedAt: at(10, 20, 1), ResolvedAt: at(10, 20, 2)})
	mk(incident.Incident{Title: "Secret breach", Severity: incident.SEV1, StartedAt: at(10, 21, 1), ResolvedAt: at(10, 21, 3),
		Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"security"}})
	mk(incident.Incident{Title: "November", Severity: incident.SEV4, StartedAt: at(11, 2, 1)})
	act(a1.Key, incident.CorrectiveAction{Title: "Canary deploys", Owner: "ana", Team: "sre", DueDate: day(10, 10)})
	onTime := act(a1.Key, incident.CorrectiveAction{Title: "Runbook", DueDate: day(10, 9)})
	gaveUp := act(a1.Key, incident.CorrectiveAction{Title: "Rewrite it"})

	*now = *at(10, 7, 9)
	closeAs(late.ID, incident.ActionDone) // September's, closed in October after its due date
	*now = *at(10, 8, 9)
	closeAs(onTime.ID, incident.ActionDone)
	closeAs(gaveUp.ID, incident.ActionWontDo)

	*now = *at(10, 15, 9)
	publishRCA(t, a, a1.Key)

	*now = *at(11, 10, 9)
}

// publishRCA writes and publishes the essentials RCA of key (reviewed by bo).
func publishRCA(t *testing.T, a *app.App, key string) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.AppendTimeline(ctx, key, []incident.TimelineEvent{{OccurredAt: t0, Body: "5xx spike", KeyEvent: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateRootCause(ctx, key, incident.RootCause{Category: incident.CategoryConfigChange, Description: "Bad flag"}); err != nil {
		t.Fatal(err)
	}
	r, err := a.CreateRCAFromTemplate(ctx, key, "essentials")
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Sections {
		if r.Sections[i].Key == "event-description" {
			r.Sections[i].Body = "Checkout failed."
		}
	}
	if r, err = a.SaveRCA(ctx, key, r); err != nil {
		t.Fatal(err)
	}
	if r, err = a.SubmitRCA(ctx, key, []string{"bo"}, &r.Version); err != nil {
		t.Fatal(err)
	}
	if r, err = a.ApproveRCA(as("bo"), key, "", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err = a.PublishRCA(ctx, key, &r.Version); err != nil {
		t.Fatal(err)
	}
}

// TestApp_MonthlyReport composes October for a viewer who may not see the
// restricted incident, and checks every block against the seeded history,
// then the same month for a member of the restricted group, and bad months.
func TestApp_MonthlyReport(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			var now time.Time
			a := clockedApp(t, dialect, func() time.Time { return now })
			seedMonthlyReport(t, a, &now)
			outsider := app.WithViewer(context.Background(), incident.Viewer{Principals: []string{"ops"}})
			r, err := a.MonthlyReport(outsider, "2026-10")
			if err != nil {
				t.Fatal(err)
			}
			if r.Month != "2026-10" || r.Previous != "2026-09" || r.From.String() != "2026-10-01" || r.To.String() != "2026-10-31" {
				t.Errorf("month = %s %s..%s prev %s", r.Month, r.From, r.To, r.Previous)
			}
			inc := r.Incidents
			if inc.Count != 2 || inc.BySeverity["SEV1"] != 1 || inc.BySeverity["SEV2"] != 1 || inc.BySeverity["SEV4"] != 0 {
				t.Errorf("incidents = %+v", inc)
			}
			if len(inc.Items) != 2 || inc.Items[0].Title != "Checkout down" || inc.Items[0].DurationSeconds == nil ||
				*inc.Items[0].DurationSeconds != 7200 || inc.Items[1].Severity != incident.SEV2 {
				t.Errorf("items = %+v", inc.Items)
			}
			if len(inc.TopServices) != 2 {
				t.Errorf("top services = %+v", inc.TopServices)
			}
			resolve := r.TimeToX[3]
			if resolve.Metric != "time_to_resolve" || resolve.This.Count != 2 || *resolve.This.P50 != 3600 || *resolve.This.P90 != 7200 ||
				resolve.Previous.Count != 1 || *resolve.Previous.P50 != 4*3600 {
				t.Errorf("time to resolve = %+v", resolve)
			}
			if d := r.TimeToX[0]; d.This.Count != 1 || d.Previous.Count != 0 || d.Previous.P50 != nil {
				t.Errorf("time to detect = %+v", d)
			}
			if r.RCAs.Published != 1 || r.RCAs.OfMonthPublished != 1 || r.RCAs.Missing.Count != 1 || r.RCAs.Missing.Items[0].Title != "Pipe | and *stars*" {
				t.Errorf("rcas = %+v", r.RCAs)
			}
			if len(r.TopRootCauseCategories) != 1 || r.TopRootCauseCategories[0].Key != string(incident.CategoryConfigChange) {
				t.Errorf("root causes = %+v", r.TopRootCauseCategories)
			}
			ac := r.Actions
			if ac.Created != 3 || ac.ClosedDone != 2 || ac.ClosedWontDo != 1 {
				t.Errorf("actions created %d, done %d, won't do %d", ac.Created, ac.ClosedDone, ac.ClosedWontDo)
			}
			if p := ac.CompletionWithinPolicy; p.Done != 2 || p.OnTime != 1 || p.Share == nil || *p.Share != 0.5 {
				t.Errorf("policy = %+v", p)
			}
			if ac.OverdueNow != 1 || len(ac.OldestOverdue) != 1 || ac.OldestOverdue[0].Title != "Canary deploys" || ac.OldestOverdue[0].DaysOverdue != 31 {
				t.Errorf("overdue = %d %+v", ac.OverdueNow, ac.OldestOverdue)
			}

			member := app.WithViewer(context.Background(), incident.Viewer{Principals: []string{"security"}})
			if m, err := a.MonthlyReport(member, "2026-10"); err != nil || m.Incidents.Count != 3 || m.RCAs.Missing.Count != 2 {
				t.Errorf("member: count %d, missing %d, err %v", m.Incidents.Count, m.RCAs.Missing.Count, err)
			}
			if def, err := a.MonthlyReport(outsider, ""); err != nil || def.Month != "2026-10" || def.Incidents.Count != 2 {
				t.Errorf("default month = %s, %v", def.Month, err)
			}
			if empty, err := a.MonthlyReport(outsider, "2026-08"); err != nil || empty.Incidents.Count != 0 || empty.Incidents.Items == nil ||
				empty.TimeToX[3].This.Count != 0 {
				t.Errorf("an empty month: %+v, %v", empty, err)
			}
			for _, tt := range []struct{ name, month string }{
				{"not a month", "October"},
				{"month 13", "2026-13"},
				{"with a day", "2026-10-01"},
				{"the future", "2026-12"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					var verr *incident.ValidationError
					if _, err := a.MonthlyReport(outsider, tt.month); !errors.As(err, &verr) || verr.Fields["month"] == "" {
						t.Errorf("err = %v", err)
					}
				})
			}
		})
	}
}

// TestMonthlyReport_Render checks the Markdown and CSV shapes: user text
// cannot break a table or become markup or a spreadsheet formula, and every
// CSV block has its header and its name in the first column.
func TestMonthlyReport_Render(t *testing.T) {
	var now time.Time
	a := clockedApp(t, "sqlite", func() time.Time { return now })
	seedMonthlyReport(t, a, &now)
	r, err := a.MonthlyReport(context.Background(), "2026-10")
	if err != nil {
		t.Fatal(err)
	}
	r.Incidents.Items[0].Title = "=HYPERLINK(\"http://x\") <script>"
	md := r.Markdown()
	for _, want := range []string{
		"# Monthly review — October 2026",
		"| Pipe \\| and \\*stars\\* | SEV2 |",
		"\\<script\\>",
		"| Time to resolve | 2h 00m | 2h 00m | 3 | 4h 00m | 4h 00m | 1 |",
		"1 RCA(s) published this month. Of this month's 3 incident(s), 1 have a published RCA; 2 resolved more than 14 days ago have none.",
		"| 3 | 2 | 1 | 50% (1 of 2) |",
		"Canary deploys | ana | sre | 2026-10-10 | 31 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<script>") {
		t.Errorf("markdown keeps raw HTML:\n%s", md)
	}
	csv := string(r.CSV())
	blocks := strings.Split(strings.TrimSpace(csv), "\n\n")
	if len(blocks) != 11 {
		t.Fatalf("%d blocks:\n%s", len(blocks), csv)
	}
	for _, b := range blocks {
		lines := strings.Split(b, "\n")
		if !strings.HasPrefix(lines[0], "section,") {
			t.Errorf("block without a header: %q", b)
		}
	}
	for _, want := range []string{
		"incidents_by_severity,SEV1,2",
		`incidents,INC-2,"'=HYPERLINK(""http://x"") <script>",SEV1,`,
		"time_to_x,time_to_resolve,7200,7200,3,14400,14400,1",
		"actions,3,2,1,2,1,0.5,",
		"rcas,1,1,2,14",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}
}
