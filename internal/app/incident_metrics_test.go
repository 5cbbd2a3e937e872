package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestApp_IncidentMetrics checks the dashboard through the app: the clock
// and the default of 14 days decide which resolved incidents miss their RCA
// (15 days ago does, 13 does not), and a restricted incident is counted
// only for a viewer it is open to.
func TestApp_IncidentMetrics(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
			ctx := context.Background()
			a := clockedApp(t, dialect, func() time.Time { return now })
			at := func(d int) *time.Time { v := time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC); return &v }
			for _, in := range []incident.Incident{
				{Title: "old", Severity: incident.SEV2, StartedAt: at(4), ResolvedAt: at(5)},
				{Title: "recent", Severity: incident.SEV2, StartedAt: at(6), ResolvedAt: at(7)},
				{Title: "secret", Severity: incident.SEV1, StartedAt: at(1), ResolvedAt: at(2),
					Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"security"}},
			} {
				if _, err := a.CreateIncident(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			outsider := app.WithViewer(ctx, incident.Viewer{Principals: []string{"ops"}})
			m, err := a.IncidentMetrics(outsider, incident.IncidentMetricsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.PerMonth) != 1 || m.PerMonth[0].Count != 2 || m.PerMonth[0].BySeverity["SEV1"] != 0 {
				t.Errorf("per month = %+v", m.PerMonth)
			}
			if r := m.WithoutPublishedRCA; r.Count != 1 || r.Items[0].Title != "old" || r.Items[0].Days != 15 {
				t.Errorf("without rca = %+v", r)
			}
			if p := m.BySeverity["SEV2"].ToResolve; p.Count != 2 || *p.P50 != 86400 || *p.P90 != 86400 {
				t.Errorf("SEV2 time to resolve = %+v", p)
			}
			member := app.WithViewer(ctx, incident.Viewer{Principals: []string{"Security"}})
			if m, err := a.IncidentMetrics(member, incident.IncidentMetricsFilter{}); err != nil || m.PerMonth[0].Count != 3 ||
				m.WithoutPublishedRCA.Count != 2 || m.WithoutPublishedRCA.Items[0].Title != "secret" {
				t.Errorf("member = %+v, %v", m, err)
			}
			day := func(d int) *incident.Date { return &incident.Date{Year: 2026, Month: 3, Day: d} }
			var verr *incident.ValidationError
			if _, err := a.IncidentMetrics(outsider, incident.IncidentMetricsFilter{From: day(5), To: day(4)}); !errors.As(err, &verr) {
				t.Errorf("to before from: err = %v", err)
			}
			if _, err := a.IncidentMetrics(outsider, incident.IncidentMetricsFilter{RCADays: -1}); !errors.As(err, &verr) {
				t.Errorf("negative rca days: err = %v", err)
			}
		})
	}
}
