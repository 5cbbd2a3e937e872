package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func ptr[T any](v T) *T { return &v }

func newIncident(title string) incident.Incident {
	i := incident.Incident{Title: title, Services: []string{"api"}, Tags: []string{"db"}}
	i.Normalize()
	return i
}

func createIncident(t *testing.T, s *store.Store, inc incident.Incident) incident.Incident {
	t.Helper()
	if err := s.InTx(context.Background(), func(tx *store.Store) error { return tx.CreateIncident(context.Background(), &inc) }); err != nil {
		t.Fatalf("create incident: %v", err)
	}
	return inc
}

func TestStore_CreateIncident(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		in := newIncident("Checkout down")
		in.StartedAt = ptr(time.Date(2026, 1, 1, 10, 0, 0, 999, time.FixedZone("x", 3600)))
		in.Summary = "summary <b>&</b>"
		in.Teams = nil
		got := createIncident(t, s, in)
		if got.ID == 0 || got.Key != incident.FormatKey(got.ID) || got.Version != 1 {
			t.Fatalf("created %+v", got)
		}
		if !got.CreatedAt.Equal(incident.UTC(c.t)) {
			t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, incident.UTC(c.t))
		}
		for _, tc := range []struct {
			name string
			get  func() (incident.Incident, error)
		}{
			{"by id", func() (incident.Incident, error) { return s.Incident(ctx, got.ID) }},
			{"by key", func() (incident.Incident, error) { return s.IncidentByKey(ctx, got.Key) }},
			{"by lower-case key", func() (incident.Incident, error) { return s.IncidentByKey(ctx, "inc-1") }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				read, err := tc.get()
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(got, read); diff != "" {
					t.Errorf("read back differs (-created +read):\n%s", diff)
				}
				if read.Teams == nil || read.StartedAt.Location() != time.UTC {
					t.Errorf("want non-nil labels and UTC times: %+v", read)
				}
			})
		}
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"missing id", func() error { _, err := s.Incident(ctx, 999); return err }()},
			{"missing key", func() error { _, err := s.IncidentByKey(ctx, "INC-999"); return err }()},
			{"bad key", func() error { _, err := s.IncidentByKey(ctx, "nope"); return err }()},
			{"delete missing", s.DeleteIncident(ctx, 999)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var nf *incident.NotFoundError
				if !errors.As(tc.err, &nf) || nf.Object != "incident" {
					t.Errorf("err = %v, want incident not found", tc.err)
				}
			})
		}
	})
}
