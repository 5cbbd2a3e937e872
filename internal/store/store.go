// Package store is all database access of Hindsight, on SQLite (embedded
// default) and PostgreSQL (production), through gorm. It maps private record
// structs to and from the domain types of package incident; gorm never leaks
// out of this package.
//
// Times are stored in UTC with microsecond precision. PostgreSQL keeps them
// in TIMESTAMPTZ columns; SQLite in TEXT columns as fixed-width strings
// "2006-01-02T15:04:05.000000Z" (see dbTime), so that comparing and sorting
// the text compares and sorts the times.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/migrations"
)

// Dialect names.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Config says which database to open.
type Config struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://; otherwise SQLitePath is used.
	DatabaseURL string
	// SQLitePath is the SQLite database file; its directory must exist.
	SQLitePath string
	// Logger receives warnings about slow queries; nil discards them.
	Logger *slog.Logger
	// Now is the clock for created_at/updated_at; nil means time.Now.
	Now func() time.Time
}

// Store is a handle on the database. A Store passed to an InTx callback runs
// every call inside that transaction.
type Store struct {
	db      *gorm.DB
	dialect string
	log     *slog.Logger
	now     func() time.Time
	inTx    bool
	// dsn is the PostgreSQL URL, for the LISTEN connection of the change feed.
	dsn string
	// clockSet says Config.Now was given (tests): job leases then judge
	// expiry by it instead of by PostgreSQL's clock.
	clockSet bool
}

// slowQuery is how long a query may take before it is logged.
const slowQuery = 500 * time.Millisecond

// Open connects to the database cfg names. It does not migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{log: cfg.Logger, now: cfg.Now, clockSet: cfg.Now != nil}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	gcfg := &gorm.Config{
		Logger:                 &quietLogger{log: s.log},
		SkipDefaultTransaction: true,
		TranslateError:         true,
		NowFunc:                func() time.Time { return incident.UTC(s.now()) },
	}
	var dialector gorm.Dialector
	if isPostgresURL(cfg.DatabaseURL) {
		s.dialect = DialectPostgres
		s.dsn = cfg.DatabaseURL
		dialector = postgres.Open(cfg.DatabaseURL)
	} else {
		if cfg.SQLitePath == "" {
			return nil, errors.New("store: neither a PostgreSQL URL nor a SQLite path is configured")
		}
		if fi, err := os.Stat(filepath.Dir(cfg.SQLitePath)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("store: directory of the SQLite database %s does not exist", cfg.SQLitePath)
		}
		s.dialect = DialectSQLite
		dialector = sqlite.Open(sqliteDSN(cfg.SQLitePath))
	}
	db, err := gorm.Open(dialector, gcfg)
	// Processes opening a new SQLite file together race to switch it to
	// WAL, which SQLite refuses at once with SQLITE_BUSY (the busy timeout
	// does not cover it): the loser waits and opens again.
	for attempt := 1; err != nil && s.dialect == DialectSQLite && isBusy(err) && attempt <= 20; attempt++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt) * 25 * time.Millisecond):
		}
		db, err = gorm.Open(dialector, gcfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.dialect, err)
	}
	s.db = db
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if s.dialect == DialectSQLite {
		// One writer at a time anyway; a few readers share WAL snapshots.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	} else {
		sqlDB.SetMaxOpenConns(25)
		sqlDB.SetMaxIdleConns(25)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: ping %s: %w", s.dialect, err)
	}
	return s, nil
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	return strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked")
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// sqliteDSN returns the modernc DSN for path: WAL, a busy timeout, foreign
// keys, synchronous NORMAL, and BEGIN IMMEDIATE for every transaction so that
// two read-then-write transactions queue for the write lock up front instead
// of one failing with SQLITE_BUSY when it upgrades its read lock.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_txlock", "immediate")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	return "file:" + path + "?" + q.Encode()
}

// Migrate applies every pending migration. It is idempotent; on PostgreSQL a
// session advisory lock makes replicas that start together take turns, and on
// SQLite a process that loses a race with another retries.
func (s *Store) Migrate(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	fsys, err := migrations.FS(s.dialect)
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, sqlDB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	// goose has no locker for SQLite: two processes migrating one file can
	// both plan version N, and the second fails once the first commits it.
	// Every migration runs in a transaction, so trying again is safe and
	// finds the work done.
	for try := 1; err != nil && s.dialect == DialectSQLite && try < 5; try++ {
		time.Sleep(time.Duration(try) * 50 * time.Millisecond)
		res, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range res {
		s.log.Info("Applied migration", "version", r.Source.Version, "dialect", s.dialect, "duration", r.Duration)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.WithContext(ctx).Exec("SELECT 1").Error
}

// Dialect returns "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// DB returns the underlying database/sql handle, for what gorm does not do
// (LISTEN on PostgreSQL goes through pgx directly; backups on SQLite).
func (s *Store) DB() (*sql.DB, error) { return s.db.DB() }

// InTx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise. A Store that is already in a transaction reuses it.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.inTx {
		return fn(s)
	}
	return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		tx := *s
		tx.db = gtx
		tx.inTx = true
		return fn(&tx)
	})
}

// conn returns the gorm handle for one call.
func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// translate maps a driver error to gorm's portable ones (ErrDuplicatedKey,
// ErrForeignKeyViolated, ...); gorm does it itself except for Raw(...).Rows().
func (s *Store) translate(err error) error {
	if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}

// nowUTC is the store's clock at the precision the databases keep.
func (s *Store) nowUTC() time.Time { return incident.UTC(s.now()) }

// quietLogger keeps gorm silent except for slow queries: errors are returned
// to callers, who decide whether they matter (a conflict or a not-found is
// routine). Slow queries are logged without their arguments.
type quietLogger struct{ log *slog.Logger }

func (l *quietLogger) LogMode(gormlogger.LogLevel) gormlogger.Interface { return l }
func (l *quietLogger) Info(context.Context, string, ...any)             {}
func (l *quietLogger) Warn(context.Context, string, ...any)             {}
func (l *quietLogger) Error(context.Context, string, ...any)            {}

// ParamsFilter drops query arguments from what is logged: they hold user text.
func (l *quietLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func (l *quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if d := time.Since(begin); d > slowQuery {
		sql, rows := fc()
		if len(sql) > 300 {
			sql = sql[:300] + "…"
		}
		l.log.WarnContext(ctx, "Slow query", "duration", d, "rows", rows, "sql", sql)
	}
}
