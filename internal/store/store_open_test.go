package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_MigrateTwice(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		inc := createIncident(t, s, newIncident("kept"))
		for i := 0; i < 2; i++ {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
		}
		if _, err := s.Incident(ctx, inc.ID); err != nil {
			t.Errorf("data lost: %v", err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Error(err)
		}
	})
}

func TestStore_MigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	for _, d := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(d, func(t *testing.T) {
			cfg := store.Config{}
			if d == store.DialectPostgres {
				cfg.DatabaseURL = pgtest.URL(t)
			} else {
				cfg.SQLitePath = filepath.Join(t.TempDir(), "h.db")
			}
			errs := make(chan error, 3)
			for i := 0; i < 3; i++ {
				go func() {
					s, err := store.Open(ctx, cfg)
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					errs <- s.Migrate(ctx)
				}()
			}
			for i := 0; i < 3; i++ {
				if err := <-errs; err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
			}
		})
	}
}

func TestStore_Open(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  store.Config
	}{
		{"nothing configured", store.Config{}},
		{"missing directory", store.Config{SQLitePath: filepath.Join(t.TempDir(), "no", "such", "h.db")}},
		{"not a postgres URL falls back to SQLite", store.Config{DatabaseURL: "mysql://x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := store.Open(ctx, tc.cfg); err == nil {
				s.Close()
				t.Errorf("Open(%+v) succeeded", tc.cfg)
			}
		})
	}
}

// TestStore_SQLiteTimeText checks what SQLite holds: fixed-width UTC text,
// so that text order is time order.
func TestStore_SQLiteTimeText(t *testing.T) {
	s := openDB(t, store.DialectSQLite, func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)) })
	ctx := context.Background()
	inc := newIncident("times")
	inc.StartedAt = ptr(time.Date(2026, 1, 1, 23, 0, 0, 120, time.FixedZone("x", -7200)))
	inc = createIncident(t, s, inc)
	a := incident.CorrectiveAction{IncidentID: inc.ID, Title: "a", DueDate: &incident.Date{Year: 2026, Month: 2, Day: 3}}
	a.Normalize()
	if err := s.CreateAction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	db, err := s.DB()
	if err != nil {
		t.Fatal(err)
	}
	var created, started, services, due string
	var keyEvent any
	if err := db.QueryRow("SELECT created_at, started_at, services FROM incidents").Scan(&created, &started, &services); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT due_date FROM corrective_actions").Scan(&due); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.InsertTimelineEvents(ctx, inc.ID, []incident.TimelineEvent{event("s", "1", time.Now())}); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT key_event FROM timeline_events").Scan(&keyEvent); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"created_at", created, "2026-01-02T02:04:05.000000Z"},
		{"started_at", started, "2026-01-02T01:00:00.000000Z"},
		{"services", services, `["api"]`},
		{"due_date", due, "2026-02-03"},
		{"key_event", fmt.Sprint(keyEvent), "0"},
	} {
		if c.got != c.want {
			t.Errorf("%s stored as %q, want %q", c.name, c.got, c.want)
		}
	}
	// A default written by SQLite itself has the same shape.
	var def string
	if err := db.QueryRow("INSERT INTO audit_entries (actor, action) VALUES ('a', 'b') RETURNING created_at").Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`).MatchString(def) {
		t.Errorf("SQLite default time %q is not in the store's format", def)
	}
}
