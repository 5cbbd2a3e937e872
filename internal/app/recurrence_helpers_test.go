package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/report"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// corpusDir holds the real post-mortems.
const corpusDir = "/work/shared/corpus/postmortems"

// searchApp is an app over a fresh database of the dialect with a search
// index whose indexer checks recurrences after each batch, as serve wires it.
func searchApp(t *testing.T, dialect string, opts app.Options) (*app.App, *store.Store, *search.Index) {
	t.Helper()
	_, s := testApp(t, dialect, app.Options{})
	a, ix := indexedApp(t, s, opts)
	return a, s, ix
}

// indexedApp is one server replica over s: an app with its own index.
func indexedApp(t *testing.T, s *store.Store, opts app.Options) (*app.App, *search.Index) {
	t.Helper()
	var a *app.App
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ix, err := search.Open(t.TempDir(), search.Options{Logger: quiet,
		OnApplied: func(ctx context.Context, ids []int64) { a.CheckRecurrences(ctx, ids) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	opts.Search = ix
	if opts.Now == nil {
		now := t0.Add(96 * time.Hour)
		opts.Now = func() time.Time { return now }
	}
	if opts.Logger == nil {
		// A failed recurrence check is only logged (the indexer goes on):
		// the test fails on it.
		var log lockedBuffer
		opts.Logger = slog.New(slog.NewTextHandler(&log, nil))
		t.Cleanup(func() {
			if out := log.String(); strings.Contains(out, "Recurrence check failed") {
				t.Errorf("recurrence check failed:\n%s", out)
			}
		})
	}
	a = app.New(s, opts)
	if err := ix.Rebuild(t.Context(), a.SearchSource()); err != nil {
		t.Fatal(err)
	}
	return a, ix
}

// lockedBuffer is a log the indexer and the test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// catchUp applies every pending change to the index (and so runs the
// recurrence checks), as the indexer would within a second.
func catchUp(t *testing.T, a *app.App, ix *search.Index) {
	t.Helper()
	for {
		n, err := ix.CatchUp(t.Context(), a.SearchSource())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// importPostmortems imports the named files of the corpus (all when none).
func importPostmortems(t testing.TB, a *app.App, names ...string) map[string]incident.Incident {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus: %v", err)
	}
	if len(names) == 0 {
		ents, err := os.ReadDir(corpusDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
	}
	out := map[string]incident.Incident{}
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(corpusDir, n))
		if err != nil {
			t.Fatal(err)
		}
		imp, err := report.ParseMarkdownFile(n, raw)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		inc, _, err := a.ImportPostmortem(context.Background(), imp, raw)
		if err != nil {
			t.Fatalf("import %s: %v", n, err)
		}
		out[n] = inc
	}
	return out
}
