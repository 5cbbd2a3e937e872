package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// seedIncidentMetrics creates the incidents the metrics tests count by hand
// (times UTC; offsets in seconds from the start, or from detection for the
// acknowledgement):
//
//	I1 jan-a  SEV1 api  01-05 10:00  detect 60   ack 120  mitigate 600   resolve 3600   RCA published
//	I2 jan-b  SEV3 api  01-20 10:00  detect 300  ack 60   mitigate 1200  resolve 7200   RCA draft
//	I3 mar    SEV1 web  03-10 00:00  detect 900  no ack   mitigate 1800  resolved 04-10 00:00, team Payments
//	I4 secret SEV2 api  02-15 00:00  resolved 02-16 00:00, restricted to Security, no RCA
//	I5 nostart SEV3 web no start: created 03-20 09:00, open
//	I6 jan-c  SEV1 api  01-25 00:00  detect 30   ack 30   mitigate 300   resolve 600    RCA in review
//
// Root causes: I1, I2 deploy; I3 config-change; I4 capacity twice.
// Recurrences: I6 of I1 (open), I3 of I2 (dismissed), I5 of I4 (open).
func seedIncidentMetrics(t *testing.T, s *store.Store, c *clock) []incident.Incident {
	t.Helper()
	ctx := context.Background()
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	sec := func(t time.Time, s int) *time.Time { v := t.Add(time.Duration(s) * time.Second); return &v }
	type spec struct {
		title                        string
		sev                          incident.Severity
		service                      string
		start                        *time.Time
		detect, ack, mitigate, solve int // seconds; 0: unknown
		resolved                     *time.Time
	}
	p := func(t time.Time) *time.Time { return &t }
	specs := []spec{
		{"jan-a", incident.SEV1, "api", p(at(1, 5, 10, 0)), 60, 120, 600, 3600, nil},
		{"jan-b", incident.SEV3, "api", p(at(1, 20, 10, 0)), 300, 60, 1200, 7200, nil},
		{"mar", incident.SEV1, "web", p(at(3, 10, 0, 0)), 900, 0, 1800, 0, p(at(4, 10, 0, 0))},
		{"secret", incident.SEV2, "api", p(at(2, 15, 0, 0)), 0, 0, 0, 0, p(at(2, 16, 0, 0))},
		{"nostart", incident.SEV3, "web", nil, 0, 0, 0, 0, nil},
		{"jan-c", incident.SEV1, "api", p(at(1, 25, 0, 0)), 30, 30, 300, 600, nil},
	}
	out := make([]incident.Incident, len(specs))
	for i, sp := range specs {
		in := incident.Incident{Title: sp.title, Severity: sp.sev, Services: []string{sp.service}, StartedAt: sp.start,
			ResolvedAt: sp.resolved}
		c.t = at(3, 20, 9, 0)
		if sp.start != nil {
			c.t = *sp.start
			if sp.detect > 0 {
				in.DetectedAt = sec(*sp.start, sp.detect)
			}
			if sp.ack > 0 {
				in.AcknowledgedAt = sec(*in.DetectedAt, sp.ack)
			}
			if sp.mitigate > 0 {
				in.MitigatedAt = sec(*sp.start, sp.mitigate)
			}
			if sp.solve > 0 {
				in.ResolvedAt = sec(*sp.start, sp.solve)
			}
		}
		if sp.title == "secret" {
			in.Visibility, in.RestrictedTo = incident.VisibilityRestricted, []string{"Security"}
		}
		if sp.title == "mar" {
			in.Teams = []string{"Payments"}
		}
		in.Normalize()
		out[i] = createIncident(t, s, in)
	}
	for _, r := range []struct {
		inc    int
		status incident.RCAStatus
	}{{0, incident.RCAPublished}, {1, incident.RCADraft}, {5, incident.RCAInReview}} {
		if err := s.CreateRCA(ctx, &incident.RCA{IncidentID: out[r.inc].ID, Template: "default", Status: r.status}); err != nil {
			t.Fatal(err)
		}
	}
	for _, rc := range []struct {
		inc int
		cat incident.RootCauseCategory
	}{{0, incident.CategoryDeploy}, {1, incident.CategoryDeploy}, {2, incident.CategoryConfigChange},
		{3, incident.CategoryCapacity}, {3, incident.CategoryCapacity}} {
		if err := s.CreateRootCause(ctx, &incident.RootCause{IncidentID: out[rc.inc].ID, Category: rc.cat, Description: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []struct {
		inc, past int
		dismiss   bool
	}{{5, 0, false}, {2, 1, true}, {4, 3, false}} {
		id, _, err := s.AddRecurrence(ctx, incident.Recurrence{IncidentID: out[r.inc].ID, PastIncidentID: out[r.past].ID,
			Reasons: []incident.MatchReason{}})
		if err != nil {
			t.Fatal(err)
		}
		if r.dismiss {
			if _, err := s.DismissRecurrence(ctx, id, "ana", at(4, 1, 0, 0)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

func TestStore_IncidentMetrics(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		seedIncidentMetrics(t, s, c)
		now := time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC)
		outsider := incident.Viewer{Principals: []string{"ops"}}
		f := func(mod func(*incident.IncidentMetricsFilter)) incident.IncidentMetricsFilter {
			out := incident.IncidentMetricsFilter{Now: now, RCADays: 14, Viewer: outsider}
			if mod != nil {
				mod(&out)
			}
			return out
		}
		fp := func(v float64) *float64 { return &v }
		pc := func(p50, p90 float64, n int) incident.Percentiles {
			return incident.Percentiles{P50: fp(p50), P90: fp(p90), Count: n}
		}
		none := incident.Percentiles{}
		sevs := func(sev1, sev2, sev3 int) map[string]int {
			return map[string]int{"SEV1": sev1, "SEV2": sev2, "SEV3": sev3, "SEV4": 0, "SEV5": 0}
		}
		d := func(m time.Month, day int) *incident.Date { return &incident.Date{Year: 2026, Month: m, Day: day} }

		got, err := s.IncidentMetrics(ctx, f(nil))
		if err != nil {
			t.Fatal(err)
		}
		month := 31 * 24 * 3600.0
		want := incident.IncidentMetrics{
			PerMonth: []incident.MonthMetrics{
				// January: detect 30, 60, 300 → p50 the 2nd, p90 the 3rd
				{Month: "2026-01", Count: 3, BySeverity: sevs(2, 0, 1), ByService: map[string]int{"api": 3, "web": 0}, TimeToX: incident.TimeToX{
					ToDetect: pc(60, 300, 3), ToAcknowledge: pc(60, 120, 3), ToMitigate: pc(600, 1200, 3), ToResolve: pc(3600, 7200, 3)}},
				// February has only the restricted incident: zero for an outsider
				{Month: "2026-02", Count: 0, BySeverity: sevs(0, 0, 0), ByService: map[string]int{"api": 0, "web": 0}},
				{Month: "2026-03", Count: 2, BySeverity: sevs(1, 0, 1), ByService: map[string]int{"api": 0, "web": 2}, TimeToX: incident.TimeToX{
					ToDetect: pc(900, 900, 1), ToAcknowledge: none, ToMitigate: pc(1800, 1800, 1), ToResolve: pc(month, month, 1)}},
			},
			BySeverity: map[string]incident.TimeToX{
				// SEV1 resolve 600, 3600, 31 days
				"SEV1": {ToDetect: pc(60, 900, 3), ToAcknowledge: pc(30, 120, 2), ToMitigate: pc(600, 1800, 3), ToResolve: pc(3600, month, 3)},
				"SEV2": {},
				"SEV3": {ToDetect: pc(300, 300, 1), ToAcknowledge: pc(60, 60, 1), ToMitigate: pc(1200, 1200, 1), ToResolve: pc(7200, 7200, 1)},
				"SEV4": {},
				"SEV5": {},
			},
			ByService: []incident.KeyCount{{Key: "api", Count: 3}, {Key: "web", Count: 2}},
			WithoutPublishedRCA: incident.MissingRCAs{Count: 2, Items: []incident.MissingRCA{
				{Key: "INC-2", Title: "jan-b", Severity: incident.SEV3, ResolvedAt: time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC), Days: 90},
				{Key: "INC-6", Title: "jan-c", Severity: incident.SEV1, ResolvedAt: time.Date(2026, 1, 25, 0, 10, 0, 0, time.UTC), Days: 85},
			}},
			TopRootCauseCategories: []incident.KeyCount{{Key: "deploy", Count: 2}, {Key: "config-change", Count: 1}},
			Recurrences:            incident.RecurrenceCounts{Count: 2, Open: 1, Dismissed: 1},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("outsider (-want +got):\n%s", diff)
		}

		member, err := s.IncidentMetrics(ctx, f(func(f *incident.IncidentMetricsFilter) { f.Viewer = incident.Viewer{Principals: []string{"security"}} }))
		if err != nil {
			t.Fatal(err)
		}
		if m := member.PerMonth[1]; m.Count != 1 || m.BySeverity["SEV2"] != 1 || *m.ToResolve.P50 != 24*3600 {
			t.Errorf("member february = %+v", m)
		}
		if r := member.WithoutPublishedRCA; r.Count != 3 || r.Items[2].Key != "INC-4" || r.Items[2].Days != 63 {
			t.Errorf("member without rca = %+v", r)
		}
		if diff := cmp.Diff([]incident.KeyCount{{Key: "capacity", Count: 2}, {Key: "deploy", Count: 2}, {Key: "config-change", Count: 1}},
			member.TopRootCauseCategories); diff != "" {
			t.Errorf("member categories (-want +got):\n%s", diff)
		}
		if member.Recurrences != (incident.RecurrenceCounts{Count: 3, Open: 2, Dismissed: 1}) {
			t.Errorf("member recurrences = %+v", member.Recurrences)
		}

		for _, tc := range []struct {
			name   string
			f      incident.IncidentMetricsFilter
			months []string
			counts []int
			rca    int
		}{
			{"from march", f(func(f *incident.IncidentMetricsFilter) { f.From = d(3, 1) }), []string{"2026-03"}, []int{2}, 0},
			{"to january", f(func(f *incident.IncidentMetricsFilter) { f.To = d(1, 31) }), []string{"2026-01"}, []int{3}, 2},
			{"created when not started", f(func(f *incident.IncidentMetricsFilter) { f.From, f.To = d(3, 20), d(3, 20) }),
				[]string{"2026-03"}, []int{1}, 0},
			{"service web", f(func(f *incident.IncidentMetricsFilter) { f.Service = "WEB" }), []string{"2026-03"}, []int{2}, 0},
			{"team", f(func(f *incident.IncidentMetricsFilter) { f.Team = "payments" }), []string{"2026-03"}, []int{1}, 0},
			{"severity", f(func(f *incident.IncidentMetricsFilter) { f.Severity = incident.SEV3 }),
				[]string{"2026-01", "2026-02", "2026-03"}, []int{1, 0, 1}, 1},
			// resolved 04-10 00:00 is 10.5 days before now: past 7 days, not 14
			{"rca days 7", f(func(f *incident.IncidentMetricsFilter) { f.RCADays = 7 }),
				[]string{"2026-01", "2026-02", "2026-03"}, []int{3, 0, 2}, 3},
			{"nothing", f(func(f *incident.IncidentMetricsFilter) { f.Service = "none" }), nil, nil, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.IncidentMetrics(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var months []string
				var counts []int
				for _, m := range got.PerMonth {
					months, counts = append(months, m.Month), append(counts, m.Count)
				}
				if !cmp.Equal(months, tc.months) || !cmp.Equal(counts, tc.counts) {
					t.Errorf("months = %v %v, want %v %v", months, counts, tc.months, tc.counts)
				}
				if got.WithoutPublishedRCA.Count != tc.rca {
					t.Errorf("without rca = %+v, want %d", got.WithoutPublishedRCA, tc.rca)
				}
			})
		}
	})
}
