package app_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// syncBuf is a goroutine-safe log sink.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sharedStores opens n stores on one fresh, migrated database of the
// dialect, as n replicas would.
func sharedStores(t *testing.T, dialect string, n int) []*store.Store {
	t.Helper()
	cfg := store.Config{SQLitePath: filepath.Join(t.TempDir(), "h.db")}
	if dialect == "postgres" {
		cfg = store.Config{DatabaseURL: pgtest.URL(t)}
	}
	ctx := context.Background()
	var out []*store.Store
	for range n {
		s, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// startJob runs a.RunJob in the background and returns a stop function
// that cancels it and waits for it to return.
func startJob(a *app.App, name string, every time.Duration, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.RunJob(ctx, name, every, fn)
	}()
	return func() { cancel(); <-done }
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestApp_RunJob_OneReplica has two Apps (two replicas) on one database run
// the same job: only one runs it, never both at once, and when it stops the
// other takes over at once.
func TestApp_RunJob_OneReplica(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			stores := sharedStores(t, dialect, 2)
			apps := []*app.App{app.New(stores[0], app.Options{}), app.New(stores[1], app.Options{})}
			if apps[0].JobHolder() == apps[1].JobHolder() {
				t.Fatal("two Apps share a job holder id")
			}
			var (
				runs    [2]atomic.Int64
				running atomic.Int64
				overlap atomic.Bool
			)
			job := func(i int) func(context.Context) error {
				return func(context.Context) error {
					if running.Add(1) > 1 {
						overlap.Store(true)
					}
					runs[i].Add(1)
					time.Sleep(2 * time.Millisecond)
					running.Add(-1)
					return nil
				}
			}
			stop0 := startJob(apps[0], "reminders", 10*time.Millisecond, job(0))
			waitFor(t, "the first replica's runs", func() bool { return runs[0].Load() >= 3 })
			stop1 := startJob(apps[1], "reminders", 10*time.Millisecond, job(1))
			defer stop1()
			time.Sleep(150 * time.Millisecond)
			if n := runs[1].Load(); n != 0 {
				t.Errorf("the second replica ran the job %d times while the first held it", n)
			}
			// The first replica shuts down and releases the lease: the
			// second takes the job over at its next tick.
			stop0()
			before := runs[0].Load()
			waitFor(t, "the second replica to take over", func() bool { return runs[1].Load() >= 3 })
			if runs[0].Load() != before {
				t.Error("the first replica ran the job after it stopped")
			}
			if overlap.Load() {
				t.Error("the two replicas ran the job at the same time")
			}
		})
	}
}

// TestApp_RunJob_SurvivesFailures: errors and panics are logged, and the
// next tick runs as usual; the lease is released when the job stops.
func TestApp_RunJob_SurvivesFailures(t *testing.T) {
	stores := sharedStores(t, "sqlite", 1)
	logs := &syncBuf{}
	a := app.New(stores[0], app.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	var n atomic.Int64
	stop := startJob(a, "flaky", 5*time.Millisecond, func(context.Context) error {
		switch n.Add(1) {
		case 1:
			return errors.New("smtp refused")
		case 2:
			panic("boom")
		}
		return nil
	})
	waitFor(t, "runs after a failure and a panic", func() bool { return n.Load() >= 4 })
	if st, ok, err := a.Job(context.Background(), "flaky"); err != nil || !ok || st.Holder != a.JobHolder() || !st.ExpiresAt.After(st.LastTick) {
		t.Errorf("job status = %+v, %v, %v", st, ok, err)
	}
	stop()
	if _, ok, _ := a.Job(context.Background(), "flaky"); ok {
		t.Error("the job still shows a holder after it stopped")
	}
	out := logs.String()
	for _, want := range []string{"Job failed", "smtp refused", "panic: boom", "job=flaky"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	leases, err := stores[0].Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) != 0 {
		t.Errorf("lease not released on shutdown: %+v", leases)
	}
}

// TestApp_RunJob_LostLeaseCancelsRun: a run that outlives its lease (the
// store clock jumps past it and another replica takes the job) sees its
// context cancelled.
func TestApp_RunJob_LostLeaseCancelsRun(t *testing.T) {
	dir := t.TempDir()
	var (
		mu  sync.Mutex
		now = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(dir, "h.db"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := app.New(s, app.Options{})
	started, cancelled := make(chan struct{}), make(chan struct{})
	var once sync.Once
	stop := startJob(a, "long", time.Millisecond, func(ctx context.Context) error {
		once.Do(func() { close(started) })
		<-ctx.Done()
		select {
		case <-cancelled:
		default:
			close(cancelled)
		}
		return ctx.Err()
	})
	defer stop()
	<-started
	// The lease expires and another replica takes it.
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if ok, err := s.TryLease(ctx, "long", "other-replica", time.Hour); err != nil || !ok {
		t.Fatalf("other replica could not take the expired lease: %v %v", ok, err)
	}
	select {
	case <-cancelled:
	case <-time.After(15 * time.Second):
		t.Fatal("the run was not cancelled after losing its lease")
	}
}
