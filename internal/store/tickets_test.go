package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_ActionTicketSync(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("one"))
		mk := func(title, system, key string, st incident.ActionStatus) incident.CorrectiveAction {
			a := incident.CorrectiveAction{IncidentID: inc.ID, Title: title, TicketSystem: system, TicketKey: key, Status: st}
			a.Normalize()
			if err := s.CreateAction(ctx, &a); err != nil {
				t.Fatal(err)
			}
			return a
		}
		linked := mk("linked", "jira", "OPS-1", incident.ActionOpen)
		mk("done", "jira", "OPS-2", incident.ActionDone)
		mk("unlinked", "", "", incident.ActionOpen)
		other := mk("redmine", "redmine", "12", incident.ActionInProgress)
		mk("unknown tracker", "servicenow", "CHG1", incident.ActionOpen)
		typed := mk("typed by a person", "Jira", "OPS-3", incident.ActionOpen)

		tests := []struct {
			name    string
			systems []string
			after   int64
			want    []int64
		}{
			{"jira", []string{"jira"}, 0, []int64{linked.ID, typed.ID}},
			{"jira and redmine", []string{"jira", "redmine"}, 0, []int64{linked.ID, other.ID, typed.ID}},
			{"after the first", []string{"jira", "redmine"}, linked.ID, []int64{other.ID, typed.ID}},
			{"none configured", nil, 0, nil},
		}
		for _, tt := range tests {
			got, err := s.ActionsToSync(ctx, tt.systems, tt.after, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && (ids[0] != tt.want[0] || ids[len(ids)-1] != tt.want[len(tt.want)-1])) {
				t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
			}
		}

		at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		if err := s.SetActionTicketSync(ctx, linked.ID, "OPS-1", incident.TicketSync{Error: "jira: 500", ErrorAt: at}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Action(ctx, linked.ID)
		if got.TicketSyncError != "jira: 500" || got.TicketSyncErrorAt == nil || !got.TicketSyncErrorAt.Equal(at) || got.Version != linked.Version {
			t.Fatalf("after a failed sync: %+v", got)
		}
		if err := s.SetActionTicketSync(ctx, linked.ID, "OPS-1", incident.TicketSync{Status: "In Progress", SyncedAt: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Action(ctx, linked.ID)
		if got.TicketSyncError != "" || got.TicketSyncErrorAt != nil || got.TicketStatus != "In Progress" || !got.TicketSyncedAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("after a good sync: %+v", got)
		}
		// a sync of a ticket re-linked meanwhile writes nothing
		if err := s.SetActionTicketSync(ctx, linked.ID, "OPS-99", incident.TicketSync{Status: "Stale", SyncedAt: at}); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Action(ctx, linked.ID); got.TicketStatus != "In Progress" {
			t.Fatalf("a sync of another key was written: %+v", got)
		}
	})
}

func TestStore_ClaimActionTicket(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("one"))
		a := incident.CorrectiveAction{IncidentID: inc.ID, Title: "a"}
		a.Normalize()
		if err := s.CreateAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		ok, err := s.ClaimActionTicket(ctx, a.ID, "jira", now, now.Add(-5*time.Minute))
		if err != nil || !ok {
			t.Fatalf("first claim: %v %v", ok, err)
		}
		if ok, _ := s.ClaimActionTicket(ctx, a.ID, "github", now.Add(time.Minute), now.Add(-4*time.Minute)); ok {
			t.Fatal("a second claim while the first is fresh was taken")
		}
		if err := s.ReleaseActionTicket(ctx, a.ID, "", "jira: 400 Bad Request", now); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Action(ctx, a.ID)
		if got.TicketSystem != "" || got.TicketStatus != "" || got.TicketSyncError != "jira: 400 Bad Request" {
			t.Fatalf("after release: %+v", got)
		}
		if ok, _ := s.ClaimActionTicket(ctx, a.ID, "jira", now, now.Add(-5*time.Minute)); !ok {
			t.Fatal("claim after release refused")
		}
		// a claim left by a crash goes stale
		later := now.Add(10 * time.Minute)
		if ok, _ := s.ClaimActionTicket(ctx, a.ID, "jira", later, later.Add(-5*time.Minute)); !ok {
			t.Fatal("a stale claim was not taken over")
		}
	})
}

func TestStore_IncidentTickets(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		old := newIncident("old")
		old.StartedAt = &start
		oldInc := createIncident(t, s, old)
		resolved := newIncident("resolved")
		resolved.StartedAt, resolved.Status = &start, incident.StatusResolved
		resolved.ResolvedAt = ptr(start.Add(time.Hour))
		createIncident(t, s, resolved)
		fresh := newIncident("fresh")
		fresh.StartedAt = ptr(start.Add(5 * time.Hour))
		createIncident(t, s, fresh)

		now := start.Add(6 * time.Hour)
		cutoff := now.Add(-4 * time.Hour)
		ids, err := s.IncidentsNeedingTicket(ctx, cutoff, now.Add(-10*time.Minute), 10)
		if err != nil || len(ids) != 1 || ids[0] != oldInc.ID {
			t.Fatalf("needing a ticket: %v %v (want [%d])", ids, err, oldInc.ID)
		}

		// two replicas claim at once: one wins
		var wg sync.WaitGroup
		wins := make([]bool, 4)
		for i := range wins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ClaimIncidentTicket(ctx, oldInc.ID, "jira", now, now.Add(-10*time.Minute))
				if err != nil {
					t.Error(err)
				}
				wins[i] = ok
			}()
		}
		wg.Wait()
		n := 0
		for _, w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d claims won, want 1", n)
		}
		if ids, _ := s.IncidentsNeedingTicket(ctx, cutoff, now.Add(-10*time.Minute), 10); len(ids) != 0 {
			t.Fatalf("claimed incident still listed: %v", ids)
		}
		// a failure releases the claim: listed and claimable again
		if err := s.FinishIncidentTicket(ctx, oldInc.ID, "", "", "", "jira: 503", now); err != nil {
			t.Fatal(err)
		}
		if ids, _ := s.IncidentsNeedingTicket(ctx, cutoff, now.Add(-10*time.Minute), 10); len(ids) != 1 {
			t.Fatalf("failed incident not listed again: %v", ids)
		}
		if ok, _ := s.ClaimIncidentTicket(ctx, oldInc.ID, "jira", now, now.Add(-10*time.Minute)); !ok {
			t.Fatal("retry claim refused")
		}
		if err := s.FinishIncidentTicket(ctx, oldInc.ID, "OPS-5", "https://j/browse/OPS-5", "To Do", "", now); err != nil {
			t.Fatal(err)
		}
		it, err := s.IncidentTicket(ctx, oldInc.ID)
		if err != nil || it.Key != "OPS-5" || it.Attempts != 2 || it.Error != "" {
			t.Fatalf("ticket = %+v, %v", it, err)
		}
		if ok, _ := s.ClaimIncidentTicket(ctx, oldInc.ID, "jira", now.Add(time.Hour), now.Add(time.Hour)); ok {
			t.Fatal("an incident with a ticket was claimed again")
		}
		if ids, _ := s.IncidentsNeedingTicket(ctx, cutoff, now, 10); len(ids) != 0 {
			t.Fatalf("incident with a ticket listed: %v", ids)
		}

		// its status is read back while the incident is open or resolved
		// since resolvedSince, for the configured systems only
		got, err := s.IncidentTicketsToSync(ctx, []string{"jira"}, now.Add(-24*time.Hour), 0, 10)
		if err != nil || len(got) != 1 || got[0].Key != "OPS-5" {
			t.Fatalf("to sync: %+v %v", got, err)
		}
		if got, _ := s.IncidentTicketsToSync(ctx, []string{"github"}, now, 0, 10); len(got) != 0 {
			t.Fatalf("another system's tickets listed: %+v", got)
		}
		if err := s.SetIncidentTicketSync(ctx, oldInc.ID, "OPS-5", "", "jira: 500", now); err != nil {
			t.Fatal(err)
		}
		if it, _ := s.IncidentTicket(ctx, oldInc.ID); it.Status != "To Do" || it.Error != "jira: 500" {
			t.Fatalf("after a failed read: %+v", it)
		}
		if err := s.SetIncidentTicketSync(ctx, oldInc.ID, "OPS-5", "Done", "", now); err != nil {
			t.Fatal(err)
		}
		if it, _ := s.IncidentTicket(ctx, oldInc.ID); it.Status != "Done" || it.Error != "" {
			t.Fatalf("after a good read: %+v", it)
		}
		oldInc.Status, oldInc.ResolvedAt = incident.StatusResolved, ptr(now.Add(-48*time.Hour))
		if _, err := s.UpdateIncident(ctx, oldInc, oldInc.Version, []string{"status", "resolved_at"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.IncidentTicketsToSync(ctx, []string{"jira"}, now.Add(-24*time.Hour), 0, 10); len(got) != 0 {
			t.Fatalf("a ticket of an incident resolved long ago listed: %+v", got)
		}
	})
}
