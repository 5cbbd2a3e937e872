package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func event(source, externalID string, at time.Time) incident.TimelineEvent {
	e := incident.TimelineEvent{
		OccurredAt: at, OccurredAtText: at.Format(time.RFC1123), Source: source, Kind: incident.KindChat,
		Actor: "alice", Body: "body " + externalID, ExternalID: externalID,
		Metadata: map[string]any{"channel": "#inc", "n": 1.5},
	}
	e.Normalize()
	return e
}

func TestStore_InsertTimelineEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("timeline"))
		other := createIncident(t, s, newIncident("other"))
		at := time.Date(2026, 2, 3, 4, 5, 6, 789123456, time.UTC)
		first := []incident.TimelineEvent{event("slack", "a", at), event("slack", "b", at), event("pagerduty", "a", at), event("slack", "", at)}
		added, dups, err := s.InsertTimelineEvents(ctx, inc.ID, first)
		if err != nil || len(added) != 4 || dups != 0 {
			t.Fatalf("first insert: %d added, %d duplicates, %v", len(added), dups, err)
		}
		for _, tc := range []struct {
			name       string
			incidentID int64
			evs        []incident.TimelineEvent
			wantAdded  []string // bodies
			wantDups   int
			inTx       bool
		}{
			{"existing duplicates", inc.ID, []incident.TimelineEvent{event("slack", "a", at), event("pagerduty", "a", at), event("slack", "c", at)}, []string{"body c"}, 2, false},
			{"duplicates within the batch", inc.ID, []incident.TimelineEvent{event("jira", "x", at), event("jira", "x", at.Add(time.Hour)), event("jira", "y", at)}, []string{"body x", "body y"}, 1, false},
			{"no external id never collides", inc.ID, []incident.TimelineEvent{event("slack", "", at), event("slack", "", at)}, []string{"body ", "body "}, 0, false},
			{"same external id in another incident", other.ID, []incident.TimelineEvent{event("slack", "a", at)}, []string{"body a"}, 0, false},
			{"inside a transaction", inc.ID, []incident.TimelineEvent{event("manual", "", at), event("slack", "b", at), event("manual", "m", at)}, []string{"body ", "body m"}, 1, true},
			{"nothing", inc.ID, nil, []string{}, 0, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var got []incident.TimelineEvent
				var dups int
				var err error
				if tc.inTx {
					err = s.InTx(ctx, func(tx *store.Store) error {
						got, dups, err = tx.InsertTimelineEvents(ctx, tc.incidentID, tc.evs)
						return err
					})
				} else {
					got, dups, err = s.InsertTimelineEvents(ctx, tc.incidentID, tc.evs)
				}
				if err != nil {
					t.Fatal(err)
				}
				bodies := []string{}
				for _, e := range got {
					bodies = append(bodies, e.Body)
					read, err := s.TimelineEvent(ctx, e.ID)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(e, read); diff != "" {
						t.Errorf("returned event differs from stored (-returned +stored):\n%s", diff)
					}
				}
				if diff := cmp.Diff(tc.wantAdded, bodies); diff != "" || dups != tc.wantDups {
					t.Errorf("added (-want +got):\n%s\nduplicates %d, want %d", diff, dups, tc.wantDups)
				}
			})
		}
		t.Run("unknown incident", func(t *testing.T) {
			_, _, err := s.InsertTimelineEvents(ctx, 999, []incident.TimelineEvent{event("slack", "z", at)})
			if !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("err = %v, want not found", err)
			}
		})
		t.Run("many events span insert batches", func(t *testing.T) {
			evs := make([]incident.TimelineEvent, 2500)
			for i := range evs {
				id := fmt.Sprint(i)
				if i%3 == 0 {
					id = ""
				}
				evs[i] = event("bulk", id, at.Add(time.Duration(i)*time.Second))
				evs[i].Body = fmt.Sprint(i)
			}
			got, dups, err := s.InsertTimelineEvents(ctx, other.ID, evs)
			if err != nil || len(got) != len(evs) || dups != 0 {
				t.Fatalf("%d added, %d dups, %v", len(got), dups, err)
			}
			for i, e := range got {
				read, err := s.TimelineEvent(ctx, e.ID)
				if err != nil || read.Body != fmt.Sprint(i) {
					t.Fatalf("event %d has id %d holding %q (%v)", i, e.ID, read.Body, err)
				}
			}
			_, dups, err = s.InsertTimelineEvents(ctx, other.ID, evs)
			if err != nil || dups != len(evs)-len(evs)/3-1 {
				t.Errorf("re-import: %d dups, want %d (%v)", dups, len(evs)-len(evs)/3-1, err)
			}
		})
	})
}

func TestStore_TimelineEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("timeline"))
		base := time.Date(2026, 2, 3, 4, 0, 0, 0, time.UTC)
		var evs []incident.TimelineEvent
		for i := 0; i < 30; i++ {
			e := event([]string{"slack", "pagerduty"}[i%2], fmt.Sprint(i), base.Add(time.Duration(i/4)*time.Minute)) // ties in fours
			e.Kind = []incident.EventKind{incident.KindChat, incident.KindAlert, incident.KindNote}[i%3]
			e.Actor = []string{"Alice", "bob"}[i%2]
			e.KeyEvent = i%5 == 0
			e.Hidden = i%7 == 6
			evs = append(evs, e)
		}
		added, _, err := s.InsertTimelineEvents(ctx, inc.ID, evs)
		if err != nil {
			t.Fatal(err)
		}
		match := func(pred func(incident.TimelineEvent) bool) []int64 {
			var ids []int64
			for _, e := range added {
				if pred(e) {
					ids = append(ids, e.ID)
				}
			}
			return ids
		}
		cut := base.Add(3 * time.Minute)
		for _, tc := range []struct {
			name string
			f    incident.TimelineFilter
			want []int64
		}{
			{"visible", incident.TimelineFilter{}, match(func(e incident.TimelineEvent) bool { return !e.Hidden })},
			{"with hidden", incident.TimelineFilter{IncludeHidden: true}, match(func(incident.TimelineEvent) bool { return true })},
			{"sources", incident.TimelineFilter{Sources: []string{"Slack"}}, match(func(e incident.TimelineEvent) bool { return !e.Hidden && e.Source == "slack" })},
			{"kinds", incident.TimelineFilter{Kinds: []incident.EventKind{incident.KindAlert, incident.KindNote}, IncludeHidden: true},
				match(func(e incident.TimelineEvent) bool { return e.Kind != incident.KindChat })},
			{"actor ignores case", incident.TimelineFilter{Actor: "alice"}, match(func(e incident.TimelineEvent) bool { return !e.Hidden && e.Actor == "Alice" })},
			{"key only", incident.TimelineFilter{KeyOnly: true}, match(func(e incident.TimelineEvent) bool { return !e.Hidden && e.KeyEvent })},
			{"after and before", incident.TimelineFilter{After: &cut, Before: ptr(cut.Add(2 * time.Minute))},
				match(func(e incident.TimelineEvent) bool {
					return !e.Hidden && !e.OccurredAt.Before(cut) && e.OccurredAt.Before(cut.Add(2*time.Minute))
				})},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, limit := range []int{1, 3, 100} {
					f := tc.f
					f.IncidentID, f.Limit = inc.ID, limit
					var got []int64
					for page := 0; ; page++ {
						items, total, err := s.TimelineEvents(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						if total != len(tc.want) {
							t.Errorf("limit %d: total %d, want %d", limit, total, len(tc.want))
						}
						more := len(items) > limit
						if more {
							items = items[:limit]
						}
						for _, e := range items {
							got = append(got, e.ID)
						}
						if !more {
							break
						}
						c := store.EventCursor(items[len(items)-1])
						f.Cursor = &c
					}
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("limit %d: ids (-want +got):\n%s", limit, diff)
					}
				}
			})
		}
	})
}

func TestStore_UpdateTimelineEvent(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("timeline"))
		at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
		added, _, err := s.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{event("slack", "a", at), event("slack", "b", at)})
		if err != nil {
			t.Fatal(err)
		}
		e := added[0]
		e.KeyEvent, e.Hidden, e.OriginalOccurredAt, e.OccurredAt = true, true, ptr(at), at.Add(time.Hour)
		e.CorrectedBy, e.CorrectedAt, e.Body = "bob", ptr(at), "ignored"
		got, err := s.UpdateTimelineEvent(ctx, e, 1, []string{"key_event", "hidden", "occurred_at", "original_occurred_at", "corrected_by", "corrected_at"})
		if err != nil {
			t.Fatal(err)
		}
		if !got.KeyEvent || !got.Hidden || !got.OccurredAt.Equal(at.Add(time.Hour)) || !got.OriginalOccurredAt.Equal(at) ||
			got.CorrectedBy != "bob" || got.Body != added[0].Body || got.Version != 2 {
			t.Errorf("updated = %+v", got)
		}
		_, err = s.UpdateTimelineEvent(ctx, e, 1, []string{"hidden"})
		var ce *incident.ConflictError
		if !errors.As(err, &ce) || ce.Current.(incident.TimelineEvent).Version != 2 {
			t.Errorf("stale: %v", err)
		}
		if _, err := s.UpdateTimelineEvent(ctx, e, 2, []string{"source"}); err == nil {
			t.Error("source is not updatable")
		}
		if got.CorrectionReason != "" {
			t.Errorf("no reason stored yet: %q", got.CorrectionReason)
		}
		// The reason of a correction is stored, read back, and cleared again (NULL).
		e.CorrectionReason = "the page was sent at 04:05 local time, not UTC"
		got, err = s.UpdateTimelineEvent(ctx, e, 2, []string{"correction_reason"})
		if err != nil || got.CorrectionReason != e.CorrectionReason || got.Version != 3 {
			t.Fatalf("reason: %+v, %v", got, err)
		}
		if read, err := s.TimelineEvent(ctx, e.ID); err != nil || read.CorrectionReason != e.CorrectionReason {
			t.Errorf("reason read back = %q, %v", read.CorrectionReason, err)
		}
		if page, _, err := s.TimelineEvents(ctx, incident.TimelineFilter{IncidentID: inc.ID, IncludeHidden: true, Limit: 10}); err != nil || len(page) != 2 || page[0].CorrectionReason+page[1].CorrectionReason != e.CorrectionReason {
			t.Errorf("reason in the list = %+v, %v", page, err)
		}
		e.CorrectionReason = ""
		if got, err = s.UpdateTimelineEvent(ctx, e, 3, []string{"correction_reason"}); err != nil || got.CorrectionReason != "" {
			t.Fatalf("clearing the reason: %+v, %v", got, err)
		}
		e.Version = got.Version
		ids, err := s.ExistingEventIDs(ctx, inc.ID, []int64{added[1].ID, 999, added[0].ID, added[1].ID})
		if err != nil || !cmp.Equal(ids, []int64{added[0].ID, added[1].ID}) {
			t.Errorf("ExistingEventIDs = %v, %v", ids, err)
		}
		if ids, err := s.ExistingEventIDs(ctx, inc.ID+1, []int64{added[0].ID}); err != nil || len(ids) != 0 || ids == nil {
			t.Errorf("ExistingEventIDs of another incident = %#v, %v", ids, err)
		}
		if err := s.DeleteTimelineEvent(ctx, added[0].ID); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{
			s.DeleteTimelineEvent(ctx, added[0].ID),
			func() error { _, err := s.TimelineEvent(ctx, added[0].ID); return err }(),
			func() error { _, err := s.UpdateTimelineEvent(ctx, e, 2, []string{"hidden"}); return err }(),
		} {
			if !errors.Is(err, incident.ErrNotFound) {
				t.Errorf("err = %v, want not found", err)
			}
		}
	})
}
