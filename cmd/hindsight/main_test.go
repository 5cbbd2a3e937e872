package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlRe = regexp.MustCompile(`serving on (http://[0-9.:]+)`)

// serve starts `hindsight serve` on a free port and returns its base URL and
// a stop function that waits for a clean exit.
func serve(t *testing.T, environ []string, args ...string) (string, func()) {
	t.Helper()
	return serveOut(t, environ, nil, args...)
}

// serveOut is serve that also hands back what the server printed on
// standard output until it was serving.
func serveOut(t *testing.T, environ []string, printed *string, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), environ, &stdout, &stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := urlRe.FindStringSubmatch(stdout.String()); m != nil {
			if printed != nil {
				*printed = stdout.String()
			}
			adminToken(t, m[1], environ, args)
			return m[1], func() {
				cancel()
				select {
				case code := <-done:
					if code != 0 {
						t.Errorf("serve exited %d\n%s", code, stderr.String())
					}
				case <-time.After(20 * time.Second):
					t.Error("serve did not stop within 20s")
				}
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start\n%s", stderr.String())
		}
	}
}

// serverTokens maps a test server's base URL to an admin API token for it.
var serverTokens sync.Map

// adminToken makes an admin token for the server at base (serve created its
// first admin) with the CLI on the same database, and remembers it for call.
func adminToken(t *testing.T, base string, environ, serveArgs []string) {
	t.Helper()
	args := []string{"token", "create", "--user", "admin@localhost", "--name", "test", "--scopes", "read,write,import,admin"}
	for i, a := range serveArgs {
		if a == "--data-dir" && i+1 < len(serveArgs) {
			args = append(args, a, serveArgs[i+1])
		}
	}
	code, out, errOut := runCLI(t, environ, args...)
	if code != 0 {
		t.Fatalf("token create: %d\n%s\n%s", code, out, errOut)
	}
	serverTokens.Store(base, strings.TrimSpace(out))
}

// serverToken is the remembered token of the server url belongs to.
func serverToken(url string) string {
	tok := ""
	serverTokens.Range(func(k, v any) bool {
		if strings.HasPrefix(url, k.(string)+"/") || url == k.(string) {
			tok = v.(string)
			return false
		}
		return true
	})
	return tok
}

// tokenEnv is the environment that gives the CLI the token of the server at base.
func tokenEnv(base string, environ ...string) []string {
	return append(environ, "HINDSIGHT_TOKEN="+serverToken(base))
}

func call(t *testing.T, method, url, body string, wantStatus int) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if tok := serverToken(url); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, url, resp.StatusCode, wantStatus, b)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, b)
		}
	}
	return out
}

// TestRun_ServeRestart walks the acceptance story on both databases: create
// an incident, timeline (with a duplicate), RCA, a root cause citing two
// events, an overdue action; restart the server; everything is still there.
func TestRun_ServeRestart(t *testing.T) {
	dbs := []struct {
		name    string
		environ func(t *testing.T) []string
	}{
		{"sqlite", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"HINDSIGHT_DATABASE_URL=" + pgtest.URL(t)} }},
	}
	for _, db := range dbs {
		t.Run(db.name, func(t *testing.T) {
			environ := db.environ(t)
			dataDir := filepath.Join(t.TempDir(), "data")
			base, stop := serve(t, environ, "--data-dir", dataDir)
			api := base + "/api/v1"
			call(t, "GET", base+"/healthz", "", 200)
			call(t, "GET", base+"/readyz", "", 200)
			inc := call(t, "POST", api+"/incidents", `{"title":"Checkout errors","severity":"SEV2","services":["checkout"],"started_at":"2026-11-20T09:58:00Z"}`, 201)
			key := inc["key"].(string)
			tl := call(t, "POST", api+"/incidents/"+key+"/timeline", `[
				{"source":"slack","external_id":"1.1","occurred_at":"2026-11-20T09:58:20Z","kind":"chat","actor":"ana","body":"5xx on checkout"},
				{"source":"pagerduty","external_id":"Q1","occurred_at":"2026-11-20T10:01:00Z","kind":"alert","body":"error rate > 5%"},
				{"source":"slack","external_id":"1.1","occurred_at":"2026-11-20T09:58:20Z","kind":"chat","actor":"ana","body":"5xx on checkout"}]`, 201)
			if tl["added"].(float64) != 2 || tl["duplicates"].(float64) != 1 {
				t.Fatalf("timeline append: %v", tl)
			}
			items := tl["items"].([]any)
			e1 := items[0].(map[string]any)["id"].(float64)
			e2 := items[1].(map[string]any)["id"].(float64)
			call(t, "PUT", api+"/incidents/"+key+"/rca", `{"version":0,"sections":[{"key":"event-description","title":"Event description","body":"Checkout failed."}]}`, 201)
			evidence, _ := json.Marshal([]float64{e1, e2})
			call(t, "POST", api+"/incidents/"+key+"/root-causes", `{"category":"config-change","description":"Bad flag","evidence_event_ids":`+string(evidence)+`}`, 201)
			yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
			call(t, "POST", api+"/incidents/"+key+"/actions", `{"title":"Guard the flag","owner":"ana","due_date":"`+yesterday+`"}`, 201)
			stop()

			base, stop = serve(t, environ, "--data-dir", dataDir)
			defer stop()
			api = base + "/api/v1"
			got := call(t, "GET", api+"/incidents/"+key, "", 200)
			if got["title"] != "Checkout errors" {
				t.Fatalf("after restart: %v", got)
			}
			if tl := call(t, "GET", api+"/incidents/"+key+"/timeline", "", 200); tl["total"].(float64) != 2 {
				t.Fatalf("timeline after restart: %v", tl)
			}
			if rc := call(t, "GET", api+"/incidents/"+key+"/root-causes", "", 200); len(rc["items"].([]any)) != 1 {
				t.Fatalf("root causes after restart: %v", rc)
			}
			rca := call(t, "GET", api+"/incidents/"+key+"/rca", "", 200)
			if len(rca["sections"].([]any)) != 1 {
				t.Fatalf("rca after restart: %v", rca)
			}
			overdue := call(t, "GET", api+"/actions?overdue=true", "", 200)
			if overdue["total"].(float64) != 1 {
				t.Fatalf("overdue actions: %v", overdue)
			}
			if db.name == "sqlite" {
				if _, err := os.Stat(filepath.Join(dataDir, "hindsight.db")); err != nil {
					t.Fatalf("database file: %v", err)
				}
			}
		})
	}
}

func TestRun_Commands(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		environ    []string
		wantCode   int
		wantOutput string
	}{
		{name: "version", args: []string{"version"}, wantOutput: "hindsight "},
		{name: "migrate sqlite", args: []string{"migrate", "--data-dir", filepath.Join(dir, "m")}, wantOutput: "Database is up to date"},
		{name: "migrate twice", args: []string{"migrate", "--data-dir", filepath.Join(dir, "m")}, wantOutput: "Database is up to date"},
		{name: "data dir from env", args: []string{"migrate"}, environ: []string{"HINDSIGHT_DATA_DIR=" + filepath.Join(dir, "e")}, wantOutput: filepath.Join(dir, "e")},
		{name: "bad database url", args: []string{"migrate"}, environ: []string{"HINDSIGHT_DATABASE_URL=mysql://x"}, wantCode: 2, wantOutput: "postgres://"},
		{name: "bad address", args: []string{"serve", "--addr", "nope", "--data-dir", dir}, wantCode: 2, wantOutput: "host:port"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantOutput: "unexpected argument"},
		{name: "help", args: []string{"--help"}, wantCode: 0, wantOutput: "serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(context.Background(), tt.args, tt.environ, &out, &out)
			if code != tt.wantCode || !strings.Contains(out.String(), tt.wantOutput) {
				t.Fatalf("code %d (want %d), output:\n%s\nwant it to contain %q", code, tt.wantCode, out.String(), tt.wantOutput)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "e", "hindsight.db")); err != nil {
		t.Fatalf("HINDSIGHT_DATA_DIR not honoured: %v", err)
	}
}
