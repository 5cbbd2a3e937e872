// Package pgtest gives tests a fresh, empty PostgreSQL database each.
//
// With HINDSIGHT_TEST_POSTGRES_URL set (a superuser URL such as
// postgres://postgres@db:5432/postgres?sslmode=disable) the databases are
// created on that server. Otherwise the first call to URL starts one
// throwaway cluster for the whole test process from the system's PostgreSQL
// binaries (/usr/lib/postgresql/<highest>/bin, else PATH), as the postgres
// user when the tests run as root.
//
// A package that uses URL must stop that cluster when its tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// When PostgreSQL cannot be started, URL skips the test, except when the CI
// environment variable is set: then it fails, so CI never silently skips the
// PostgreSQL half of the suite.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding an external server's superuser URL.
const EnvURL = "HINDSIGHT_TEST_POSTGRES_URL"

// The cluster of this test process. A test helper is the one place where
// process-wide state is the point: every test in the binary shares it.
var (
	once       sync.Once
	shared     *server
	startErr   error
	dbCounter  atomic.Int64
	versionLog sync.Once
)

// server is a PostgreSQL server that databases are created in.
type server struct {
	adminURL string // superuser URL of the maintenance database
	version  string
	cluster  *cluster // nil for an external server
}

// Main runs the tests of a package and then stops the cluster that URL may
// have started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop shuts the per-process cluster down, if one was started. Main calls it;
// it is exported for a TestMain that needs to do more work after m.Run.
func Stop() {
	if shared != nil && shared.cluster != nil {
		shared.cluster.stop()
	}
}

// URL creates an empty database for this test and returns its URL. The
// database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared, startErr = start() })
	if startErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pgtest: PostgreSQL is required in CI (CI=%q) but unavailable: %v", os.Getenv("CI"), startErr)
		}
		t.Skipf("pgtest: PostgreSQL unavailable, skipping (set %s or install PostgreSQL): %v", EnvURL, startErr)
	}
	versionLog.Do(func() { t.Logf("postgres: %s", shared.version) })

	name := fmt.Sprintf("hindsight_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, dbCounter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := shared.exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := shared.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := withDatabase(shared.adminURL, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

func start() (*server, error) {
	if u := os.Getenv(EnvURL); u != "" {
		s := &server{adminURL: u}
		return s, s.probe(10 * time.Second)
	}
	c, err := startCluster()
	if err != nil {
		return nil, err
	}
	s := &server{adminURL: c.url, cluster: c}
	if err := s.probe(30 * time.Second); err != nil {
		out := c.log()
		c.stop()
		return nil, fmt.Errorf("%w\n%s", err, out)
	}
	return s, nil
}

// probe waits until the server accepts connections and records its version.
func (s *server) probe(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, s.adminURL)
		if err == nil {
			err = conn.QueryRow(ctx, "SELECT version()").Scan(&s.version)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		if s.cluster != nil && s.cluster.exited() {
			return fmt.Errorf("postgres exited during startup: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within %s: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns u with its database (path) replaced by name.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvURL)
	}
	p.Path = "/" + name
	if !strings.Contains(p.RawQuery, "sslmode=") && p.Hostname() == "127.0.0.1" {
		q := p.Query()
		q.Set("sslmode", "disable")
		p.RawQuery = q.Encode()
	}
	return p.String(), nil
}

// StartServer starts a throwaway PostgreSQL cluster outside a test (for
// benchmarks), with extra server settings ("shared_buffers=512MB"), and
// returns its superuser URL and the function that stops it and removes
// its files.
func StartServer(settings ...string) (url string, stop func(), err error) {
	c, err := startCluster(settings...)
	if err != nil {
		return "", nil, err
	}
	s := &server{adminURL: c.url, cluster: c}
	if err := s.probe(30 * time.Second); err != nil {
		out := c.log()
		c.stop()
		return "", nil, fmt.Errorf("%w\n%s", err, out)
	}
	return c.url, c.stop, nil
}
