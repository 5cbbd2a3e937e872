package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// target is the p99 the dashboards must keep (issue 10).
const target = 200 * time.Millisecond

// scenario is one dashboard request.
type scenario struct {
	name string
	run  func(ctx context.Context) error
}

// scenarios are the dashboard requests measured, over a dataset whose
// newest day is today.
func scenarios(a *app.App, today incident.Date) []scenario {
	yearAgo := today.AddDays(-365)
	acts := func(f incident.ActionMetricsFilter) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := a.ActionMetrics(ctx, f); return err }
	}
	incs := func(f incident.IncidentMetricsFilter) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := a.IncidentMetrics(ctx, f); return err }
	}
	return []scenario{
		{"actions", acts(incident.ActionMetricsFilter{})},
		{"actions team", acts(incident.ActionMetricsFilter{Team: "team-03"})},
		{"actions service", acts(incident.ActionMetricsFilter{Service: "svc-05"})},
		{"actions last year", acts(incident.ActionMetricsFilter{From: &yearAgo, To: &today})},
		{"actions owner", acts(incident.ActionMetricsFilter{Owner: "team-01-owner-0"})},
		{"incidents", incs(incident.IncidentMetricsFilter{})},
		{"incidents service", incs(incident.IncidentMetricsFilter{Service: "svc-05"})},
		{"incidents severity", incs(incident.IncidentMetricsFilter{Severity: incident.SEV2})},
		{"incidents last year", incs(incident.IncidentMetricsFilter{From: &yearAgo, To: &today})},
		// The manager's monthly review is built from both dashboards.
		{"monthly report", func(ctx context.Context) error { _, err := a.MonthlyReport(ctx, ""); return err }},
	}
}

// viewers are who asks: an admin sees every incident; a member of one
// group sees the restricted incidents open to it only.
var viewers = []struct {
	name string
	v    incident.Viewer
}{
	{"admin", incident.EveryIncident},
	{"member", incident.Viewer{Principals: []string{"group-3", "user-7@example.com"}}},
}

// result is the latencies of one scenario for one viewer, and the median
// CPU time this process spent per run (the whole cost on SQLite, the
// client's share on PostgreSQL): on a loaded machine the wall-clock
// figures wait for a core, the CPU figure does not.
type result struct {
	dialect, scenario, viewer string
	p50, p90, p99, max        time.Duration
	cpu                       time.Duration
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs each scenario runs times per viewer (after one warm-up run)
// and sums the latencies up.
func measure(ctx context.Context, dialect string, a *app.App, today incident.Date, runs int, progress io.Writer) ([]result, error) {
	var out []result
	for _, sc := range scenarios(a, today) {
		for _, v := range viewers {
			vctx := app.WithViewer(ctx, v.v)
			if err := sc.run(vctx); err != nil {
				return nil, fmt.Errorf("%s as %s: %w", sc.name, v.name, err)
			}
			took, cpu := make([]time.Duration, runs), make([]time.Duration, runs)
			for i := range took {
				t0, c0 := time.Now(), cpuTime()
				if err := sc.run(vctx); err != nil {
					return nil, fmt.Errorf("%s as %s: %w", sc.name, v.name, err)
				}
				took[i], cpu[i] = time.Since(t0), cpuTime()-c0
			}
			r := summarize(took)
			r.cpu = summarize(cpu).p50
			r.dialect, r.scenario, r.viewer = dialect, sc.name, v.name
			fmt.Fprintf(progress, "  %-8s %-20s %-6s p50 %7s p99 %7s\n", dialect, sc.name, v.name, ms(r.p50), ms(r.p99))
			out = append(out, r)
		}
	}
	return out, nil
}

// summarize takes nearest-rank percentiles of took (sorted in place).
func summarize(took []time.Duration) result {
	slices.Sort(took)
	at := func(p float64) time.Duration {
		return took[max(0, min(len(took)-1, int(math.Ceil(p/100*float64(len(took))))-1))]
	}
	return result{p50: at(50), p90: at(90), p99: at(99), max: took[len(took)-1]}
}

// report prints the table: figures, the target and ok/MISS per row.
func report(w io.Writer, rs []result, runs int) {
	fmt.Fprintf(w, "\n%d runs each; p99 target %s\n", runs, ms(target))
	fmt.Fprintf(w, "%-9s %-20s %-7s %9s %9s %9s %9s %9s %8s %s\n", "database", "request", "viewer", "p50", "p90", "p99", "max", "cpu p50", "target", "")
	miss := 0
	for _, r := range rs {
		verdict := "ok"
		if r.p99 > target {
			verdict, miss = "MISS", miss+1
		}
		fmt.Fprintf(w, "%-9s %-20s %-7s %9s %9s %9s %9s %9s %8s %s\n", r.dialect, r.scenario, r.viewer,
			ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), ms(r.cpu), ms(target), verdict)
	}
	fmt.Fprintf(w, "%d of %d rows over the target; load average %s\n", miss, len(rs), loadAverage())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// loadAverage is the machine's 1, 5 and 15 minute load averages, to read
// the wall-clock figures by ("" where /proc is not there).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ") + fmt.Sprintf(" on %d CPUs", runtime.NumCPU())
}
