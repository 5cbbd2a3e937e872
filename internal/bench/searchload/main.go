// Command searchload benchmarks incident search (issue 7): it generates
// corpora of synthetic incidents by recombining the real post-mortems
// (internal/bench/pmcorpus) and measures, on the same corpus and the same
// query set,
//
//   - ours: the bleve index of package search — full rebuild rate and peak
//     RSS, search latency with facets and highlights, similar incidents by
//     id, RSS while serving;
//   - PostgreSQL full-text search as Netflix Dispatch does it (stored
//     weighted tsvector, GIN index, websearch_to_tsquery, ts_rank), ranked
//     page only and with total and facets;
//   - ILIKE '%term%' over the same table, as Etsy's Morgue does it;
//   - SQLite FTS5 (bm25, snippet, total);
//
// then scores similar incidents on the real post-mortems against their
// authors' categories and keywords (nDCG@5, precision@5) beside PostgreSQL
// ts_rank and a random ranking. Figures are printed beside the issue's
// targets (PASS/MISS); a miss never fails the run.
//
//	go run ./internal/bench/searchload                  # 10k and 100k
//	go run ./internal/bench/searchload -sizes 2000      # smoke run
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/bench/memwatch"
	"github.com/hindsightrca/hindsight/internal/bench/pmcorpus"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "searchload:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	sizes      []int
	queries    int
	seed       int64
	pmDir      string
	dbURL      string
	skipPG     bool
	skipSQLite bool
	skipILike  bool
	skipRel    bool
	oursRuns   int
	pgRuns     int
	sqlRuns    int
	ilikeRuns  int
	similar    int
	streams    int
	budget     time.Duration
	perQuery   bool
	cpuprofile string
	tmp        string
}

func parseFlags() (config, error) {
	var cfg config
	sizes := flag.String("sizes", "10000,100000", "corpus sizes (incidents), comma separated")
	flag.IntVar(&cfg.queries, "queries", 0, "use the first N queries of the query set (0: all "+strconv.Itoa(len(queryText))+")")
	flag.Int64Var(&cfg.seed, "seed", 1, "corpus seed")
	flag.StringVar(&cfg.pmDir, "postmortems", "", "post-mortems directory (default: $"+pmcorpus.EnvDir+" or shared/corpus/postmortems above the working dir)")
	flag.StringVar(&cfg.dbURL, "database-url", os.Getenv("HINDSIGHT_BENCH_DATABASE_URL"), "PostgreSQL superuser URL (default: start a throwaway cluster)")
	flag.BoolVar(&cfg.skipPG, "skip-postgres", false, "skip PostgreSQL (ts_rank and ILIKE, and its relevance column)")
	flag.BoolVar(&cfg.skipSQLite, "skip-sqlite", false, "skip SQLite FTS5")
	flag.BoolVar(&cfg.skipILike, "skip-ilike", false, "skip the ILIKE scans")
	flag.BoolVar(&cfg.skipRel, "skip-relevance", false, "skip the relevance check")
	flag.IntVar(&cfg.oursRuns, "runs", 10, "timed runs of each query on ours (after one warm-up run)")
	flag.IntVar(&cfg.pgRuns, "pg-runs", 3, "timed runs of each query on PostgreSQL ts_rank and SQLite FTS5")
	flag.IntVar(&cfg.ilikeRuns, "ilike-runs", 1, "timed runs of each ILIKE query")
	flag.IntVar(&cfg.similar, "similar", 200, "random incidents to ask similar incidents for")
	flag.IntVar(&cfg.streams, "copy-streams", 2, "parallel COPY streams loading PostgreSQL")
	flag.DurationVar(&cfg.budget, "budget", 40*time.Second, "time budget per slow backend and corpus; queries left when it runs out are skipped")
	flag.BoolVar(&cfg.perQuery, "per-query", false, "also print each query's result count and median time per backend")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write CPU profiles of our rebuild and of our queries to FILE.<size>.rebuild and FILE.<size>.search")
	flag.Parse()
	cfg.sqlRuns = cfg.pgRuns
	for _, s := range strings.Split(*sizes, ",") {
		if strings.TrimSpace(s) == "" || strings.TrimSpace(s) == "0" {
			continue // -sizes 0: the relevance check only
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-sizes: %q is not a positive number", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	return cfg, nil
}

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	if cfg.pmDir == "" {
		if cfg.pmDir, err = pmcorpus.FindDir(); err != nil {
			return err
		}
	}
	pms, err := pmcorpus.Load(cfg.pmDir)
	if err != nil {
		return err
	}
	gen, err := pmcorpus.NewGenerator(pms, cfg.seed)
	if err != nil {
		return err
	}
	if cfg.tmp, err = os.MkdirTemp("", "hindsight-searchload-"); err != nil {
		return err
	}
	defer os.RemoveAll(cfg.tmp)
	qs := queries(cfg.queries, gen.IPs()[0])

	fmt.Printf("searchload: %d post-mortems from %s; go %s, GOMAXPROCS %d, %d CPUs\n",
		len(pms), cfg.pmDir, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	genRate, avgText, avgEvents := generationRate(gen, 1000)
	fmt.Printf("generator: %.0f incidents/s; %.1f KB of text and %.0f timeline events per incident on average\n",
		genRate, avgText/1024, avgEvents)
	fmt.Printf("query set (%d): %s\n", len(qs), strings.Join(qs, " | "))

	var pgURL string
	if !cfg.skipPG {
		u, stop, err := postgres(ctx, cfg)
		if err != nil {
			fmt.Printf("postgres: unavailable, its columns are left out: %v\n", err)
		} else {
			defer stop()
			pgURL = u
			var version string
			if c, err := pgx.Connect(ctx, u); err == nil {
				_ = c.QueryRow(ctx, "SHOW server_version").Scan(&version)
				c.Close(ctx)
			}
			fmt.Printf("postgres: %s\n", version)
		}
	}

	var last *sizeReport
	for _, n := range cfg.sizes {
		r, err := runSize(ctx, cfg, n, gen, qs, pgURL)
		if err != nil {
			return fmt.Errorf("%d incidents: %w", n, err)
		}
		r.print()
		last = r
	}

	var rel *relevanceResult
	if !cfg.skipRel {
		if rel, err = runRelevance(ctx, cfg, pms, pgURL); err != nil {
			return fmt.Errorf("relevance: %w", err)
		}
		rel.print(len(pms))
	}
	printTargets(last, rel)
	fmt.Printf("total run time %s\n", time.Since(start).Round(time.Second))
	return nil
}

// generationRate times the generator alone, so that its share of the
// rebuild and load rates (which include generating) is known.
func generationRate(gen *pmcorpus.Generator, n int) (rate, avgText, avgEvents float64) {
	t0 := time.Now()
	var text, events int
	for i := range n {
		d := gen.Doc(i)
		events += len(d.Events)
		f := flatten(&d)
		text += f.textBytes()
	}
	el := time.Since(t0)
	return float64(n) / el.Seconds(), float64(text) / float64(n), float64(events) / float64(n)
}

// postgres returns the URL of an empty database: on -database-url's server
// or in a throwaway cluster; stop drops or stops it.
func postgres(ctx context.Context, cfg config) (dbURL string, stop func(), err error) {
	if cfg.dbURL != "" {
		c, err := pgx.Connect(ctx, cfg.dbURL)
		if err != nil {
			return "", nil, err
		}
		defer c.Close(ctx)
		name := fmt.Sprintf("searchload_%d", os.Getpid())
		if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return "", nil, err
		}
		u, err := withDatabase(cfg.dbURL, name)
		if err != nil {
			return "", nil, err
		}
		return u, func() {
			if c, err := pgx.Connect(context.Background(), cfg.dbURL); err == nil {
				_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				c.Close(context.Background())
			}
		}, nil
	}
	// Tuned like a modest dedicated server, so PostgreSQL is not starved.
	return pgtest.StartServer("shared_buffers=512MB", "work_mem=64MB", "maintenance_work_mem=512MB",
		"max_wal_size=4GB", "effective_cache_size=4GB")
}

// withDatabase replaces the database (path) of a postgres:// URL.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
		return "", errors.New("-database-url must be a postgres:// URL")
	}
	p.Path = "/" + name
	return p.String(), nil
}

// sizeReport is everything measured on one corpus.
type sizeReport struct {
	n                   int
	ours                *oursResult
	pgLoad              *pgLoad
	pgRank, pgFull, ilk *latencies
	sqlite              *sqliteResult
	queries             int
	qs                  []string
	perQuery            bool
	budget              time.Duration
	notes               []string
}

// runSize measures every backend on a corpus of n incidents.
func runSize(ctx context.Context, cfg config, n int, gen *pmcorpus.Generator, qs []string, pgURL string) (*sizeReport, error) {
	r := &sizeReport{n: n, queries: len(qs), qs: qs, perQuery: cfg.perQuery, budget: cfg.budget}
	fmt.Printf("\n== %d incidents ==\n", n)
	src := genSource{n: n, doc: gen.Doc}

	phase("ours: rebuild and queries")
	ours, err := runOurs(ctx, cfg, src, qs)
	if err != nil {
		return nil, fmt.Errorf("ours: %w", err)
	}
	r.ours = ours
	if ours.search.err != nil {
		r.notes = append(r.notes, "ours: "+ours.search.err.Error())
	}
	if ours.similar.err != nil {
		r.notes = append(r.notes, "ours similar: "+ours.similar.err.Error())
	}
	memwatch.Reset()

	if pgURL != "" {
		table := fmt.Sprintf("incidents_%d", n)
		phase("postgres: COPY, GIN index")
		load, err := loadPG(ctx, pgURL, table, n, cfg.streams, gen.Doc)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		r.pgLoad = &load
		conn, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			return nil, err
		}
		p := pgSearcher{conn: conn, table: table}
		phase("postgres: ts_rank")
		r.pgRank = measure(ctx, qs, cfg.pgRuns, cfg.budget, p.rank)
		phase("postgres: ts_rank + count + facets")
		r.pgFull = measure(ctx, qs, cfg.pgRuns, cfg.budget, p.full)
		if !cfg.skipILike {
			phase("postgres: ILIKE")
			r.ilk = measure(ctx, qs, cfg.ilikeRuns, cfg.budget, p.ilike)
		}
		_, _ = conn.Exec(ctx, "DROP TABLE IF EXISTS "+table)
		conn.Close(ctx)
		for name, l := range map[string]*latencies{"ts_rank": r.pgRank, "ts_rank+facets": r.pgFull, "ILIKE": r.ilk} {
			if l != nil && l.err != nil {
				r.notes = append(r.notes, "postgres "+name+": "+l.err.Error())
			}
		}
	}
	if !cfg.skipSQLite {
		phase("sqlite: FTS5 load and queries")
		s, err := runSQLite(ctx, cfg, n, gen.Doc, qs)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		r.sqlite = s
		if s.search.err != nil {
			r.notes = append(r.notes, "sqlite: "+s.search.err.Error())
		}
	}
	return r, nil
}

// phase says on stderr what runs now, so a long run shows progress
// without cluttering the report.
func phase(s string) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), s)
}
