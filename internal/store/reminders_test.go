package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_ReminderActions(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mk := func(title string, vis incident.Visibility) incident.Incident {
			inc := incident.Incident{Title: title, Severity: incident.SEV2, Visibility: vis}
			if vis == incident.VisibilityRestricted {
				inc.RestrictedTo = []string{"ana@example.com"}
			}
			inc.Normalize()
			if err := s.CreateIncident(ctx, &inc); err != nil {
				t.Fatal(err)
			}
			return inc
		}
		open, secret := mk("Checkout down", incident.VisibilityInternal), mk("Payroll leak", incident.VisibilityRestricted)
		day := func(d int) *incident.Date { v := incident.Date{Year: 2026, Month: 11, Day: d}; return &v }
		for _, a := range []incident.CorrectiveAction{
			{IncidentID: open.ID, Title: "overdue", DueDate: day(20), Status: incident.ActionOpen},
			{IncidentID: open.ID, Title: "due soon in progress", DueDate: day(28), Status: incident.ActionInProgress},
			{IncidentID: open.ID, Title: "due later", DueDate: day(30), Status: incident.ActionOpen},
			{IncidentID: open.ID, Title: "done", DueDate: day(10), Status: incident.ActionDone},
			{IncidentID: open.ID, Title: "no due date", Status: incident.ActionOpen},
			{IncidentID: secret.ID, Title: "restricted", DueDate: day(21), Status: incident.ActionOpen},
		} {
			a.Type, a.Priority = incident.ActionCorrective, incident.PriorityHigh
			if err := s.CreateAction(ctx, &a); err != nil {
				t.Fatal(err)
			}
		}
		items, err := s.ReminderActions(ctx, *day(28))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Action.Title)
		}
		want := []string{"overdue", "restricted", "due soon in progress"}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("items = %v, want %v", got, want)
		}
		if items[0].IncidentTitle != "Checkout down" || items[0].Severity != incident.SEV2 || items[0].Restricted || !items[1].Restricted ||
			len(items[1].RestrictedTo) != 1 || items[1].RestrictedTo[0] != "ana@example.com" {
			t.Errorf("incident fields = %+v / %+v", items[0], items[1])
		}
	})
}

func TestStore_ReminderSends(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		for n, rs := range []incident.ReminderSend{
			{SentAt: t0, Channel: "email", Recipient: "ana@example.com", Scope: "owner", Subject: "ana", ActionIDs: []int64{1, 2}, ActionCount: 2, Overdue: 1, Status: "ok"},
			{SentAt: t0.Add(time.Hour), Channel: "slack", Recipient: "team sre", Scope: "team", Subject: "sre", ActionIDs: []int64{3}, ActionCount: 1, Status: "error", Error: "HTTP 404: channel_not_found"},
			{SentAt: t0.Add(2 * time.Hour), Channel: "slack", Recipient: "team db", Scope: "team", Subject: "db", Status: "test"},
		} {
			if err := s.AppendReminderSend(ctx, &rs); err != nil || rs.ID != int64(n+1) {
				t.Fatalf("append %d: id %d, %v", n, rs.ID, err)
			}
		}
		page, more, err := s.ReminderSends(ctx, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 2 || !more || page[0].Recipient != "team db" || page[1].Error != "HTTP 404: channel_not_found" || page[1].ActionIDs[0] != 3 {
			t.Fatalf("first page = %+v, more %v", page, more)
		}
		page, more, err = s.ReminderSends(ctx, page[1].ID, 2)
		if err != nil || len(page) != 1 || more || !page[0].SentAt.Equal(t0) || len(page[0].ActionIDs) != 2 {
			t.Fatalf("second page = %+v, more %v, %v", page, more, err)
		}
		since, err := s.RemindedSince(ctx, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(since) != 1 || !since[[2]string{"email", "ana@example.com"}].Equal(t0) {
			t.Errorf("reminded since = %v (failed and test sends must not count)", since)
		}
		if since, _ := s.RemindedSince(ctx, t0, incident.ReminderTest); len(since) != 1 || since[[2]string{"slack", "team db"}].IsZero() {
			t.Errorf("test sends since = %v", since)
		}
		if since, _ := s.RemindedSince(ctx, t0.Add(time.Minute)); len(since) != 0 {
			t.Errorf("reminded since later = %v", since)
		}
		if n, err := s.PruneReminderSends(ctx, t0.Add(90*time.Minute)); err != nil || n != 2 {
			t.Fatalf("pruned %d, %v; want the 2 older rows", n, err)
		}
		if left, _, _ := s.ReminderSends(ctx, 0, 10); len(left) != 1 || left[0].Recipient != "team db" {
			t.Errorf("left = %+v", left)
		}
	})
}
