package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/search"
)

// serverFile names, in the index directory, the file where a running
// server writes its URL, so the CLI on the same data dir can ask it while
// it holds the index.
const serverFile = "SERVER"

// openIndex opens the search index of the configured data dir.
func openIndex(e *env, onApplied func(ctx context.Context, ids []int64)) (*search.Index, error) {
	dir := e.cfg.SearchIndexDir()
	ix, err := search.Open(dir, search.Options{Logger: e.log, PollInterval: e.cfg.IndexPollInterval, OnApplied: onApplied})
	if errors.Is(err, search.ErrLocked) {
		return nil, fmt.Errorf("the search index %s is in use by another process (another server on this data dir?): "+
			"give each server its own HINDSIGHT_INDEX_DIR or --data-dir", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	return ix, nil
}

// writeServerFile records url in the index directory, and again whenever
// the file is gone (the index directory was deleted and rebuilt); the
// returned func stops that and removes the file.
func writeServerFile(e *env, url string) func() {
	path := filepath.Join(e.cfg.SearchIndexDir(), serverFile)
	write := func() {
		if err := os.WriteFile(path, []byte(url+"\n"), 0o600); err != nil {
			e.log.Warn("Cannot record the server's address for the CLI", "path", path, "error", err)
		}
	}
	write()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
					if _, err := os.Stat(filepath.Dir(path)); err == nil {
						write()
					}
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		_ = os.Remove(path)
	}
}

// runningServer is the URL a running server recorded in the index
// directory ("" when none did).
func runningServer(e *env) string {
	b, err := os.ReadFile(filepath.Join(e.cfg.SearchIndexDir(), serverFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
