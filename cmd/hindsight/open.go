package main

import (
	"fmt"

	"github.com/hindsightrca/hindsight/internal/store"
)

// openStore opens the configured database (PostgreSQL when
// HINDSIGHT_DATABASE_URL is set, else SQLite in the data dir) and migrates it.
func (e *env) openStore() (*store.Store, error) {
	if err := ensureDataDir(e.cfg.DataDir); err != nil {
		return nil, err
	}
	s, err := store.Open(e.ctx, store.Config{
		DatabaseURL: e.cfg.DatabaseURL,
		SQLitePath:  e.cfg.SQLitePath(),
		Logger:      e.log,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := s.Migrate(e.ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return s, nil
}

// databaseName says which database is in use, without secrets.
func (e *env) databaseName() string {
	if e.cfg.UsesPostgres() {
		return e.cfg.RedactedDatabaseURL()
	}
	return e.cfg.SQLitePath()
}

type migrateCmd struct{}

// Run applies the migrations.
func (migrateCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	e.log.Info("Database is up to date", "database", e.databaseName(), "dialect", s.Dialect())
	return nil
}
