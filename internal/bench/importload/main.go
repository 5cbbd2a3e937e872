// Command importload measures the Slack export import: it writes a
// synthetic export (internal/bench/slackgen) into a temp dir, then
//
//  1. parses it with the Slack importer into a counting sink;
//  2. parses and stores it through app.ImportTimeline into a fresh SQLite
//     data dir (one transaction, events stored in chunks as they come);
//  3. does the same on PostgreSQL when -database-url (or
//     HINDSIGHT_BENCH_DATABASE_URL) is set;
//
// printing messages per second and each phase's peak memory (the largest
// sampled Go heap and the process's peak resident set, VmHWM, reset between
// phases). Figures are printed, never asserted: the machines are shared and
// noisy.
//
//	go run ./internal/bench/importload -messages 200000
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
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/slack"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/bench/memwatch"
	"github.com/hindsightrca/hindsight/internal/bench/slackgen"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "importload:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	messages     int
	dbURL        string
	skipSQLite   bool
	cpuprofile   string
	storeProfile string
}

func run() error {
	var cfg config
	flag.IntVar(&cfg.messages, "messages", 200000, "message records in the synthetic export")
	flag.StringVar(&cfg.dbURL, "database-url", os.Getenv("HINDSIGHT_BENCH_DATABASE_URL"), "PostgreSQL URL for the PostgreSQL store phase (empty: skipped)")
	flag.BoolVar(&cfg.skipSQLite, "skip-sqlite", false, "skip the SQLite store phase")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the parse phase to this file")
	flag.StringVar(&cfg.storeProfile, "store-cpuprofile", "", "write a CPU profile of the SQLite store phase to this file")
	flag.Parse()

	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hindsight-importload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	export := filepath.Join(dir, "export")
	if err := os.Mkdir(export, 0o755); err != nil {
		return err
	}
	start := time.Now()
	st, err := slackgen.Generate(export, slackgen.Options{Messages: cfg.messages})
	if err != nil {
		return fmt.Errorf("generate export: %w", err)
	}
	fmt.Printf("export: %d records (%d replies, %d message_changed, %d bot, %d with files) in %d day files, %.1f MB, %s to %s; written in %s\n",
		st.Messages, st.Replies, st.Edits, st.Bots, st.Files, st.DayFiles, float64(st.Bytes)/(1<<20),
		st.From.Format("2006-01-02"), st.To.Format("2006-01-02"), time.Since(start).Round(time.Millisecond))
	fmt.Printf("go %s, GOMAXPROCS %d, %d CPUs\n", runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	in := importers.Input{Name: export, FS: os.DirFS(export)}

	fmt.Printf("%-26s %9s %9s %10s %10s %11s %10s\n", "phase", "events", "rejected", "time", "msgs/s", "peak heap", "peak RSS")
	if err := parsePhase(ctx, in, st, cfg.cpuprofile); err != nil {
		return err
	}
	if !cfg.skipSQLite {
		sc := store.Config{SQLitePath: filepath.Join(dir, "data", "hindsight.db")}
		if err := os.MkdirAll(filepath.Dir(sc.SQLitePath), 0o755); err != nil {
			return err
		}
		if err := storePhase(ctx, "parse+store sqlite", sc, in, st, cfg.storeProfile); err != nil {
			return err
		}
	}
	if cfg.dbURL != "" {
		if err := storePhase(ctx, "parse+store postgres", store.Config{DatabaseURL: cfg.dbURL}, in, st, ""); err != nil {
			return err
		}
	}
	fmt.Println("msgs/s counts every record of the day files; targets (issue #4): parse >= 100,000 msgs/s, store >= 20,000 msgs/s, memory bounded")
	return nil
}

// countSink counts what the parser hands over and keeps nothing.
type countSink struct {
	events, rejected, bodyBytes int
}

func (s *countSink) Event(e incident.TimelineEvent) error {
	s.events++
	s.bodyBytes += len(e.Body)
	return nil
}

func (s *countSink) Reject(importers.Rejection) { s.rejected++ }

// parsePhase runs the Slack importer alone.
func parsePhase(ctx context.Context, in importers.Input, st slackgen.Stats, profile string) error {
	stopProfile, err := startProfile(profile)
	if err != nil {
		return err
	}
	memwatch.Reset()
	w := memwatch.Start(0)
	var sink countSink
	start := time.Now()
	err = slack.NewImporter().Parse(ctx, in, importers.Options{}, &sink)
	el := time.Since(start)
	peak := w.Stop()
	stopProfile()
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	report("parse (counting sink)", sink.events, sink.rejected, st.Messages, el, peak)
	if sink.events != st.Events() {
		fmt.Printf("  note: %d events, the export should give %d\n", sink.events, st.Events())
	}
	return nil
}

// storePhase imports the export into a fresh incident of a freshly
// migrated database.
func storePhase(ctx context.Context, name string, cfg store.Config, in importers.Input, st slackgen.Stats, profile string) error {
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := store.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return fmt.Errorf("%s: migrate: %w", name, err)
	}
	a := app.New(s, app.Options{Logger: cfg.Logger})
	inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Import benchmark", StartedAt: &st.From})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	from, to := st.From.Add(-time.Hour), st.To.Add(24*time.Hour)
	stopProfile, err := startProfile(profile)
	if err != nil {
		return err
	}
	memwatch.Reset()
	w := memwatch.Start(0)
	start := time.Now()
	rep, err := a.ImportTimeline(ctx, inc.Key, slack.NewImporter(), in, app.ImportOptions{From: &from, To: &to, SkipInvalid: true})
	el := time.Since(start)
	peak := w.Stop()
	stopProfile()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	report(name, rep.Added, rep.Rejected, st.Messages, el, peak)
	if rep.Duplicates > 0 || rep.Filtered > 0 {
		fmt.Printf("  note: %d duplicates, %d outside the window\n", rep.Duplicates, rep.Filtered)
	}
	return nil
}

func report(name string, events, rejected, records int, el time.Duration, p memwatch.Peak) {
	fmt.Printf("%-26s %9d %9d %10s %10.0f %8.1f MB %7.1f MB\n", name, events, rejected, el.Round(time.Millisecond),
		float64(records)/el.Seconds(), memwatch.MB(p.HeapBytes), memwatch.MB(p.RSSBytes))
}

// startProfile starts a CPU profile into file, if one is asked for, and
// returns what stops it.
func startProfile(file string) (func(), error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
