package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_IncidentPeople(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		in := newIncident("people")
		in.Commander = "carol.jones"
		inc := createIncident(t, s, in)
		other := createIncident(t, s, newIncident("other"))

		if got, err := s.IncidentPeople(ctx, inc.ID); err != nil || !cmp.Equal(got, []string{"carol.jones"}) {
			t.Fatalf("commander only: %q, %v", got, err)
		}

		at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
		evs := []incident.TimelineEvent{event("s", "1", at), event("s", "2", at), event("s", "3", at), event("s", "4", at)}
		evs[1].Actor = "deploy-bot"
		evs[2].Actor = ""
		evs[3].Actor = "carol.jones" // the commander again: listed once
		if _, _, err := s.InsertTimelineEvents(ctx, inc.ID, evs); err != nil {
			t.Fatal(err)
		}
		foreign := event("s", "5", at)
		foreign.Actor = "mallory"
		if _, _, err := s.InsertTimelineEvents(ctx, other.ID, []incident.TimelineEvent{foreign}); err != nil {
			t.Fatal(err)
		}
		for _, owner := range []string{"dave", "", "dave"} {
			a := incident.CorrectiveAction{IncidentID: inc.ID, Title: "fix " + owner, Type: "corrective", Priority: "low", Status: "open", Owner: owner}
			if err := s.CreateAction(ctx, &a); err != nil {
				t.Fatal(err)
			}
		}
		r := incident.RCA{IncidentID: inc.ID, Status: incident.RCADraft}
		if err := s.CreateRCA(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if err := s.StartReviewRound(ctx, r.ID, 1, []string{"erin", "alice"}, at); err != nil {
			t.Fatal(err)
		}
		if err := s.StartReviewRound(ctx, r.ID, 2, []string{"erin"}, at); err != nil {
			t.Fatal(err)
		}

		got, err := s.IncidentPeople(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"alice", "carol.jones", "dave", "deploy-bot", "erin"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("IncidentPeople (-want +got):\n%s", diff)
		}
		if got, err := s.IncidentPeople(ctx, 999); err != nil || len(got) != 0 || got == nil {
			t.Errorf("unknown incident: %#v, %v; want an empty list", got, err)
		}
		if strings.Contains(strings.Join(got, ","), "mallory") {
			t.Errorf("another incident's actor leaked: %q", got)
		}
	})
}
