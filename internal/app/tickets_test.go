package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/internal/tickets"
	"github.com/hindsightrca/hindsight/internal/tickets/ticketstest"
)

// jiraApp is an app over a fresh database of the dialect with a fake Jira
// (project OPS) configured as the "jira" ticket system.
func jiraApp(t *testing.T, dialect string, opts app.TicketOptions) (*app.App, *store.Store, *ticketstest.Fake) {
	t.Helper()
	fake := ticketstest.Jira(t, "bot@example.com", "s3cret-token", "OPS")
	opts.Registry = tickets.NewRegistry(tickets.NewJira(tickets.JiraConfig{
		URL: fake.URL(), User: "bot@example.com", Token: "s3cret-token", Project: "OPS",
	}))
	if opts.PublicURL == "" {
		opts.PublicURL = "https://hindsight.example"
	}
	a, s := ticketApp(t, dialect, app.Options{Tickets: opts})
	return a, s, fake
}

// ticketApp is testApp with the store's clock at t0 too, so what is
// created is created at t0 and the app's now is four days later: the
// tickets these tests close in between close after the action's creation.
func ticketApp(t *testing.T, dialect string, opts app.Options) (*app.App, *store.Store) {
	t.Helper()
	return testAppStoreClock(t, dialect, opts, func() time.Time { return t0 })
}

// TestApp_TicketSync_ReopenedActionStaysOpen: a person reopens an action
// its closed ticket closed; the next syncs leave it open (the ticket did
// not change), until the ticket is reopened and closed again.
func TestApp_TicketSync_ReopenedActionStaysOpen(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		a, _, fake := jiraApp(t, dialect, app.TicketOptions{})
		inc := mustIncident(t, a)
		act := mustAction(t, a, inc, "Add a retry budget")
		if _, err := a.CreateActionTicket(ctx, act.ID, "jira", false); err != nil {
			t.Fatal(err)
		}
		fake.Close("OPS-1", "Done", "Done", t0.Add(72*time.Hour))
		if rep, err := a.SyncTickets(ctx); err != nil || rep.Closed != 1 {
			t.Fatalf("first close: %+v %v", rep, err)
		}
		if _, err := a.UpdateAction(ctx, act.ID, incident.ActionPatch{Status: incident.Some(incident.ActionOpen)}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := a.SyncTickets(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := a.SyncActionTicket(ctx, act.ID); err != nil {
				t.Fatal(err)
			}
		}
		if cur, _ := a.Action(ctx, act.ID); cur.Status != incident.ActionOpen || cur.TicketStatus != "Done" {
			t.Fatalf("the reopen was undone: %s (ticket %q)", cur.Status, cur.TicketStatus)
		}
		fake.Reopen("OPS-1", "In Progress")
		if _, err := a.SyncTickets(ctx); err != nil {
			t.Fatal(err)
		}
		fake.Close("OPS-1", "Done", "Done", t0.Add(90*time.Hour))
		if rep, err := a.SyncTickets(ctx); err != nil || rep.Closed != 1 {
			t.Fatalf("closed again in Jira: %+v %v", rep, err)
		}
	})
}

// TestApp_TicketSync_ClosedBeforeCreated: a ticket closed before the
// action existed (fixed before the RCA was written) closes the action at
// its creation, never before (no negative days to close).
func TestApp_TicketSync_ClosedBeforeCreated(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		a, _, fake := jiraApp(t, dialect, app.TicketOptions{})
		inc := mustIncident(t, a)
		act := mustAction(t, a, inc, "Already fixed")
		key := fake.Add("Already fixed", "To Do")
		fake.Close(key, "Done", "Done", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		got, err := a.LinkActionTicket(ctx, act.ID, "jira", key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != incident.ActionDone || got.CompletedAt == nil || !got.CompletedAt.Equal(act.CreatedAt) {
			t.Fatalf("completed %v, created %v", got.CompletedAt, act.CreatedAt)
		}
		// and a tracker clock ahead of ours gives now, not the future
		later := mustAction(t, a, inc, "Clock ahead")
		key = fake.Add("Clock ahead", "To Do")
		fake.Close(key, "Done", "Done", t0.Add(365*24*time.Hour))
		if got, err = a.LinkActionTicket(ctx, later.ID, "jira", key); err != nil || !got.CompletedAt.Equal(a.Now()) {
			t.Fatalf("completed %v, now %v (%v)", got.CompletedAt, a.Now(), err)
		}
	})
}

func mustAction(t *testing.T, a *app.App, inc incident.Incident, title string) incident.CorrectiveAction {
	t.Helper()
	act, err := a.CreateAction(context.Background(), inc.Key, incident.CorrectiveAction{Title: title, Description: "Cap retries at 3.", Priority: incident.PriorityHigh})
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// TestApp_TicketSync_Jira is the acceptance path: push an action to Jira,
// close the ticket there, and see the action close here at that time.
func TestApp_TicketSync_Jira(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			a, s, fake := jiraApp(t, dialect, app.TicketOptions{})
			inc := mustIncident(t, a)
			act := mustAction(t, a, inc, "Add a retry budget to checkout")

			got, err := a.CreateActionTicket(ctx, act.ID, "jira", false)
			if err != nil {
				t.Fatal(err)
			}
			if got.TicketSystem != "jira" || got.TicketKey != "OPS-1" || got.TicketURL != fake.URL()+"/browse/OPS-1" ||
				got.TicketStatus != "To Do" || got.Version != act.Version+1 {
				t.Fatalf("linked action = %+v", got)
			}
			is, _ := fake.Issue("OPS-1")
			if is.Title != act.Title || !strings.Contains(is.Description, "Cap retries at 3.") ||
				!strings.Contains(is.Description, "https://hindsight.example/incidents/"+inc.Key) {
				t.Fatalf("the Jira issue is %+v", is)
			}

			// a second push is refused, and files nothing
			_, err = a.CreateActionTicket(ctx, act.ID, "jira", false)
			var ce *app.TicketConflictError
			if !errors.As(err, &ce) || len(fake.Issues()) != 1 {
				t.Fatalf("second create: %v (%d issues)", err, len(fake.Issues()))
			}

			rep, err := a.SyncTickets(ctx)
			if err != nil || rep.Checked != 1 || rep.Closed != 0 {
				t.Fatalf("sync of the open ticket: %+v %v", rep, err)
			}
			if cur, _ := a.Action(ctx, act.ID); cur.Status != incident.ActionOpen || cur.TicketStatus != "To Do" || cur.TicketSyncedAt == nil {
				t.Fatalf("after the first sync: %+v", cur)
			}

			closedAt := time.Date(2026, 11, 23, 16, 45, 12, 0, time.UTC)
			fake.Close("OPS-1", "Done", "Done", closedAt)
			rep, err = a.SyncTickets(ctx)
			if err != nil || rep.Checked != 1 || rep.Closed != 1 {
				t.Fatalf("sync of the closed ticket: %+v %v", rep, err)
			}
			cur, _ := a.Action(ctx, act.ID)
			if cur.Status != incident.ActionDone || cur.CompletedAt == nil || !cur.CompletedAt.Equal(closedAt) || cur.TicketStatus != "Done" {
				t.Fatalf("after Jira closed the ticket: status %s completed %v ticket status %q", cur.Status, cur.CompletedAt, cur.TicketStatus)
			}
			// closed actions are not read again
			before := fake.Requests("GET /rest/api/2/issue/OPS-1")
			if rep, _ := a.SyncTickets(ctx); rep.Checked != 0 || fake.Requests("GET /rest/api/2/issue/OPS-1") != before {
				t.Fatalf("a closed action was synced again: %+v", rep)
			}
			audit, err := s.AuditEntries(ctx, 50)
			if err != nil {
				t.Fatal(err)
			}
			var seen []string
			for _, e := range audit {
				if strings.HasPrefix(e.Action, "action.ticket") {
					seen = append(seen, e.Action+" by "+e.Actor)
				}
			}
			if strings.Join(seen, ",") != "action.ticket_closed by ticket-sync,action.ticket_create by anonymous" &&
				strings.Join(seen, ",") != "action.ticket_create by anonymous,action.ticket_closed by ticket-sync" {
				t.Fatalf("audit: %v", seen)
			}
		})
	}
}

func TestApp_TicketSync_ErrorsShownThenCleared(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		a, _, fake := jiraApp(t, dialect, app.TicketOptions{})
		inc := mustIncident(t, a)
		act := mustAction(t, a, inc, "Alert on queue depth")
		if _, err := a.CreateActionTicket(ctx, act.ID, "jira", false); err != nil {
			t.Fatal(err)
		}
		fake.FailNext(1, "Jira is under maintenance")
		rep, err := a.SyncTickets(ctx)
		if err != nil || rep.Failed != 1 {
			t.Fatalf("sync with Jira down: %+v %v", rep, err)
		}
		cur, _ := a.Action(ctx, act.ID)
		if !strings.Contains(cur.TicketSyncError, "500 Internal Server Error: Jira is under maintenance") || cur.TicketSyncErrorAt == nil {
			t.Fatalf("the error is not shown: %+v", cur)
		}
		if strings.Contains(cur.TicketSyncError, "s3cret-token") {
			t.Fatal("the error carries the token")
		}
		// on demand, and it clears
		got, err := a.SyncActionTicket(ctx, act.ID)
		if err != nil || got.TicketSyncError != "" || got.TicketSyncErrorAt != nil || got.TicketStatus != "To Do" {
			t.Fatalf("on-demand sync: %+v %v", got, err)
		}
		// an on-demand failure is returned and stored
		fake.FailNext(1, "still down")
		_, err = a.SyncActionTicket(ctx, act.ID)
		var te *app.TicketError
		if !errors.As(err, &te) || te.System != "jira" {
			t.Fatalf("on-demand failure: %v", err)
		}
		if cur, _ := a.Action(ctx, act.ID); !strings.Contains(cur.TicketSyncError, "still down") {
			t.Fatalf("on-demand failure not stored: %+v", cur)
		}
	})
}

func TestApp_CreateActionTicket_Refused(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		a, _, fake := jiraApp(t, dialect, app.TicketOptions{})
		inc := mustIncident(t, a)
		act := mustAction(t, a, inc, "x")

		fake.FailNext(1, "Field 'customfield_1' is required")
		_, err := a.CreateActionTicket(ctx, act.ID, "jira", false)
		var te *app.TicketError
		if !errors.As(err, &te) {
			t.Fatalf("refused create: %v", err)
		}
		cur, _ := a.Action(ctx, act.ID)
		if cur.TicketKey != "" || cur.TicketSystem != "" || cur.TicketStatus != "" || !strings.Contains(cur.TicketSyncError, "customfield_1") {
			t.Fatalf("after a refused create: %+v", cur)
		}
		// the claim was released: trying again works and clears the error
		got, err := a.CreateActionTicket(ctx, act.ID, "jira", false)
		if err != nil || got.TicketKey == "" || got.TicketSyncError != "" {
			t.Fatalf("retry: %+v %v", got, err)
		}

		tests := []struct {
			name, system, field string
		}{
			{"empty", "", "system"},
			{"known but not configured", "github", "system"},
			{"unknown", "servicenow", "system"},
		}
		for _, tt := range tests {
			_, err := a.CreateActionTicket(ctx, act.ID, tt.system, false)
			var ve *incident.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
		if _, err := a.CreateActionTicket(ctx, 9999, "jira", false); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("missing action: %v", err)
		}

		// a link a person pasted is not replaced behind their back
		pasted, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "pasted", TicketURL: "https://tracker.example/T-9"})
		if err != nil {
			t.Fatal(err)
		}
		n := len(fake.Issues())
		_, err = a.CreateActionTicket(ctx, pasted.ID, "jira", false)
		var ce *app.TicketConflictError
		if !errors.As(err, &ce) || !strings.Contains(ce.Message, "https://tracker.example/T-9") || len(fake.Issues()) != n {
			t.Fatalf("create over a pasted link: %v", err)
		}
		if _, err := a.LinkActionTicket(ctx, pasted.ID, "jira", "OPS-1"); !errors.As(err, &ce) {
			t.Fatalf("link over a pasted link: %v", err)
		}
		if cur, _ := a.Action(ctx, pasted.ID); cur.TicketURL != "https://tracker.example/T-9" || cur.TicketStatus != "" {
			t.Fatalf("the pasted link changed: %+v", cur)
		}
	})
}

func TestApp_LinkActionTicket(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		a, _, fake := jiraApp(t, dialect, app.TicketOptions{})
		inc := mustIncident(t, a)
		act := mustAction(t, a, inc, "Retire the old LB")

		key := fake.Add("Retire the old LB", "To Do")
		at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		fake.Close(key, "Won't Do", "Won't Do", at)
		got, err := a.LinkActionTicket(ctx, act.ID, "jira", key)
		if err != nil {
			t.Fatal(err)
		}
		if got.TicketKey != key || got.Status != incident.ActionWontDo || got.CompletedAt == nil || !got.CompletedAt.Equal(at) {
			t.Fatalf("linked to a won't-do ticket: %+v", got)
		}

		other := mustAction(t, a, inc, "other")
		_, err = a.LinkActionTicket(ctx, other.ID, "jira", "OPS-404")
		var ve *incident.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["key"], "not found") {
			t.Fatalf("link to a missing ticket: %v", err)
		}
		if _, err := a.LinkActionTicket(ctx, other.ID, "jira", " "); !errors.As(err, &ve) || ve.Fields["key"] == "" {
			t.Fatalf("link without a key: %v", err)
		}
		var ce *app.TicketConflictError
		if _, err := a.LinkActionTicket(ctx, act.ID, "jira", "OPS-77"); !errors.As(err, &ce) {
			t.Fatalf("relink to another ticket: %v", err)
		}

		// unlinking by editing the action clears what sync knew
		none := incident.Some("")
		cur, err := a.UpdateAction(ctx, act.ID, incident.ActionPatch{TicketSystem: none, TicketKey: none, TicketURL: none})
		if err != nil || cur.TicketStatus != "" || cur.TicketSyncedAt != nil {
			t.Fatalf("unlinked: %+v %v", cur, err)
		}
	})
}

func TestApp_IncidentTicketPolicy(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		fake := ticketstest.Jira(t, "bot@example.com", "tok-1234", "OPS")
		reg := tickets.NewRegistry(tickets.NewJira(tickets.JiraConfig{URL: fake.URL(), User: "bot@example.com", Token: "tok-1234", Project: "OPS"}))
		opts := app.TicketOptions{Registry: reg, IncidentAfter: 4 * time.Hour, IncidentSystem: "jira", PublicURL: "https://h.example"}
		a, s := testApp(t, dialect, app.Options{Tickets: opts}) // the clock is t0 + 4 days
		now := t0.Add(96 * time.Hour)
		mk := func(title string, started time.Time, mut func(*incident.Incident)) incident.Incident {
			in := incident.Incident{Title: title, StartedAt: &started}
			if mut != nil {
				mut(&in)
			}
			inc, err := a.CreateIncident(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}
		old := mk("Payments down", now.Add(-5*time.Hour), nil)
		secret := mk("Credential leak", now.Add(-6*time.Hour), func(in *incident.Incident) {
			in.Visibility, in.RestrictedTo = incident.VisibilityRestricted, []string{"sec@example.com"}
		})
		mk("Resolved long ago", now.Add(-30*time.Hour), func(in *incident.Incident) {
			in.Status, in.ResolvedAt = incident.StatusResolved, ptr(now.Add(-29*time.Hour))
		})
		mk("Just started", now.Add(-time.Hour), nil)

		// a second replica over the same database runs the same round at once
		b := app.New(s, app.Options{Now: func() time.Time { return now }, Tickets: opts})
		var wg sync.WaitGroup
		reps := make([]app.TicketSyncReport, 2)
		for i, x := range []*app.App{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if reps[i], err = x.SyncTickets(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := reps[0].IncidentTickets + reps[1].IncidentTickets; n != 2 || len(fake.Issues()) != 2 {
			t.Fatalf("tickets filed: %d by the rounds, %d in Jira; want 2", n, len(fake.Issues()))
		}
		if rep, _ := a.SyncTickets(ctx); rep.IncidentTickets != 0 || len(fake.Issues()) != 2 {
			t.Fatalf("a later round filed again: %+v", rep)
		}
		byTitle := map[string]ticketstest.Issue{}
		for _, is := range fake.Issues() {
			byTitle[is.Title] = is
		}
		pub, ok := byTitle[old.Key+" not resolved after 4h: Payments down"]
		if !ok || !strings.Contains(pub.Description, "https://h.example/incidents/"+old.Key) {
			t.Fatalf("tickets: %v", byTitle)
		}
		sec, ok := byTitle[secret.Key+" not resolved after 4h (restricted incident)"]
		if !ok || strings.Contains(sec.Description, "Credential") {
			t.Fatalf("the restricted incident's ticket: %+v (found %v)", sec, ok)
		}
		it, err := s.IncidentTicket(ctx, old.ID)
		if err != nil || it.System != "jira" || it.Key == "" {
			t.Fatalf("recorded: %+v %v", it, err)
		}

		// the policy tickets' status is read back (and a failure kept)
		fake.Close(it.Key, "Done", "Done", now)
		fake.FailNext(1, "flaky")
		rep, err := a.SyncTickets(ctx)
		if err != nil || rep.Checked != 2 || rep.Failed != 1 {
			t.Fatalf("sync of the incident tickets: %+v %v", rep, err)
		}
		rep, err = a.SyncTickets(ctx)
		if err != nil || rep.Checked != 2 || rep.Failed != 0 {
			t.Fatalf("second sync: %+v %v", rep, err)
		}
		if it, _ = s.IncidentTicket(ctx, old.ID); it.Status != "Done" || it.Error != "" {
			t.Fatalf("after the sync: %+v", it)
		}
	})
}

func TestApp_IncidentTicketPolicy_RetriesAfterFailure(t *testing.T) {
	forDialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		fake := ticketstest.Jira(t, "u", "tok-1234", "OPS")
		reg := tickets.NewRegistry(tickets.NewJira(tickets.JiraConfig{URL: fake.URL(), User: "u", Token: "tok-1234", Project: "OPS"}))
		a, s := testApp(t, dialect, app.Options{Tickets: app.TicketOptions{Registry: reg, IncidentAfter: time.Hour, IncidentSystem: "jira"}})
		inc := mustIncident(t, a) // started at t0, four days ago
		fake.FailNext(1, "try later")
		if rep, err := a.SyncTickets(ctx); err != nil || rep.IncidentFailed != 1 {
			t.Fatalf("failing round: %+v %v", rep, err)
		}
		if it, _ := s.IncidentTicket(ctx, inc.ID); !strings.Contains(it.Error, "try later") || it.Key != "" {
			t.Fatalf("the failure is not kept: %+v", it)
		}
		if rep, err := a.SyncTickets(ctx); err != nil || rep.IncidentTickets != 1 {
			t.Fatalf("retry round: %+v %v", rep, err)
		}
		if it, _ := s.IncidentTicket(ctx, inc.ID); it.Error != "" || it.Key != "OPS-1" || it.Attempts != 2 {
			t.Fatalf("after the retry: %+v", it)
		}
	})
}

func TestApp_TicketSystems(t *testing.T) {
	a, _ := testApp(t, "sqlite", app.Options{Tickets: app.TicketOptions{Registry: tickets.NewRegistry(
		tickets.NewJira(tickets.JiraConfig{URL: "https://j.example", Project: "OPS"}),
		tickets.NewGitHub(tickets.GitHubConfig{}),
	)}})
	got := a.TicketSystems()
	if len(got) != 2 || got[0] != (app.TicketSystem{Name: "github"}) || got[1] != (app.TicketSystem{Name: "jira", CanCreate: true}) {
		t.Fatalf("TicketSystems = %+v", got)
	}
	none, _ := testApp(t, "sqlite", app.Options{})
	if got := none.TicketSystems(); got == nil || len(got) != 0 {
		t.Fatalf("no trackers: %#v", got)
	}
	if rep, err := none.SyncTickets(context.Background()); err != nil || rep.Checked+rep.Failed+rep.Skipped+rep.IncidentTickets != 0 || len(rep.Failures) != 0 {
		t.Fatalf("sync without trackers: %+v %v", rep, err)
	}
}

// forDialects runs fn as subtests "sqlite" and "postgres".
func forDialects(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// TestApp_TicketSync_UnreachableTracker gives a tracker that drops every
// connection up for the rest of the round after three tries in a row;
// every action still shows why it was not synced.
func TestApp_TicketSync_UnreachableTracker(t *testing.T) {
	var mu sync.Mutex
	hits := 0
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // no answer at all
		}
	}))
	defer down.Close()
	reg := tickets.NewRegistry(tickets.NewGitHub(tickets.GitHubConfig{APIURL: down.URL, Token: "t", Repo: "acme/ops"}))
	a, _ := testApp(t, "sqlite", app.Options{Tickets: app.TicketOptions{Registry: reg}})
	ctx := context.Background()
	inc := mustIncident(t, a)
	var ids []int64
	for i := range 5 {
		act, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "a", TicketSystem: "github", TicketKey: "acme/ops#" + strconv.Itoa(i+1)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, act.ID)
	}
	rep, err := a.SyncTickets(ctx)
	if err != nil || rep.Checked != 3 || rep.Failed != 3 || rep.Skipped != 2 || len(rep.Failures) != 3 || rep.Failures[0].Key != "acme/ops#1" {
		t.Fatalf("round: %+v %v", rep, err)
	}
	mu.Lock()
	n := hits
	mu.Unlock()
	if n != 3 {
		t.Fatalf("the tracker was asked %d times, want 3", n)
	}
	for i, id := range ids {
		cur, _ := a.Action(ctx, id)
		if (i < 3) != (cur.TicketSyncError != "") {
			t.Errorf("action %d: %q (asked ones show the error, skipped ones keep their state)", i, cur.TicketSyncError)
		}
	}
}

// TestApp_TicketSync_RateLimited stops asking a tracker that rate-limits
// us for the rest of the round, leaving the other actions as they were.
func TestApp_TicketSync_RateLimited(t *testing.T) {
	var mu sync.Mutex
	hits := 0
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Retry-After", "3600")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"message":"API rate limit exceeded"}`))
	}))
	defer limited.Close()
	reg := tickets.NewRegistry(tickets.NewGitHub(tickets.GitHubConfig{APIURL: limited.URL, Token: "t", Repo: "acme/ops"}))
	a, _ := testApp(t, "sqlite", app.Options{Tickets: app.TicketOptions{Registry: reg}})
	ctx := context.Background()
	inc := mustIncident(t, a)
	for i := range 4 {
		if _, err := a.CreateAction(ctx, inc.Key, incident.CorrectiveAction{Title: "a", TicketSystem: "github", TicketKey: "acme/ops#" + strconv.Itoa(i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := a.SyncTickets(ctx)
	if err != nil || rep.Checked != 1 || rep.Failed != 1 || rep.Skipped != 3 || !strings.Contains(rep.Failures[0].Error, "rate limited for 1h0m0s") {
		t.Fatalf("round: %+v %v", rep, err)
	}
	if hits != 1 {
		t.Fatalf("asked %d times", hits)
	}
}

// TestApp_CreateActionTicket_Restricted asks before an action of a
// restricted incident goes to the tracker, and files it once confirmed.
func TestApp_CreateActionTicket_Restricted(t *testing.T) {
	ctx := context.Background()
	a, _, fake := jiraApp(t, "sqlite", app.TicketOptions{})
	inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Credential leak", StartedAt: ptr(t0),
		Visibility: incident.VisibilityRestricted, RestrictedTo: []string{"sec@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	act := mustAction(t, a, inc, "Rotate the keys")
	_, err = a.CreateActionTicket(ctx, act.ID, "jira", false)
	var ve *incident.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["confirm_restricted"], "is restricted") || len(fake.Issues()) != 0 {
		t.Fatalf("unconfirmed: %v (%d issues)", err, len(fake.Issues()))
	}
	if cur, _ := a.Action(ctx, act.ID); cur.TicketSystem != "" || cur.TicketStatus != "" {
		t.Fatalf("an unconfirmed filing left a claim: %+v", cur)
	}
	got, err := a.CreateActionTicket(ctx, act.ID, "jira", true)
	if err != nil || got.TicketKey != "OPS-1" {
		t.Fatalf("confirmed: %+v %v", got, err)
	}
}
