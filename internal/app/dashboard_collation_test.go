package app_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestDashboard_TiesOnANonCCollation checks the top lists' ties on a
// PostgreSQL database whose collation is not C (most production ones): SQL
// breaks them by bytes, as the projection does, not by the collation
// (which would put "ärger" before "zeta" and "ab" before "a-c").
func TestDashboard_TiesOnANonCCollation(t *testing.T) {
	ctx := context.Background()
	base := pgtest.URL(t)
	admin, err := store.Open(ctx, store.Config{DatabaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	db, err := admin.DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE dash_icu TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"); err != nil {
		admin.Close()
		t.Skipf("this PostgreSQL cannot create an ICU database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS dash_icu WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/dash_icu"
	clock := dashNow
	s := openDashStore(t, "postgres", u.String(), &clock)
	started := dashNow.Add(-24 * time.Hour)
	for _, svc := range []string{"a-c", "ab", "zeta", "ärger", "Zulu"} {
		inc := incident.Incident{Title: "x", Severity: incident.SEV2, Services: []string{svc}, StartedAt: &started,
			CreatedAt: started, Status: "open", Visibility: incident.VisibilityInternal}
		if err := s.CreateIncident(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		for _, cat := range []string{"b-x", "ba", "ärger"} {
			if err := s.CreateRootCause(ctx, &incident.RootCause{IncidentID: inc.ID, Category: incident.RootCauseCategory(cat), Description: "c"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sqlApp, projApp, _ := dashApps(t, s)
	vctx := app.WithViewer(ctx, incident.EveryIncident)
	want, err := sqlApp.IncidentMetrics(vctx, incident.IncidentMetricsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := projApp.IncidentMetrics(vctx, incident.IncidentMetricsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "incidents dashboard on an ICU database", got, want)
	var keys []string
	for _, k := range want.ByService {
		keys = append(keys, k.Key)
	}
	if len(keys) != 5 || keys[0] != "a-c" || keys[1] != "ab" || keys[4] != "ärger" {
		t.Errorf("SQL's by_service ties = %v; want byte order [a-c ab zeta zulu ärger]", keys)
	}
}
