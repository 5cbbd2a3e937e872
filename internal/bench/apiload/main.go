// Command apiload measures the API on the embedded default: it seeds a fresh
// SQLite data dir with incidents and timeline events, serves the real handler
// on loopback and drives it with concurrent keep-alive clients, printing
// requests per second and latency percentiles. Figures are printed, never
// asserted: the machines are shared and noisy.
//
//	go run ./internal/bench/apiload -incidents 10000 -events 50 -duration 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/api"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

func run() error {
	incidents := flag.Int("incidents", 10000, "incidents to seed")
	events := flag.Int("events", 50, "timeline events per incident")
	duration := flag.Duration("duration", 8*time.Second, "how long each scenario runs")
	workers := flag.Int("concurrency", 16, "concurrent clients")
	dbURL := flag.String("database-url", os.Getenv("HINDSIGHT_BENCH_DATABASE_URL"), "PostgreSQL URL (empty: embedded SQLite)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the load phase to this file")
	flag.Parse()

	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hindsight-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := store.Open(ctx, store.Config{DatabaseURL: *dbURL, SQLitePath: filepath.Join(dir, "hindsight.db"), Logger: quiet})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	a := app.New(s, app.Options{Logger: quiet})

	fmt.Printf("database: %s; seeding %d incidents x %d events\n", s.Dialect(), *incidents, *events)
	start := time.Now()
	ids, err := seed(ctx, a, *incidents, *events)
	if err != nil {
		return err
	}
	el := time.Since(start)
	total := *incidents * *events
	fmt.Printf("seed: %d incidents, %d events in %s (%.0f events/s through the app: one transaction per incident and per append)\n",
		len(ids), total, el.Round(time.Millisecond), float64(total)/el.Seconds())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// The API answers signed-in callers only: the load runs as an admin's
	// read token, as a script would.
	admin, _, err := a.CreateUser(ctx, app.NewUser{Email: "bench@localhost", Role: incident.RoleAdmin, Password: "bench-password-not-secret"})
	if err != nil {
		return err
	}
	_, token, err := a.CreateToken(ctx, app.NewToken{UserID: admin.ID, Name: "apiload"})
	if err != nil {
		return err
	}
	bearer = "Bearer " + token
	srv := &http.Server{Handler: api.New(api.Deps{Service: a, Logger: quiet})}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/api/v1"

	scenarios := []struct {
		name string
		url  func(r *rand.Rand) string
	}{
		{"GET /incidents/{id}", func(r *rand.Rand) string { return base + "/incidents/" + strconv.FormatInt(ids[r.IntN(len(ids))], 10) }},
		{"GET /incidents/{key}", func(r *rand.Rand) string { return base + "/incidents/" + incident.FormatKey(ids[r.IntN(len(ids))]) }},
		{"GET /incidents (page of 50)", func(*rand.Rand) string { return base + "/incidents?limit=50" }},
		{"GET /incidents?severity=SEV1&service=svc-3", func(*rand.Rand) string { return base + "/incidents?severity=SEV1&service=svc-3&limit=50" }},
		{"GET /incidents/{id}/timeline (50 events)", func(r *rand.Rand) string {
			return base + "/incidents/" + strconv.FormatInt(ids[r.IntN(len(ids))], 10) + "/timeline"
		}},
	}
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
	fmt.Printf("load: %d keep-alive clients on loopback, %s per scenario (client and server share %d cores)\n", *workers, *duration, runtime.NumCPU())
	fmt.Printf("%-46s %10s %9s %9s %9s %7s\n", "scenario", "req/s", "p50", "p90", "p99", "errors")
	for _, sc := range scenarios {
		r := load(sc.url, *workers, *duration)
		fmt.Printf("%-46s %10.0f %9s %9s %9s %7d\n", sc.name, r.rps, r.p(0.50), r.p(0.90), r.p(0.99), r.errors)
	}
	fmt.Println("targets (issue #2): GET by id >= 5,000 req/s with p99 < 10ms on 2 cores; timeline insert >= 20,000 events/s")
	return nil
}

// bearer is the Authorization header the load sends.
var bearer string

func seed(ctx context.Context, a *app.App, n, perIncident int) ([]int64, error) {
	ids := make([]int64, 0, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []incident.TimelineEvent
	flush := func(ref string) error {
		if len(batch) == 0 {
			return nil
		}
		_, err := a.AppendTimeline(ctx, ref, batch)
		batch = batch[:0]
		return err
	}
	for i := range n {
		started := base.Add(time.Duration(i) * time.Hour)
		inc, err := a.CreateIncident(ctx, incident.Incident{
			Title:     fmt.Sprintf("Incident %d: elevated 5xx on svc-%d", i, i%20),
			Summary:   "Error rate rose after a config change; rolled back.",
			Severity:  incident.Severities[i%5],
			Services:  []string{"svc-" + strconv.Itoa(i%20), "edge"},
			Tags:      []string{"bench"},
			StartedAt: &started,
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, inc.ID)
		for j := range perIncident {
			batch = append(batch, incident.TimelineEvent{
				OccurredAt: started.Add(time.Duration(j) * time.Minute),
				Source:     "slack", Kind: incident.KindChat, Actor: "user" + strconv.Itoa(j%7),
				ExternalID: strconv.Itoa(i) + "." + strconv.Itoa(j),
				Body:       "Looking at dashboards for svc-" + strconv.Itoa(i%20) + ", message " + strconv.Itoa(j),
			})
		}
		if err := flush(strconv.FormatInt(inc.ID, 10)); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

type result struct {
	rps       float64
	latencies []time.Duration
	errors    int
}

func (r result) p(q float64) string {
	if len(r.latencies) == 0 {
		return "-"
	}
	d := r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
	return d.Round(10 * time.Microsecond).String()
}

func load(url func(*rand.Rand) string, workers int, d time.Duration) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			var lat []time.Duration
			errs := 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				req, err := http.NewRequest(http.MethodGet, url(r), nil)
				var resp *http.Response
				if err == nil {
					req.Header.Set("Authorization", bearer)
					resp, err = client.Do(req)
				}
				if err != nil {
					errs++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs++
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all.latencies = append(all.latencies, lat...)
			all.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.rps = float64(len(all.latencies)) / time.Since(start).Seconds()
	slices.Sort(all.latencies)
	return all
}
