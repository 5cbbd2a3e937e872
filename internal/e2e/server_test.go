package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/pgtest"
)

// The accounts every server gets. The passwords are set with
// --password-stdin, so neither must be changed at the first sign-in.
const (
	adminEmail     = "admin@example.com"
	editorEmail    = "editor@example.com"
	adminPassword  = "admin-password-e2e-1"
	editorPassword = "editor-password-e2e-1"
)

// server is one running `hindsight serve` with its own data.
type server struct {
	t       testing.TB
	URL     string // http://127.0.0.1:PORT
	dataDir string
	env     []string
	// AdminToken and EditorToken are API tokens (read, write, import, and
	// admin for the admin) for preparing data and checking results.
	AdminToken  string
	EditorToken string
	log         *lockedBuffer
}

// lockedBuffer collects the server's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() > 1<<20 {
		return len(p), nil
	}
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startSQLite starts a server on embedded SQLite in a fresh data directory.
func startSQLite(t testing.TB) *server { return startServer(t, "") }

// startPostgres starts a server on a fresh database of the throwaway
// PostgreSQL cluster (internal/pgtest: skipped locally, failed in CI, when
// PostgreSQL is missing).
func startPostgres(t testing.TB) *server { return startServer(t, pgtest.URL(t)) }

func startServer(t testing.TB, databaseURL string, extraEnv ...string) *server {
	t.Helper()
	prerequisites(t)
	s := &server{t: t, dataDir: t.TempDir(), log: &lockedBuffer{}}
	s.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.dataDir,
		"TZ=UTC",
		"HINDSIGHT_DATA_DIR=" + s.dataDir,
		"HINDSIGHT_ADDR=127.0.0.1:0",
		"HINDSIGHT_TIMEZONE=UTC",
		"HINDSIGHT_LOG_LEVEL=warn",
	}
	if databaseURL != "" {
		s.env = append(s.env, "HINDSIGHT_DATABASE_URL="+databaseURL)
	}
	s.env = append(s.env, extraEnv...)
	// Accounts first: with a user in the database, serve creates no first admin.
	s.cli(adminPassword+"\n", "user", "create", "--email", adminEmail, "--role", "admin", "--name", "Ada Admin", "--password-stdin")
	s.cli(editorPassword+"\n", "user", "create", "--email", editorEmail, "--role", "editor", "--name", "Eddie Editor", "--password-stdin")
	s.AdminToken = strings.TrimSpace(s.cli("", "token", "create", "--user", adminEmail, "--name", "e2e-admin", "--scopes", "read,write,import,admin"))
	s.EditorToken = strings.TrimSpace(s.cli("", "token", "create", "--user", editorEmail, "--name", "e2e-editor", "--scopes", "read,write,import"))

	cmd := exec.Command(binPath, "serve")
	cmd.Env = s.env
	cmd.Dir = s.dataDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hindsight serve: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})

	// serve prints "Hindsight <version> is serving on http://HOST:PORT (…)".
	serving := regexp.MustCompile(`is serving on (http://\S+)`)
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.log.Write([]byte(line + "\n"))
			if m := serving.FindStringSubmatch(line); m != nil && !sent {
				urls <- m[1]
				sent = true
			}
		}
	}()
	select {
	case s.URL = <-urls:
	case <-done:
		t.Fatalf("hindsight serve exited before serving:\n%s", s.log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("hindsight serve did not start within 60 s:\n%s", s.log.String())
	}
	return s
}

// cli runs a hindsight command on the server's database and returns its
// standard output.
func (s *server) cli(stdin string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = s.env
	cmd.Dir = s.dataDir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("hindsight %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// apiResponse is an API answer: status, headers and the raw body.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r apiResponse) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// api sends a request with a bearer token. body: nil, a []byte (sent as
// contentType) or anything else (sent as JSON). want, when non-zero, is the
// status the request must answer.
func (s *server) api(token, method, path string, body any, contentType string, want int) apiResponse {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(j), "application/json"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+"/api/v1"+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	if want != 0 && res.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	return apiResponse{Status: res.StatusCode, Header: res.Header, Body: b}
}

// adminJSON sends a JSON request as the admin and decodes the answer into
// out (when not nil); the status must be want.
func (s *server) adminJSON(method, path string, body any, want int, out any) {
	s.t.Helper()
	r := s.api(s.AdminToken, method, path, body, "", want)
	if out != nil {
		r.JSON(s.t, out)
	}
}

// incident is the part of an incident the tests look at.
type incident struct {
	ID       int64    `json:"id"`
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Status   string   `json:"status"`
	Summary  string   `json:"summary"`
	Services []string `json:"services"`
	Version  int      `json:"version"`
}

// createIncident creates an incident through the API (as the admin).
func (s *server) createIncident(title, severity string, startedAt time.Time, extra map[string]any) incident {
	s.t.Helper()
	body := map[string]any{"title": title, "severity": severity, "started_at": startedAt.UTC().Format(time.RFC3339)}
	for k, v := range extra {
		body[k] = v
	}
	var inc incident
	s.adminJSON("POST", "/incidents", body, http.StatusCreated, &inc)
	return inc
}

// importPostmortem creates an incident from a Markdown post-mortem file
// through POST /incidents/import.
func (s *server) importPostmortem(path string) incident {
	s.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	var inc incident
	s.api(s.AdminToken, "POST", "/incidents/import", b, "text/markdown", http.StatusCreated).JSON(s.t, &inc)
	return inc
}

// corpusDir is the shared corpus of real post-mortems, read in place.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot, "..", "shared", "corpus", "postmortems")
	if env := os.Getenv("HINDSIGHT_POSTMORTEMS"); env != "" {
		dir = env
	}
	_, err := os.Stat(dir)
	require(t, err == nil, "no post-mortem corpus at %s (set HINDSIGHT_POSTMORTEMS)", dir)
	return dir
}
