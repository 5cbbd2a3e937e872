package app_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// now in these tests is t0 + 4 days (see testApp).
var statusNow = t0.Add(96 * time.Hour)

func mustPublic(t *testing.T, a *app.App, in incident.Incident) incident.Incident {
	t.Helper()
	inc, err := a.CreateIncident(context.Background(), in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	return inc
}

func TestApp_StatusPage(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		if _, err := a.ReplaceStatusServices(ctx, []incident.StatusService{{Name: "api", DisplayName: "API"}, {Name: "web"}, {Name: "jobs"}}); err != nil {
			t.Fatal(err)
		}
		// Two overlapping outages on api: 2 h major inside 4 h partial.
		mustPublic(t, a, incident.Incident{Title: "internal a", Services: []string{"api"}, Status: incident.StatusResolved,
			StartedAt: ptr(t0), ResolvedAt: ptr(t0.Add(4 * time.Hour)), Public: true, PublicTitle: "A", PublicImpact: incident.ImpactPartialOutage})
		mustPublic(t, a, incident.Incident{Title: "internal b", Services: []string{"API", "web"}, Status: incident.StatusResolved,
			StartedAt: ptr(t0.Add(time.Hour)), MitigatedAt: ptr(t0.Add(3 * time.Hour)), ResolvedAt: ptr(t0.Add(8 * time.Hour)),
			Public: true, PublicTitle: "B", PublicImpact: incident.ImpactMajorOutage})
		// Open and ongoing on web; restricted and private ones count for nothing.
		open := mustPublic(t, a, incident.Incident{Title: "internal c", Services: []string{"web"}, StartedAt: ptr(statusNow.Add(-time.Hour)),
			Public: true, PublicTitle: "C", PublicImpact: incident.ImpactPartialOutage})
		mustPublic(t, a, incident.Incident{Title: "secret", Services: []string{"jobs"}, StartedAt: ptr(t0),
			Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"sec"}})
		mustPublic(t, a, incident.Incident{Title: "private", Services: []string{"jobs"}, StartedAt: ptr(t0),
			PublicTitle: "not yet", PublicImpact: incident.ImpactMajorOutage})
		if _, err := a.CreateIncidentUpdate(incident.WithActor(ctx, incident.Actor{Name: "ed"}), open.Key,
			incident.IncidentUpdate{Status: incident.UpdateInvestigating, Body: "Looking"}); err != nil {
			t.Fatal(err)
		}

		p, err := a.StatusPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.Overall != incident.ImpactPartialOutage || len(p.Active) != 1 || p.Active[0].Title != "C" ||
			p.Active[0].Latest == nil || p.Active[0].Latest.Body != "Looking" || p.Active[0].Latest.Author != "ed" {
			t.Fatalf("page = %+v", p)
		}
		if len(p.Recent) != 2 || p.Recent[0].Title != "B" || p.Recent[1].Title != "A" {
			t.Errorf("recent = %+v", p.Recent)
		}
		for _, v := range append(p.Recent, p.Active...) {
			if v.Services != nil {
				t.Errorf("%s carries its internal service labels: %v", v.Title, v.Services)
			}
		}
		svc := map[string]app.ServiceStatus{}
		for _, s := range p.Services {
			svc[s.Name] = s
		}
		// api: major 1..3 h, partial 0..1 and 3..4 h → 2 + 0.3·2 = 2.6 h down.
		want30 := 1 - 2.6/(30*24)
		if s := svc["api"]; s.Current != "" || math.Abs(s.Availability30-want30) > 1e-9 || len(s.Days) != app.StatusHistoryDays ||
			s.Days[len(s.Days)-5].Worst != incident.ImpactMajorOutage {
			t.Errorf("api = %+v (want 30-day %.6f)", s, want30)
		}
		// web: B (major 2 h) and the open C (partial 1 h so far).
		if s := svc["web"]; s.Current != incident.ImpactPartialOutage || math.Abs(s.Availability90-(1-2.3/(90*24))) > 1e-9 ||
			s.Days[len(s.Days)-1].Worst != incident.ImpactPartialOutage {
			t.Errorf("web = %+v", s)
		}
		if s := svc["jobs"]; s.Current != "" || s.Availability30 != 1 || s.Availability90 != 1 {
			t.Errorf("jobs (restricted and private incidents only) = %+v", s)
		}
	})
}

func TestApp_PublicIncidentReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustPublic(t, a, incident.Incident{Title: "db-7 INTERNAL", Services: []string{"api"}, StartedAt: ptr(t0),
			Public: true, PublicTitle: "API errors", PublicImpact: incident.ImpactMajorOutage})
		if _, err := a.SaveRCA(ctx, inc.Key, incident.RCA{Sections: []incident.Section{
			{Key: "what", Title: "What happened", Audience: incident.AudiencePublic, Body: "PUBLIC text"},
			{Key: "cs", Title: "CS", Audience: incident.AudienceCustomerSuccess, Body: "CS text"},
			{Key: "why", Title: "Why", Audience: incident.AudienceInternal, Body: "INTERNAL text"},
		}}); err != nil {
			t.Fatal(err)
		}
		// A draft RCA shows nothing.
		p, err := a.PublicIncident(ctx, incident.PublicSlug(inc.ID, inc.CreatedAt))
		if err != nil || len(p.Report) != 0 || p.Incident.Title != "API errors" {
			t.Fatalf("draft: %+v, %v", p, err)
		}
		r, err := a.RCA(ctx, inc.Key)
		if err != nil {
			t.Fatal(err)
		}
		r, err = a.SubmitRCA(ctx, inc.Key, []string{"bo"}, &r.Version)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = a.ApproveRCA(incident.WithActor(ctx, incident.Actor{Name: "bo"}), inc.Key, "", "", nil); err != nil {
			t.Fatal(err)
		}
		if _, err = a.PublishRCA(ctx, inc.Key, &r.Version); err != nil {
			t.Fatal(err)
		}
		p, err = a.PublicIncident(ctx, incident.PublicSlug(inc.ID, inc.CreatedAt))
		if err != nil || len(p.Report) != 1 || p.Report[0].Title != "What happened" || !strings.Contains(p.Report[0].HTML, "PUBLIC text") {
			t.Fatalf("published: %+v, %v", p.Report, err)
		}
		// Amending keeps the published text public while the draft changes.
		if r, err = a.RCA(ctx, inc.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := a.AmendRCA(ctx, inc.Key, "typo", &r.Version); err != nil {
			t.Fatal(err)
		}
		cur, _ := a.RCA(ctx, inc.Key)
		cur.Sections[0].Body = "DRAFT amendment"
		if _, err := a.SaveRCA(ctx, inc.Key, cur); err != nil {
			t.Fatal(err)
		}
		p, err = a.PublicIncident(ctx, incident.PublicSlug(inc.ID, inc.CreatedAt))
		if err != nil || len(p.Report) != 1 || !strings.Contains(p.Report[0].HTML, "PUBLIC text") || strings.Contains(p.Report[0].HTML, "DRAFT") {
			t.Fatalf("amending: %+v, %v", p.Report, err)
		}
		// Unpublished from the status page: not found, like a missing one.
		if _, err := a.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Public: incident.Some(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.PublicIncident(ctx, incident.PublicSlug(inc.ID, inc.CreatedAt)); !errors.Is(err, incident.ErrNotFound) {
			t.Fatalf("unpublished: %v", err)
		}
	})
}

func TestApp_StatusVisibilityRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc := mustPublic(t, a, incident.Incident{Title: "x", Public: true, PublicTitle: "X", PublicImpact: incident.ImpactDegraded})
		restrict := incident.IncidentPatch{Visibility: incident.Some(incident.VisibilityRestricted), RestrictedTo: incident.Some([]string{"sec"})}
		_, err := a.UpdateIncident(ctx, inc.Key, restrict)
		var ve *incident.ValidationError
		if !errors.As(err, &ve) || ve.Fields["public"] != "a restricted incident cannot be public" {
			t.Fatalf("restricting a public incident = %v", err)
		}
		restrict.Public = incident.Some(false)
		got, err := a.UpdateIncident(ctx, inc.Key, restrict)
		if err != nil || got.Public || got.Visibility != incident.VisibilityRestricted || got.PublicTitle != "X" {
			t.Fatalf("restrict and unpublish = %+v, %v", got, err)
		}
		if _, err := a.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{Public: incident.Some(true)}); !errors.As(err, &ve) {
			t.Fatalf("publishing a restricted incident = %v", err)
		}
	})
}

func TestApp_IncidentUpdatesAudited(t *testing.T) {
	a, s := testApp(t, "sqlite", app.Options{})
	ctx := incident.WithActor(context.Background(), incident.Actor{Name: "ed"})
	inc := mustIncident(t, a)
	u, err := a.CreateIncidentUpdate(ctx, inc.Key, incident.IncidentUpdate{Status: incident.UpdateMonitoring, Body: "Watching"})
	if err != nil || u.Author != "ed" || !u.PostedAt.Equal(statusNow) {
		t.Fatalf("create = %+v, %v", u, err)
	}
	tl, err := a.Timeline(ctx, inc.Key, incident.TimelineFilter{Sources: []string{app.SourceStatusPage}})
	if err != nil || len(tl.Items) != 1 || tl.Items[0].Body != "Customer update (monitoring): Watching" ||
		tl.Items[0].Kind != incident.KindStatus || tl.Items[0].Actor != "ed" || !tl.Items[0].OccurredAt.Equal(statusNow) ||
		tl.Items[0].ExternalID != "update-"+strconv.FormatInt(u.ID, 10) {
		t.Fatalf("timeline = %+v, %v", tl.Items, err)
	}
	if err := a.DeleteIncidentUpdate(ctx, inc.Key, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteIncidentUpdate(ctx, inc.Key, u.ID); !errors.Is(err, incident.ErrNotFound) {
		t.Fatalf("delete again = %v", err)
	}
	entries, err := s.AuditLog(ctx, incident.AuditFilter{Action: "incident_update.", Limit: 10})
	if err != nil || len(entries) != 2 || !strings.Contains(entries[0].Detail+entries[1].Detail, "Watching") {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
}

// TestApp_ImpactWindowStable: a public incident closed without an end time
// cannot be published, and editing a published one later never moves its
// impact window (it used to end at updated_at).
func TestApp_ImpactWindowStable(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	a, _ := testApp(t, "sqlite", app.Options{Now: func() time.Time { return now }})
	ctx := incident.WithActor(context.Background(), incident.Actor{Name: "ed"})
	if _, err := a.ReplaceStatusServices(ctx, []incident.StatusService{{Name: "api"}}); err != nil {
		t.Fatal(err)
	}
	started := now.Add(-time.Hour)
	in := incident.Incident{Title: "x", Status: incident.StatusResolved, Services: []string{"api"},
		StartedAt: &started, Public: true, PublicTitle: "API down", PublicImpact: incident.ImpactMajorOutage}
	_, err := a.CreateIncident(ctx, in)
	var ve *incident.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["impact_ended_at"], "is required for a public incident that is resolved") {
		t.Fatalf("publishing a resolved incident without an end = %v", err)
	}
	in.ResolvedAt = &now
	inc, err := a.CreateIncident(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := a.StatusPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * 24 * time.Hour)
	if _, err := a.UpdateIncident(ctx, inc.Key, incident.IncidentPatch{PublicSummary: incident.Some("We fixed it."), Version: &inc.Version}); err != nil {
		t.Fatal(err)
	}
	p2, err := a.StatusPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The same hour of outage, seen from 10 days later: the 30-day figure is unchanged.
	if want := 1 - 1.0/(30*24); math.Abs(p1.Services[0].Availability30-want) > 1e-9 || math.Abs(p2.Services[0].Availability30-want) > 1e-9 {
		t.Fatalf("availability30 %.6f then %.6f, want %.6f both times", p1.Services[0].Availability30, p2.Services[0].Availability30, want)
	}
}

// TestApp_ReportOnlyWithPublicSections: an RCA published without any
// public section is not announced as a public report.
func TestApp_ReportOnlyWithPublicSections(t *testing.T) {
	a, s := testApp(t, "sqlite", app.Options{})
	ctx := context.Background()
	inc := mustPublic(t, a, incident.Incident{Title: "x", Status: incident.StatusResolved, StartedAt: ptr(t0), ResolvedAt: ptr(t0.Add(time.Hour)),
		Public: true, PublicTitle: "Internal-only report", PublicImpact: incident.ImpactDegraded})
	rca := incident.RCA{IncidentID: inc.ID, Template: "custom", Status: incident.RCAPublished, Sections: []incident.Section{
		{Key: "why", Title: "Why", Audience: incident.AudienceInternal, Body: "INTERNAL"},
		{Key: "empty", Title: "For customers", Audience: incident.AudiencePublic, Body: "  "},
	}}
	if err := s.CreateRCA(ctx, &rca); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRCAPublished(ctx, rca.ID, t0.Add(2*time.Hour), "ed"); err != nil {
		t.Fatal(err)
	}
	feed, err := a.PublicFeed(ctx)
	if err != nil || len(feed.Reports) != 0 {
		t.Fatalf("feed reports = %+v, %v", feed.Reports, err)
	}
	p, err := a.StatusPage(ctx)
	if err != nil || len(p.Recent) != 1 || p.Recent[0].ReportPublishedAt != nil {
		t.Fatalf("recent = %+v, %v", p.Recent, err)
	}
	page, err := a.PublicIncident(ctx, incident.PublicSlug(inc.ID, inc.CreatedAt))
	if err != nil || page.Incident.ReportPublishedAt != nil || len(page.Report) != 0 {
		t.Fatalf("incident page = %+v, %v", page, err)
	}
}
