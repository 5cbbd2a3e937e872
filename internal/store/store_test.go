package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// openDB opens and migrates a fresh database of the dialect.
func openDB(t testing.TB, dialect string, now func() time.Time) *store.Store {
	t.Helper()
	cfg := store.Config{Now: now}
	if dialect == store.DialectPostgres {
		cfg.DatabaseURL = pgtest.URL(t)
	} else {
		cfg.SQLitePath = filepath.Join(t.TempDir(), "hindsight.db")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return s
}

// forEachDB runs fn against a fresh migrated SQLite and a fresh PostgreSQL,
// as parallel subtests "sqlite" and "postgres".
func forEachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, openDB(t, d, nil))
		})
	}
}

// forEachDBClock is forEachDB with a store clock the test controls.
func forEachDBClock(t *testing.T, fn func(t *testing.T, s *store.Store, c *clock)) {
	t.Helper()
	for _, d := range []string{store.DialectSQLite, store.DialectPostgres} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)}
			fn(t, openDB(t, d, c.now), c)
		})
	}
}
