package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestDashboard_NotLoadedAnswersFromSQL checks the App's two ways around
// the projection: one not loaded yet answers what SQL answers (dashboards
// and monthly report), and a request gone away gets its context's error
// rather than a second try in SQL.
func TestDashboard_NotLoadedAnswersFromSQL(t *testing.T) {
	clock := dashNow
	s := openDashStore(t, "sqlite", dashTarget(t, "sqlite"), &clock)
	genDashData(t, s, &clock, rand.New(rand.NewPCG(3, 7)), 40)
	now := func() time.Time { return dashNow }
	sqlApp := app.New(s, app.Options{Now: now, Location: time.UTC})
	dash := dashboard.New(s, nil) // never loaded
	idle := app.New(s, app.Options{Now: now, Location: time.UTC, Dashboard: dash})
	if dash.Ready() {
		t.Fatal("a projection never loaded says it is ready")
	}
	ctx := app.WithViewer(context.Background(), incident.Viewer{Principals: []string{"group-a"}})
	same := func(name string, f func(a *app.App) (any, error)) {
		t.Helper()
		want, err := f(sqlApp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f(idle)
		if err != nil {
			t.Fatalf("%s, projection not loaded: %v", name, err)
		}
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if string(wj) != string(gj) {
			t.Errorf("%s, projection not loaded:\n got %s\nwant %s", name, gj, wj)
		}
	}
	same("actions", func(a *app.App) (any, error) { return a.ActionMetrics(ctx, incident.ActionMetricsFilter{}) })
	same("incidents", func(a *app.App) (any, error) { return a.IncidentMetrics(ctx, incident.IncidentMetricsFilter{}) })
	same("monthly report", func(a *app.App) (any, error) { return a.MonthlyReport(ctx, "2026-10") })

	if err := dash.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := idle.ActionMetrics(gone, incident.ActionMetricsFilter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("actions for a request gone away: %v, want context.Canceled", err)
	}
	if _, err := idle.IncidentMetrics(gone, incident.IncidentMetricsFilter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("incidents for a request gone away: %v, want context.Canceled", err)
	}
}
