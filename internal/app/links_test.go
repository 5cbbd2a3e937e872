package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// fakeTracker hands over ticket events; its events are unwindowed.
type fakeTracker struct{ fakeImporter }

func (fakeTracker) Source() string { return "faketracker" }
func (fakeTracker) Unwindowed()    {}

// TestApp_ImportTicketsLinksAndNoWindow imports ticket events dated weeks
// after the incident: all are kept (no window), and the tickets are
// remembered as the incident's links, once each; a pull notes its time.
func TestApp_ImportTicketsLinksAndNoWindow(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Checkout down", StartedAt: ptr(t0), ResolvedAt: ptr(t0.Add(time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		ev := func(id string, at time.Time, key string) incident.TimelineEvent {
			return importers.TicketEvent{ID: id, At: at, Subtype: importers.TicketComment, System: "jira", Key: key,
				URL: "https://example.atlassian.net/browse/" + key, Title: "Fix " + key, Actor: "ana", Body: "done"}.Event("faketracker")
		}
		imp := fakeTracker{fakeImporter{events: []incident.TimelineEvent{
			ev("c1", t0.Add(30*time.Minute), "OPS-1"),
			ev("c2", t0.Add(21*24*time.Hour), "OPS-1"),
			ev("c3", t0.Add(40*24*time.Hour), "OPS-2"),
		}}}
		rep, err := a.ImportTimeline(ctx, inc.Key, imp, importers.Input{Name: "x.json"}, app.ImportOptions{})
		if err != nil || rep.Added != 3 || rep.Filtered != 0 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		links, err := a.Links(ctx, inc.Key, "jira")
		if err != nil || len(links) != 2 || links[0].URL == "" || links[0].Title == "" || links[0].LastPulledAt != nil {
			t.Fatalf("links: %+v %v", links, err)
		}
		// A pull of the same tickets adds what is new and notes its time.
		pull := func(ctx context.Context, from, to *time.Time, sink importers.Sink) error {
			return sink.Event(ev("c4", t0.Add(50*24*time.Hour), "OPS-1"))
		}
		rep, err = a.PullRecords(ctx, inc.Key, "faketracker", []string{"OPS-1"}, pull, app.ImportOptions{OpenWindow: true})
		if err != nil || rep.Added != 1 {
			t.Fatalf("pull: %+v %v", rep, err)
		}
		links, err = a.Links(ctx, inc.Key, "")
		if err != nil || len(links) != 2 || links[0].LastPulledAt == nil {
			t.Fatalf("links after pull: %+v %v", links, err)
		}
	})
}

// TestApp_StatusPageTextFillsCustomerImpact: what customers were told
// becomes the customer impact when nobody wrote one, and never replaces
// what someone wrote.
func TestApp_StatusPageTextFillsCustomerImpact(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := context.Background()
		mk := func(impact string) incident.Incident {
			inc, err := a.CreateIncident(ctx, incident.Incident{Title: "EU checkout", StartedAt: ptr(t0), CustomerImpact: impact})
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}
		update := func(id string, at time.Time, text string) incident.TimelineEvent {
			ev := importers.TicketEvent{ID: id, At: at, Subtype: importers.TicketUpdate, System: "statuspage", Key: "p/i1", To: "resolved",
				Body: "Fixed.", Status: true, Extra: map[string]any{}}
			if text != "" {
				ev.Extra[importers.MetaPublicText] = text
			}
			return ev.Event("faketracker")
		}
		imp := fakeTracker{fakeImporter{events: []incident.TimelineEvent{
			update("u1", t0, ""), update("u2", t0.Add(time.Hour), "Checkout failed for EU customers for 40 minutes."),
		}}}
		empty, typed := mk(""), mk("Written by the IC.")
		for _, inc := range []incident.Incident{empty, typed} {
			if _, err := a.ImportTimeline(ctx, inc.Key, imp, importers.Input{Name: "sp.json"}, app.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := a.Incident(ctx, empty.Key)
		if got.CustomerImpact != "Checkout failed for EU customers for 40 minutes." || got.Version != empty.Version+1 {
			t.Fatalf("empty impact: %q v%d", got.CustomerImpact, got.Version)
		}
		got, _ = a.Incident(ctx, typed.Key)
		if got.CustomerImpact != "Written by the IC." {
			t.Fatalf("typed impact overwritten: %q", got.CustomerImpact)
		}
	})
}
