package api

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestMain stops the PostgreSQL cluster that tests over PostgreSQL start
// (see pgtest.URL).
func TestMain(m *testing.M) { pgtest.Main(m) }

// testDialects are the databases the tests that run on both use.
var testDialects = []string{store.DialectSQLite, store.DialectPostgres}

// openTestStore opens a fresh, migrated database of the dialect on the
// fixed clock.
func openTestStore(t *testing.T, dialect string) *store.Store {
	t.Helper()
	ctx := context.Background()
	cfg := store.Config{SQLitePath: filepath.Join(t.TempDir(), "hindsight.db"), Now: fixedNow}
	if dialect == store.DialectPostgres {
		cfg = store.Config{DatabaseURL: pgtest.URL(t), Now: fixedNow}
	}
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// newTestService is the backend the scenario tests drive: the real app over
// a fresh, migrated SQLite database, on the fixed clock.
func newTestService(t *testing.T) Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(t.TempDir(), "hindsight.db"), Now: fixedNow})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return app.New(st, app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler)})
}

// The app is the Service the API is built for; this breaks the build when
// their signatures drift apart.
var _ Service = (*app.App)(nil)
