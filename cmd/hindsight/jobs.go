package main

import (
	"context"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
)

// serverURL is the running server a command asks: its --server flag, else
// HINDSIGHT_SERVER_URL; "" means the data dir.
func (e *env) serverURL(flag string) string {
	if flag != "" {
		return flag
	}
	return e.cfg.ServerURL
}

// startJob runs fn every interval on one replica at a time (app.RunJob)
// until ctx ends or stop is called. stop ends the job and waits until its
// lease is given back, so another replica takes the job over at once
// instead of when the lease expires.
func startJob(ctx context.Context, a *app.App, name string, every time.Duration, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.RunJob(ctx, name, every, fn)
	}()
	return func() { cancel(); <-done }
}
