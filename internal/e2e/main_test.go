package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/report"
)

// Why a built binary and not an in-process server: `hindsight serve`
// assembles the server in package main (configuration, store, search index
// and its indexer, first admin, auth, importers, hooks, the embedded UI,
// http.Server timeouts), which a test cannot import. Building
// ./cmd/hindsight once and running `serve` exercises exactly what people
// run, flags and environment included, with no second copy of the assembly
// to drift from it. The accounts and tokens are made with the same binary's
// `user` and `token` commands. The cost is one `go build` (a link, with a
// warm build cache) per test process.

// repoRoot is the repository's top folder (this package is internal/e2e).
var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}()

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hindsight-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	pgtest.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// inCI reports whether a missing prerequisite must fail instead of skip.
func inCI() bool { return os.Getenv("CI") != "" && os.Getenv("CI") != "false" }

// require fails the test under CI and skips it elsewhere.
func require(t testing.TB, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("e2e: %s (CI=%s: browser tests must run in CI)", msg, os.Getenv("CI"))
	}
	t.Skipf("e2e: %s; skipping", msg)
}

// uiBuilt reports whether frontend/dist holds a built UI (index.html),
// which the binary built from this tree then embeds; a fresh clone has
// only dist/.gitkeep and the server answers with its "UI not built" page.
func uiBuilt() bool {
	_, err := os.Stat(filepath.Join(repoRoot, "frontend", "dist", "index.html"))
	return err == nil
}

// prerequisites checks the built UI and Chromium, and builds the server
// binary once per test process. It returns the Chromium to drive.
func prerequisites(t testing.TB) (chromium string) {
	t.Helper()
	require(t, uiBuilt(), "the UI is not built (frontend/dist has no index.html): run make ui")
	chromium, err := report.FindChromium(os.Getenv("HINDSIGHT_CHROMIUM_PATH"))
	require(t, err == nil, "no Chromium: %v", err)
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		binPath = filepath.Join(binDir, "hindsight")
		cmd := exec.Command(goTool, "build", "-o", binPath, "./cmd/hindsight")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hindsight: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return chromium
}
