// Command dashload measures the dashboards (GET /metrics/actions and
// /metrics/incidents, through the app layer the handlers call) on a large
// generated dataset: by default 100,000 incidents over five years and about
// 300,000 corrective actions, written straight into a fresh SQLite file (the
// embedded default) and a throwaway PostgreSQL cluster. It prints p50, p90
// and p99 per request and viewer beside the 200 ms p99 target. Figures are
// printed, never asserted: the machines are shared and noisy.
//
//	go run ./internal/bench/dashload                      # the size, both databases
//	go run ./internal/bench/dashload -incidents 10000     # quicker, for iterating
//	go run ./internal/bench/dashload -dialects sqlite -runs 20
//	go run ./internal/bench/dashload -sql                 # also the SQL fallback, for comparison
//
// The rows are those of the handlers' path: the app with the dashboards'
// in-memory projection loaded (its load time and heap are printed first);
// -sql adds rows "<database>/sql" of the same requests computed in SQL.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dashload:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("incidents", 100000, "incidents to generate (about 3 actions each)")
	runs := flag.Int("runs", 50, "timed runs per request and viewer")
	dialects := flag.String("dialects", "sqlite,postgres", "databases to measure, comma-separated")
	dbURL := flag.String("database-url", os.Getenv("HINDSIGHT_BENCH_DATABASE_URL"),
		"a PostgreSQL database to fill, or to reuse when it has incidents (empty: start a throwaway cluster)")
	sqlitePath := flag.String("sqlite-path", "", "a SQLite file to fill and keep, or to reuse when it has incidents (empty: a temporary file)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measuring to this file")
	withSQL := flag.Bool("sql", false, "also measure the dashboards computed in SQL (the fallback while the projection loads)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	ctx := context.Background()
	now := time.Now().UTC()
	t0 := time.Now()
	ds := generate(*n, now)
	ts := tables(ds)
	fmt.Printf("generated %d incidents and %d actions in %s\n", len(ds.incidents), len(ds.actions), time.Since(t0).Round(time.Millisecond))
	var (
		all   []result
		loads []string // the projections' load figures, repeated under the table
	)
	for _, d := range strings.Split(*dialects, ",") {
		rs, load, err := bench(ctx, strings.TrimSpace(d), *dbURL, *sqlitePath, ts, now, *runs, *withSQL)
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		all, loads = append(all, rs...), append(loads, load)
	}
	report(os.Stdout, all, *runs)
	for _, l := range loads {
		fmt.Println(l)
	}
	return nil
}

// bench fills a fresh database of dialect with ts (or reuses a filled one,
// migrating it to the current schema) and measures it.
func bench(ctx context.Context, dialect, dbURL, sqlitePath string, ts []table, now time.Time, runs int, withSQL bool) ([]result, string, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := store.Config{Logger: quiet}
	switch dialect {
	case store.DialectSQLite:
		cfg.SQLitePath = sqlitePath
		if sqlitePath == "" {
			dir, err := os.MkdirTemp("", "hindsight-dashload-")
			if err != nil {
				return nil, "", err
			}
			defer os.RemoveAll(dir)
			cfg.SQLitePath = filepath.Join(dir, "hindsight.db")
		}
	case store.DialectPostgres:
		if dbURL == "" {
			url, stop, err := pgtest.StartServer("shared_buffers=256MB", "work_mem=16MB", "maintenance_work_mem=256MB",
				"max_wal_size=2GB", "effective_cache_size=2GB")
			if err != nil {
				return nil, "", err
			}
			defer stop()
			dbURL = url
		}
		cfg.DatabaseURL = dbURL
	default:
		return nil, "", fmt.Errorf("unknown database %q (want sqlite or postgres)", dialect)
	}
	s, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return nil, "", err
	}
	db, err := s.DB()
	if err != nil {
		return nil, "", err
	}
	var have int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM incidents").Scan(&have); err != nil {
		return nil, "", err
	}
	if have > 0 {
		fmt.Printf("%s: reusing %d incidents (now and the data are those of that run only when -incidents matches)\n", dialect, have)
	} else {
		t0 := time.Now()
		if dialect == store.DialectSQLite {
			err = loadSQLite(ctx, db, ts)
		} else {
			err = loadPostgres(ctx, dbURL, ts)
		}
		if err != nil {
			return nil, "", err
		}
		fmt.Printf("%s: loaded in %s\n", dialect, time.Since(t0).Round(time.Millisecond))
	}
	clock := func() time.Time { return now }
	var out []result
	if withSQL {
		a := app.New(s, app.Options{Logger: quiet, Location: time.UTC, Now: clock})
		rs, err := measure(ctx, dialect+"/sql", a, incident.DateOf(now), runs, os.Stdout)
		if err != nil {
			return nil, "", err
		}
		out = append(out, rs...)
	}
	// The handlers' path: the app with the dashboards' projection loaded.
	dash, line, err := loadProjection(ctx, dialect, s, quiet)
	if err != nil {
		return nil, "", err
	}
	a := app.New(s, app.Options{Logger: quiet, Location: time.UTC, Now: clock, Dashboard: dash})
	rs, err := measure(ctx, dialect, a, incident.DateOf(now), runs, os.Stdout)
	if err != nil {
		return nil, "", err
	}
	return append(out, rs...), line, nil
}

// loadProjection loads the dashboards' projection and prints how long it
// took and the heap it holds.
func loadProjection(ctx context.Context, dialect string, s *store.Store, log *slog.Logger) (*dashboard.Projection, string, error) {
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	dash := dashboard.New(s, log)
	if err := dash.Load(ctx); err != nil {
		return nil, "", err
	}
	st := dash.Stats()
	after := heap()
	line := fmt.Sprintf("%s: projection of %d incidents and %d actions loaded in %s, heap %.1f MB", dialect, st.Incidents, st.Actions,
		st.Took.Round(time.Millisecond), float64(int64(after)-int64(before))/(1<<20))
	fmt.Println(line)
	return dash, line, nil
}
