package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"
)

// leaseFloor is the least time a job's lease outlives a tick by, so a
// replica that holds a job keeps it across ticks despite a slow database or
// a busy machine, and a crashed holder is replaced within a known bound.
const leaseFloor = 30 * time.Second

// releaseTimeout bounds giving a lease back on shutdown.
const releaseTimeout = 5 * time.Second

// newJobHolder returns the id this process holds job leases under: the host
// name and process id (to tell people which replica runs a job) and random
// bytes (so two processes never share an id).
func newJobHolder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// JobHolder returns the id under which this App holds job leases.
func (a *App) JobHolder() string { return a.jobHolder }

// jobTTL is how long a lease taken at one tick lasts: the interval and half
// of it again, and at least leaseFloor beyond the interval. The holder
// renews it every tick (and while a run lasts), so it only lapses when the
// holder stops.
func jobTTL(every time.Duration) time.Duration {
	return every + max(every/2, leaseFloor)
}

// RunJob runs fn every interval until ctx ends, on one replica at a time:
// at each tick (the first at once) it takes the job's lease in the
// database (see store.TryLease) and runs fn only if it holds it. The lease
// is renewed while fn runs; if it is lost (the database was unreachable
// long enough for another replica to take over), fn's context is
// cancelled. An error or a panic of fn is logged and the next tick runs as
// usual. When ctx ends the lease is released so another replica can take
// the job over at once. RunJob blocks; start it in a goroutine.
func (a *App) RunJob(ctx context.Context, name string, every time.Duration, fn func(context.Context) error) {
	if every <= 0 {
		a.log.Error("Job not started: its interval must be positive", "job", name, "interval", every)
		return
	}
	log := a.log.With("job", name, "holder", a.jobHolder)
	log.Info("Job scheduled", "interval", every.String())
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := a.store.ReleaseLease(rctx, name, a.jobHolder); err != nil {
			log.Warn("Job lease not released", "error", err)
		}
	}()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		a.jobTick(ctx, log, name, every, fn)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// jobTick is one tick of RunJob.
func (a *App) jobTick(ctx context.Context, log *slog.Logger, name string, every time.Duration, fn func(context.Context) error) {
	if ctx.Err() != nil {
		return
	}
	ttl := jobTTL(every)
	ok, err := a.store.TryLease(ctx, name, a.jobHolder, ttl)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("Job lease not taken", "error", err)
		}
		return
	}
	if !ok {
		log.Debug("Job runs on another replica")
		return
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go a.renewLease(runCtx, cancel, done, log, name, every, ttl)
	start := time.Now()
	if err := runSafely(runCtx, fn); err != nil {
		log.Error("Job failed", "error", err, "duration", time.Since(start).String())
		return
	}
	log.Debug("Job ran", "duration", time.Since(start).String())
}

// renewLease extends the job's lease while a run lasts, until done is
// closed, and cancels the run when the lease is lost to another replica. It
// renews every third of the ttl, or every interval (at least a second) when
// that is sooner, so a lost lease is noticed within one interval.
func (a *App) renewLease(ctx context.Context, cancel context.CancelFunc, done <-chan struct{}, log *slog.Logger, name string, every, ttl time.Duration) {
	t := time.NewTicker(min(ttl/3, max(every, time.Second)))
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			ok, err := a.store.TryLease(ctx, name, a.jobHolder, ttl)
			switch {
			case err != nil:
				log.Warn("Job lease not renewed", "error", err)
			case !ok:
				log.Warn("Job lease lost to another replica; stopping the run")
				cancel()
				return
			}
		}
	}
}

// runSafely runs fn, turning a panic into an error so one bad run never
// takes the server down.
func runSafely(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx)
}

// JobStatus is who runs a scheduled job: the lease's holder, when it last
// took or renewed it (every tick) and until when it holds it.
type JobStatus struct {
	Name      string
	Holder    string
	LastTick  time.Time
	ExpiresAt time.Time
}

// Job returns the status of the scheduled job name, and false when no
// replica holds its lease (the job is off, or every holder stopped).
func (a *App) Job(ctx context.Context, name string) (JobStatus, bool, error) {
	leases, err := a.store.Leases(ctx)
	if err != nil {
		return JobStatus{}, false, err
	}
	for _, l := range leases {
		if l.Name == name {
			return JobStatus{Name: l.Name, Holder: l.Holder, LastTick: l.UpdatedAt, ExpiresAt: l.ExpiresAt}, true, nil
		}
	}
	return JobStatus{}, false, nil
}
