package app_test

import (
	"context"
	"errors"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// Real post-mortems the recurrence tests use.
const (
	dynamoDB2025 = "36858814-a276-4723-8bd2-ce1d46236417.md" // Amazon DynamoDB US-EAST-1 outage of October 2025
	fastly2021   = "20834b0c-3811-4447-bcfe-2e60eeeb6251.md" // Fastly global outage of June 8, 2021
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// corpusSample names the first n post-mortems of the corpus, plus extra:
// enough real incidents for word rarity to mean something.
func corpusSample(t *testing.T, n int, extra ...string) []string {
	t.Helper()
	ents, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return append(names[:min(n, len(names))], extra...)
}

// addActions adds actions to ref with the given statuses.
func addActions(t *testing.T, a *app.App, ref string, statuses ...incident.ActionStatus) []incident.CorrectiveAction {
	t.Helper()
	var out []incident.CorrectiveAction
	for i, st := range statuses {
		act, err := a.CreateAction(context.Background(), ref, incident.CorrectiveAction{
			Title:  []string{"Fix the DNS Enactor race", "Add a check on empty DNS plans", "Throttle NLB health check failover"}[i%3],
			Status: st})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, act)
	}
	return out
}

// pairsOf returns a function listing a page's warnings as "INC-2~INC-1".
func pairsOf(t *testing.T) func(p incident.Page[app.Recurrence], err error) []string {
	return func(p incident.Page[app.Recurrence], err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, r := range p.Items {
			out = append(out, r.Incident.Key+"~"+r.Past.Key)
		}
		return out
	}
}

func auditCount(t *testing.T, s *store.Store, action string) int {
	t.Helper()
	es, err := s.AuditEntries(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestApp_Recurrence(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := t.Context()
			pairs := pairsOf(t)
			clock := &testClock{t: t0.Add(96 * time.Hour)}
			a, s, ix := searchApp(t, dialect, app.Options{Now: clock.now})
			var trailing []func()
			app.SetRecurrenceTimer(a, func(d time.Duration, f func()) {
				if d != 30*time.Second {
					t.Errorf("trailing check after %v, want 30s", d)
				}
				trailing = append(trailing, f)
			})
			pms := importPostmortems(t, a, corpusSample(t, 30, dynamoDB2025, fastly2021)...)
			past := pms[dynamoDB2025]
			acts := addActions(t, a, past.Key, incident.ActionDone, incident.ActionWontDo, incident.ActionInProgress)
			catchUp(t, a, ix)

			// One action of the past incident is still in progress: the
			// actions may yet prevent it, so nothing is flagged.
			cur := openVariant(t, a, dynamoDB2025, false)
			catchUp(t, a, ix)
			if got := pairs(a.Recurrences(ctx, app.RecurrenceFilter{})); len(got) != 0 {
				t.Fatalf("flagged with an action open: %v", got)
			}
			sims, err := a.Similar(ctx, cur.Key, 5)
			if err != nil || len(sims) == 0 || sims[0].ID != past.ID || sims[0].Relative < app.RecurrenceThreshold {
				t.Fatalf("the variant's most similar incident is not %s above the threshold: %+v %v", past.Key, sims, err)
			}

			// The last action closes; the timeline grows within 30 s of the
			// last check: the check waits for the window's end.
			if _, err := a.UpdateAction(ctx, acts[2].ID, incident.ActionPatch{Status: incident.Some(incident.ActionDone)}); err != nil {
				t.Fatal(err)
			}
			_, evs := variant(t, dynamoDB2025, true)
			if _, err := a.AppendTimeline(ctx, cur.Key, evs); err != nil {
				t.Fatal(err)
			}
			clock.add(10 * time.Second)
			catchUp(t, a, ix)
			if got := pairs(a.Recurrences(ctx, app.RecurrenceFilter{})); len(got) != 0 {
				t.Fatalf("checked again within the window: %v", got)
			}
			if len(trailing) != 1 {
				t.Fatalf("%d trailing checks scheduled, want 1", len(trailing))
			}
			clock.add(25 * time.Second)
			trailing[0]()
			want := []string{cur.Key + "~" + past.Key}
			p, err := a.Recurrences(ctx, app.RecurrenceFilter{})
			if got := pairs(p, err); !equal(got, want) {
				t.Fatalf("recurrences = %v, want %v", got, want)
			}
			r := p.Items[0]
			if r.Message != "Looks like "+past.Key+", whose corrective actions were all closed" || r.ActionsClosed != 3 ||
				r.Relative < app.RecurrenceThreshold || len(r.Reasons) == 0 || r.Reasons[0].Kind != search.ReasonTerms ||
				r.Past.Title != past.Title || r.Incident.Status != incident.StatusOpen || r.DismissedAt != nil {
				t.Errorf("recurrence = %+v", r)
			}

			// Checked again (later, and by a second replica with its own
			// index over the same database): still one warning, one audit entry.
			clock.add(time.Minute)
			a.CheckRecurrences(ctx, []int64{cur.ID})
			a2, ix2 := indexedApp(t, s, app.Options{Now: clock.now})
			catchUp(t, a2, ix2)
			a2.CheckRecurrences(ctx, []int64{cur.ID})
			if got := pairs(a2.Recurrences(ctx, app.RecurrenceFilter{})); !equal(got, want) {
				t.Fatalf("after checking again: %v, want %v", got, want)
			}
			if n := auditCount(t, s, "recurrence.flag"); n != 1 {
				t.Errorf("%d recurrence.flag audit entries, want 1", n)
			}
			got, err := a.IncidentRecurrences(ctx, cur.Key)
			if err != nil || len(got) != 1 || got[0].ID != r.ID {
				t.Errorf("incident recurrences = %+v, %v", got, err)
			}

			// Not flagged: an unrelated incident, a resolved one, and one
			// that started before the past incident.
			unrelated := openVariant(t, a, fastly2021, true)
			resolved, evs2 := variant(t, dynamoDB2025, true)
			resolved.Status, resolved.ResolvedAt = incident.StatusResolved, ptr(resolved.StartedAt.Add(time.Hour))
			resolvedInc, err := a.CreateIncident(ctx, resolved)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.AppendTimeline(ctx, resolvedInc.Key, evs2); err != nil {
				t.Fatal(err)
			}
			earlier, evs3 := variant(t, dynamoDB2025, true)
			earlier.StartedAt = ptr(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))
			earlierInc, err := a.CreateIncident(ctx, earlier)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.AppendTimeline(ctx, earlierInc.Key, evs3); err != nil {
				t.Fatal(err)
			}
			catchUp(t, a, ix)
			for _, inc := range []incident.Incident{unrelated, resolvedInc, earlierInc} {
				if got := pairs(a.Recurrences(ctx, app.RecurrenceFilter{Incident: inc.Key})); len(got) != 0 {
					t.Errorf("%s (%s) flagged: %v", inc.Key, inc.Title, got)
				}
			}

			// Dismissed: gone from the list unless asked for, kept so the
			// pair is not flagged again; a second dismissal changes nothing.
			d, err := a.DismissRecurrence(incident.WithActor(ctx, incident.Actor{Name: "manager"}), r.ID)
			if err != nil || d.DismissedAt == nil || d.DismissedBy != "manager" {
				t.Fatalf("dismiss = %+v, %v", d, err)
			}
			if _, err := a.DismissRecurrence(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			if n := auditCount(t, s, "recurrence.dismiss"); n != 1 {
				t.Errorf("%d recurrence.dismiss audit entries, want 1", n)
			}
			clock.add(time.Minute)
			a.CheckRecurrences(ctx, []int64{cur.ID})
			if got := pairs(a.Recurrences(ctx, app.RecurrenceFilter{})); len(got) != 0 {
				t.Errorf("listed after dismissal: %v", got)
			}
			if got := pairs(a.Recurrences(ctx, app.RecurrenceFilter{IncludeDismissed: true})); !equal(got, want) {
				t.Errorf("with dismissed: %v, want %v", got, want)
			}
			if _, err := a.DismissRecurrence(ctx, 999999); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("dismiss unknown: %v", err)
			}

			// The past incident becomes restricted: a viewer without access
			// sees no warning, counts none and cannot dismiss it; a member can.
			if _, err := a.UpdateIncident(ctx, past.Key, incident.IncidentPatch{
				Visibility: incident.Some(incident.VisibilityRestricted), RestrictedTo: incident.Some([]string{"dba"})}); err != nil {
				t.Fatal(err)
			}
			outsider := app.WithViewer(ctx, search.Viewer{Principals: []string{"bob"}})
			member := app.WithViewer(ctx, search.Viewer{Principals: []string{"alice", "DBA"}})
			p, err = a.Recurrences(outsider, app.RecurrenceFilter{IncludeDismissed: true})
			if got := pairs(p, err); len(got) != 0 || p.Total != 0 {
				t.Errorf("outsider sees %v (total %d)", got, p.Total)
			}
			if got, err := a.IncidentRecurrences(outsider, cur.Key); err != nil || len(got) != 0 {
				t.Errorf("outsider sees on the incident: %+v, %v", got, err)
			}
			if _, err := a.DismissRecurrence(outsider, r.ID); !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("outsider dismiss: %v, want not found", err)
			}
			p, err = a.Recurrences(member, app.RecurrenceFilter{IncludeDismissed: true})
			if got := pairs(p, err); !equal(got, want) || p.Total != 1 {
				t.Errorf("member sees %v (total %d), want %v", got, p.Total, want)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
