package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_ActionPolicy(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		p, err := s.ActionPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := p.DaysFor(incident.SEV1, incident.PriorityCritical); d != 14 || p.UpdatedAt != nil || p.UpdatedBy != "" {
			t.Fatalf("fresh policy = %d days, updated %v by %q; want the defaults", d, p.UpdatedAt, p.UpdatedBy)
		}
		p.Days[incident.SEV1][incident.PriorityCritical] = 7
		p.Days[incident.SEV5][incident.PriorityLow] = 3650
		if err := s.SetActionPolicy(ctx, p, "alice"); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Hour)
		p.Days[incident.SEV1][incident.PriorityCritical] = 10
		if err := s.SetActionPolicy(ctx, p, "bob"); err != nil {
			t.Fatal(err)
		}
		got, err := s.ActionPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			sev  incident.Severity
			pri  incident.Priority
			want int
		}{
			{name: "changed twice", sev: incident.SEV1, pri: incident.PriorityCritical, want: 10},
			{name: "upper bound", sev: incident.SEV5, pri: incident.PriorityLow, want: 3650},
			{name: "default kept", sev: incident.SEV2, pri: incident.PriorityHigh, want: 45},
		} {
			if d, _ := got.DaysFor(tc.sev, tc.pri); d != tc.want {
				t.Errorf("%s: %s/%s = %d, want %d", tc.name, tc.sev, tc.pri, d, tc.want)
			}
		}
		if got.UpdatedBy != "bob" || got.UpdatedAt == nil || !got.UpdatedAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Errorf("updated by %q at %v, want bob at %v", got.UpdatedBy, got.UpdatedAt, c.t)
		}
	})
}

func TestStore_ActionDueDateSource(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := incident.Incident{Title: "Disk full", Severity: incident.SEV2, Status: incident.StatusOpen}
		inc.Normalize()
		if err := s.CreateIncident(ctx, &inc); err != nil {
			t.Fatal(err)
		}
		due := incident.Date{Year: 2026, Month: 12, Day: 1}
		a := incident.CorrectiveAction{IncidentID: inc.ID, Title: "Alert on disk", Type: incident.ActionDetective,
			Priority: incident.PriorityHigh, Status: incident.ActionOpen, DueDate: &due, DueDateSource: incident.DueDateFromPolicy}
		if err := s.CreateAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
		got, err := s.Action(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.DueDateSource != incident.DueDateFromPolicy {
			t.Errorf("due date source = %q, want policy", got.DueDateSource)
		}
		got.DueDateSource = ""
		upd, err := s.UpdateAction(ctx, got, got.Version, []string{"due_date_source"})
		if err != nil {
			t.Fatal(err)
		}
		if upd.DueDateSource != "" {
			t.Errorf("after update source = %q, want empty", upd.DueDateSource)
		}
	})
}
