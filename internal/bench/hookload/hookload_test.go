// Package hookload measures webhook ingest on loopback: the real API over
// the embedded SQLite default and over PostgreSQL, driven by concurrent
// keep-alive senders. It reports sustained deliveries per second with
// latency percentiles, and a burst of 10,000 deliveries that must all be
// stored once. Figures are printed, never asserted as timings:
//
//	go test -run '^$' -bench HookIngest -benchtime 1x ./internal/bench/hookload/
package hookload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/api"
	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/generic"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// senders are the sustained load's concurrencies.
var senders = []int{4, 16, 64}

// Sustained load and burst sizes.
const (
	sustainFor = 5 * time.Second
	burst      = 10000
	burstConns = 200
	servicesN  = 10
)

func BenchmarkHookIngest(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			for range b.N {
				benchDB(b, db)
			}
		})
	}
}

func benchDB(b *testing.B, dialect string) {
	ctx := context.Background()
	cfg := store.Config{SQLitePath: filepath.Join(b.TempDir(), "h.db")}
	if dialect == "postgres" {
		cfg = store.Config{DatabaseURL: pgtest.URL(b)}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Logger = quiet
	s, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	a := app.New(s, app.Options{Logger: quiet, Hooks: importers.NewHookRegistry(generic.NewHook())})
	start := time.Now().Add(-time.Hour)
	// Half the services have an open incident: their alerts are routed into
	// its timeline, the others land in the inbox.
	for i := range servicesN / 2 {
		if _, err := a.CreateIncident(ctx, incident.Incident{Title: fmt.Sprintf("svc-%d degraded", i), StartedAt: &start,
			Services: []string{fmt.Sprintf("svc-%d", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	h, err := a.CreateHook(ctx, incident.Hook{Source: "generic", Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	// All the load comes from one address: the per-address webhook limit
	// would measure itself, not the ingest.
	srv := &http.Server{Handler: api.New(api.Deps{Service: a, Logger: quiet, Auth: api.AuthDeps{HooksPerMinute: -1}})}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/api/v1/hooks/generic"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: burstConns, MaxConnsPerHost: burstConns}}

	var seq atomic.Int64
	send := func(id int64) (time.Duration, error) {
		body := fmt.Appendf(nil, `{"id":"d%d","status":"firing","title":"p99 latency above SLO","service":"svc-%d","alert_id":"A%d","severity":"critical","time":%q}`,
			id, id%servicesN, id%500, time.Now().UTC().Format(time.RFC3339Nano))
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hindsight-Token", h.Token)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		return time.Since(t0), nil
	}

	// Sustained: senders post distinct deliveries back to back; few
	// senders show the latency of a quiet system, many its throughput.
	for _, n := range senders {
		lat, errs, el := drive(n, func(stop func() bool, record func(time.Duration, error)) {
			for !stop() {
				record(send(seq.Add(1)))
			}
		}, sustainFor)
		rate := float64(len(lat)) / el.Seconds()
		fmt.Printf("%s sustained: %2d senders, %5d deliveries in %s: %5.0f deliveries/s, p50 %s, p90 %s, p99 %s, %d errors (client and server share %d cores)\n",
			dialect, n, len(lat), el.Round(time.Millisecond), rate, pct(lat, 0.5), pct(lat, 0.9), pct(lat, 0.99), errs, runtime.NumCPU())
		b.ReportMetric(rate, fmt.Sprintf("deliveries/s@%d", n))
		b.ReportMetric(float64(pct(lat, 0.99).Microseconds())/1000, fmt.Sprintf("p99-ms@%d", n))
	}

	// Burst: 10,000 at once over 200 connections; each must be stored once.
	before, err := a.Alerts(ctx, incident.AlertFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	first := seq.Add(burst) - burst
	blat, berrs, bel := drive(burstConns, func(_ func() bool, record func(time.Duration, error)) {
		for {
			i := next.Add(1)
			if i > burst {
				return
			}
			record(send(first + i))
		}
	}, 0)
	after, err := a.Alerts(ctx, incident.AlertFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	stored := after.Total - before.Total
	fmt.Printf("%s burst: %d deliveries over %d connections in %s (%.0f/s), p99 %s, %d errors, %d stored, %d lost\n",
		dialect, burst, burstConns, bel.Round(time.Millisecond), float64(len(blat))/bel.Seconds(), pct(blat, 0.99), berrs, stored, burst-stored)
	if stored != burst || berrs != 0 {
		b.Errorf("burst lost deliveries: %d of %d stored, %d errors", stored, burst, berrs)
	}
	fmt.Printf("targets (issue #5): >= 2,000 deliveries/s, p99 < 20 ms, no loss under a burst of 10,000\n")
}

// drive runs n workers until work returns (or for d when d > 0) and
// collects their latencies.
func drive(n int, work func(stop func() bool, record func(time.Duration, error)), d time.Duration) ([]time.Duration, int, time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	deadline := time.Now().Add(d)
	stop := func() bool { return d > 0 && time.Now().After(deadline) }
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			myErrs := 0
			work(stop, func(l time.Duration, err error) {
				if err != nil {
					myErrs++
					return
				}
				mine = append(mine, l)
			})
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat, errs, time.Since(start)
}

func pct(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))].Round(10 * time.Microsecond)
}
