package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_TryLease(t *testing.T) {
	forEachDBClock(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		steps := []struct {
			name    string
			advance time.Duration
			holder  string
			release bool
			want    bool
		}{
			{name: "free lease is taken", holder: "a", want: true},
			{name: "held lease refuses another holder", advance: 30 * time.Second, holder: "b", want: false},
			{name: "holder renews its own lease", holder: "a", want: true},
			{name: "renewal moved the expiry", advance: 50 * time.Second, holder: "b", want: false},
			{name: "expired lease is taken over", advance: 11 * time.Second, holder: "b", want: true},
			{name: "old holder is refused", holder: "a", want: false},
			{name: "released lease is free", release: true, holder: "a", want: true},
		}
		for _, st := range steps {
			c.t = c.t.Add(st.advance)
			if st.release {
				if err := s.ReleaseLease(ctx, "job", "b"); err != nil {
					t.Fatalf("%s: release: %v", st.name, err)
				}
			}
			got, err := s.TryLease(ctx, "job", st.holder, time.Minute)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got != st.want {
				t.Errorf("%s: TryLease(%s) = %v, want %v", st.name, st.holder, got, st.want)
			}
		}
		leases, err := s.Leases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(leases) != 1 || leases[0].Holder != "a" || !leases[0].ExpiresAt.Equal(c.t.Add(time.Minute).Truncate(time.Microsecond)) {
			t.Errorf("leases = %+v", leases)
		}
		// Releasing someone else's lease does nothing.
		if err := s.ReleaseLease(ctx, "job", "b"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.TryLease(ctx, "job", "b", time.Minute); ok {
			t.Error("b took a's lease after releasing a lease it did not hold")
		}
		// Leases of different jobs are independent.
		if ok, _ := s.TryLease(ctx, "other", "b", time.Minute); !ok {
			t.Error("b could not take the lease of another job")
		}
	})
}

func TestStore_TryLease_Invalid(t *testing.T) {
	s := openDB(t, store.DialectSQLite, nil)
	for _, tc := range []struct {
		name, job, holder string
		ttl               time.Duration
	}{
		{name: "no job", holder: "a", ttl: time.Minute},
		{name: "no holder", job: "j", ttl: time.Minute},
		{name: "no ttl", job: "j", holder: "a"},
	} {
		if ok, err := s.TryLease(context.Background(), tc.job, tc.holder, tc.ttl); err == nil || ok {
			t.Errorf("%s: TryLease = %v, %v; want an error", tc.name, ok, err)
		}
	}
}

// TestStore_TryLease_Race has many replicas race for free leases: exactly
// one wins each.
func TestStore_TryLease_Race(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const contenders, rounds = 8, 10
		for round := range rounds {
			job := fmt.Sprintf("job-%d", round)
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				wins  int
				start = make(chan struct{})
			)
			for i := range contenders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					ok, err := s.TryLease(ctx, job, fmt.Sprintf("replica-%d", i), time.Minute)
					if err != nil {
						t.Errorf("replica %d: %v", i, err)
						return
					}
					if ok {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				}()
			}
			close(start)
			wg.Wait()
			if wins != 1 {
				t.Fatalf("%s: %d replicas won the lease, want exactly 1", job, wins)
			}
		}
	})
}

// TestStore_TryLease_DatabaseClock: on PostgreSQL (without a test clock)
// expiry follows the database's clock.
func TestStore_TryLease_DatabaseClock(t *testing.T) {
	s := openDB(t, store.DialectPostgres, nil)
	ctx := context.Background()
	if ok, err := s.TryLease(ctx, "job", "a", 300*time.Millisecond); err != nil || !ok {
		t.Fatalf("take: %v %v", ok, err)
	}
	if ok, _ := s.TryLease(ctx, "job", "b", time.Minute); ok {
		t.Fatal("b took a live lease")
	}
	leases, err := s.Leases(ctx)
	if err != nil || len(leases) != 1 || leases[0].ExpiresAt.Sub(leases[0].UpdatedAt) != 300*time.Millisecond {
		t.Fatalf("leases = %+v, %v", leases, err)
	}
	time.Sleep(400 * time.Millisecond)
	if ok, err := s.TryLease(ctx, "job", "b", time.Minute); err != nil || !ok {
		t.Fatalf("b could not take the expired lease: %v %v", ok, err)
	}
}
