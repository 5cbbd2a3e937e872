package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/slack"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/bench/memwatch"
	"github.com/hindsightrca/hindsight/internal/bench/slackgen"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// benchMessages is the size of the synthetic Slack export (issue #4: parse
// and store 200,000 messages); -short uses a tenth.
const benchMessages = 200000

// BenchmarkImportSlack parses a synthetic Slack export and stores it through
// ImportTimeline into a fresh database of each dialect (PostgreSQL from
// pgtest's throwaway cluster), reporting messages per second and the peak
// Go heap and resident set of the import. Run it once per database:
//
//	go test -run '^$' -bench ImportSlack -benchtime 1x ./internal/app/
//
// Figures are reported, never asserted. internal/bench/importload measures
// the parser alone as well.
func BenchmarkImportSlack(b *testing.B) {
	n := benchMessages
	if testing.Short() {
		n /= 10
	}
	export := b.TempDir()
	st, err := slackgen.Generate(export, slackgen.Options{Messages: n})
	if err != nil {
		b.Fatal(err)
	}
	in := importers.Input{Name: export, FS: os.DirFS(export)}
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var spent time.Duration
			var peak memwatch.Peak
			for range b.N {
				b.StopTimer()
				a := benchApp(b, dialect)
				ctx := context.Background()
				inc, err := a.CreateIncident(ctx, incident.Incident{Title: "Import benchmark", StartedAt: &st.From})
				if err != nil {
					b.Fatal(err)
				}
				from, to := st.From.Add(-time.Hour), st.To.Add(24*time.Hour)
				memwatch.Reset()
				w := memwatch.Start(0)
				start := time.Now()
				b.StartTimer()
				rep, err := a.ImportTimeline(ctx, inc.Key, slack.NewImporter(), in, app.ImportOptions{From: &from, To: &to})
				b.StopTimer()
				spent += time.Since(start)
				p := w.Stop()
				peak.HeapBytes, peak.RSSBytes = max(peak.HeapBytes, p.HeapBytes), max(peak.RSSBytes, p.RSSBytes)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Added != st.Events() {
					b.Fatalf("import added %d events, want %d (%d duplicates, %d rejected, %d filtered)",
						rep.Added, st.Events(), rep.Duplicates, rep.Rejected, rep.Filtered)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(st.Messages*b.N)/spent.Seconds(), "msgs/s")
			b.ReportMetric(memwatch.MB(peak.HeapBytes), "peak-heap-MB")
			b.ReportMetric(memwatch.MB(peak.RSSBytes), "peak-rss-MB")
		})
	}
}

// benchApp opens a fresh, migrated database of the dialect.
func benchApp(b *testing.B, dialect string) *app.App {
	b.Helper()
	cfg := store.Config{SQLitePath: filepath.Join(b.TempDir(), "h.db")}
	if dialect == "postgres" {
		cfg = store.Config{DatabaseURL: pgtest.URL(b)}
	}
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return app.New(s, app.Options{})
}
