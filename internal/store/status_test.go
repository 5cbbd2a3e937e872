package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func stTime(day, hour int) time.Time { return time.Date(2026, 1, day, hour, 0, 0, 0, time.UTC) }

func stPtr(t time.Time) *time.Time { return &t }

// createStatusIncident stores inc as it is, without the app's validation,
// so the store's own guard (public AND internal) is what is tested.
func createStatusIncident(t *testing.T, s *store.Store, inc incident.Incident) incident.Incident {
	t.Helper()
	inc.Normalize()
	if err := s.CreateIncident(context.Background(), &inc); err != nil {
		t.Fatalf("create %q: %v", inc.Title, err)
	}
	return inc
}

func TestStore_StatusPageIncidents(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		pub := createStatusIncident(t, s, incident.Incident{
			Title: "internal title: db-7 disk full", Summary: "internal summary", Status: incident.StatusResolved,
			Services: []string{"API", "billing-db"}, Public: true, PublicTitle: "API errors",
			PublicSummary: "Some requests failed.", PublicImpact: incident.ImpactMajorOutage,
			StartedAt: stPtr(stTime(1, 10)), MitigatedAt: stPtr(stTime(1, 11)), ResolvedAt: stPtr(stTime(1, 12)),
			ImpactStartedAt: stPtr(stTime(1, 10)), ImpactEndedAt: stPtr(stTime(1, 11)),
		})
		restricted := createStatusIncident(t, s, incident.Incident{
			Title: "restricted secret", Status: incident.StatusOpen, Visibility: incident.VisibilityRestricted,
			RestrictedTo: []string{"sec"}, Public: true, PublicTitle: "restricted public title", PublicImpact: incident.ImpactMajorOutage,
			StartedAt: stPtr(stTime(2, 0)),
		})
		private := createStatusIncident(t, s, incident.Incident{Title: "not public", Status: incident.StatusOpen, StartedAt: stPtr(stTime(3, 0)),
			PublicTitle: "draft public title", PublicImpact: incident.ImpactDegraded})
		open := createStatusIncident(t, s, incident.Incident{Title: "open one", Status: incident.StatusOpen, Public: true,
			PublicTitle: "Slow logins", PublicImpact: incident.ImpactDegraded, StartedAt: stPtr(stTime(4, 0))})

		got, err := s.Incident(ctx, pub.ID)
		if err != nil || !got.Public || got.PublicTitle != "API errors" || got.PublicImpact != incident.ImpactMajorOutage ||
			!got.ImpactEndedAt.Equal(stTime(1, 11)) {
			t.Fatalf("round trip = %+v, %v", got, err)
		}
		// Unpublishing keeps what was written.
		upd := got
		upd.Public = false
		got, err = s.UpdateIncident(ctx, upd, got.Version, []string{"public"})
		if err != nil || got.Public || got.PublicTitle != "API errors" {
			t.Fatalf("unpublish = %+v, %v", got, err)
		}
		got.Public = true
		if got, err = s.UpdateIncident(ctx, got, got.Version, []string{"public"}); err != nil || !got.Public {
			t.Fatalf("publish = %+v, %v", got, err)
		}

		hist, total, err := s.PublicIncidentHistory(ctx, 0, 10)
		if err != nil || total != 2 || len(hist) != 2 || hist[0].ID != open.ID || hist[1].ID != pub.ID {
			t.Fatalf("history = %+v (total %d), %v", hist, total, err)
		}
		h := hist[1]
		if h.Title != "API errors" || h.Summary != "Some requests failed." || h.Slug != incident.PublicSlug(pub.ID, pub.CreatedAt) || len(h.Services) != 2 ||
			h.Status != incident.StatusResolved || h.ReportPublishedAt != nil {
			t.Errorf("public incident = %+v", h)
		}
		if from, to := h.Window(stTime(9, 0)); !from.Equal(stTime(1, 10)) || !to.Equal(stTime(1, 11)) {
			t.Errorf("window = %v .. %v", from, to)
		}
		page2, _, err := s.PublicIncidentHistory(ctx, 1, 10)
		if err != nil || len(page2) != 1 || page2[0].ID != pub.ID {
			t.Errorf("offset 1 = %+v, %v", page2, err)
		}

		for _, slug := range []string{incident.PublicSlug(restricted.ID, restricted.CreatedAt), incident.PublicSlug(private.ID, private.CreatedAt),
			incident.PublicSlug(99, pub.CreatedAt), "INC-1", "nonsense", ""} {
			if _, err := s.PublicIncidentBySlug(ctx, slug); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("PublicIncidentBySlug(%s) = %v, want not found", slug, err)
			}
		}
		if p, err := s.PublicIncidentBySlug(ctx, h.Slug); err != nil || p.ID != pub.ID || p.Slug != h.Slug {
			t.Errorf("PublicIncidentBySlug(%s) = %+v, %v", h.Slug, p, err)
		}
		if _, err := s.PublicIncidentByID(ctx, private.ID); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("PublicIncidentByID(private) = %v", err)
		}

		// Since the 3rd: the open one (not resolved) only; the 1st ended before.
		since, err := s.PublicIncidentsSince(ctx, stTime(3, 0))
		if err != nil || len(since) != 1 || since[0].ID != open.ID {
			t.Errorf("since 3rd = %+v, %v", since, err)
		}
		since, err = s.PublicIncidentsSince(ctx, stTime(1, 0))
		if err != nil || len(since) != 2 {
			t.Errorf("since 1st = %+v, %v", since, err)
		}

		// A published RCA makes a report entry.
		rca := incident.RCA{IncidentID: pub.ID, Template: "basic", Status: incident.RCADraft}
		if err := s.CreateRCA(ctx, &rca); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRCAPublished(ctx, rca.ID, stTime(5, 0), "ed"); err != nil {
			t.Fatal(err)
		}
		reps, err := s.PublicReports(ctx, 10)
		if err != nil || len(reps) != 1 || reps[0].ID != pub.ID || !reps[0].ReportPublishedAt.Equal(stTime(5, 0)) {
			t.Errorf("reports = %+v, %v", reps, err)
		}
	})
}

func TestStore_IncidentUpdates(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		pub := createStatusIncident(t, s, incident.Incident{Title: "a", Public: true, PublicTitle: "A", PublicImpact: incident.ImpactDegraded})
		private := createStatusIncident(t, s, incident.Incident{Title: "b"})
		post := func(incID int64, st incident.UpdateStatus, at time.Time) incident.IncidentUpdate {
			u := incident.IncidentUpdate{IncidentID: incID, Status: st, Body: string(st) + " body", PostedAt: at, Author: "ed", ETA: stPtr(at.Add(time.Hour))}
			if err := s.CreateIncidentUpdate(ctx, &u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		first := post(pub.ID, incident.UpdateInvestigating, stTime(1, 1))
		second := post(pub.ID, incident.UpdateIdentified, stTime(1, 2))
		post(private.ID, incident.UpdateMonitoring, stTime(1, 3))

		list, err := s.IncidentUpdates(ctx, pub.ID)
		if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID ||
			!list[0].ETA.Equal(stTime(1, 3)) || list[0].Author != "ed" || list[0].Body != "identified body" {
			t.Fatalf("updates = %+v, %v", list, err)
		}
		latest, err := s.LatestIncidentUpdates(ctx, []int64{pub.ID, private.ID})
		if err != nil || latest[pub.ID].ID != second.ID || latest[private.ID].Status != incident.UpdateMonitoring {
			t.Errorf("latest = %+v, %v", latest, err)
		}
		feed, err := s.PublicIncidentUpdates(ctx, 10)
		if err != nil || len(feed) != 2 || feed[0].ID != second.ID {
			t.Errorf("public updates = %+v, %v (the private incident's must not be there)", feed, err)
		}
		if err := s.DeleteIncidentUpdate(ctx, private.ID, first.ID); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("delete through the wrong incident = %v, want not found", err)
		}
		if err := s.DeleteIncidentUpdate(ctx, pub.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IncidentUpdate(ctx, pub.ID, first.ID); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("deleted update = %v", err)
		}
		bad := incident.IncidentUpdate{IncidentID: 999, Status: incident.UpdateResolved, Body: "x", PostedAt: stTime(1, 1)}
		if err := s.CreateIncidentUpdate(ctx, &bad); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("update of a missing incident = %v, want not found", err)
		}
	})
}

func TestStore_ReplaceStatusServices(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		replace := func(list ...incident.StatusService) []incident.StatusService {
			t.Helper()
			var out []incident.StatusService
			err := s.InTx(ctx, func(tx *store.Store) error {
				var err error
				out, err = tx.ReplaceStatusServices(ctx, incident.NormalizeStatusServices(list))
				return err
			})
			if err != nil {
				t.Fatalf("replace: %v", err)
			}
			return out
		}
		first := replace(incident.StatusService{Name: "api", DisplayName: "API"}, incident.StatusService{Name: "web"})
		if len(first) != 2 || first[0].Name != "api" || first[1].DisplayName != "web" {
			t.Fatalf("first = %+v", first)
		}
		second := replace(incident.StatusService{Name: "Web", DisplayName: "Website", Description: "www"}, incident.StatusService{Name: "jobs"})
		if len(second) != 2 || second[0].ID != first[1].ID || second[0].Name != "Web" || second[0].Description != "www" ||
			second[1].Name != "jobs" || second[0].Position != 0 {
			t.Fatalf("second = %+v", second)
		}
		if got := replace(); len(got) != 0 {
			t.Fatalf("empty = %+v", got)
		}
	})
}
