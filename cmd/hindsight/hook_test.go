package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/pgtest"
)

var tokenRe = regexp.MustCompile(`X-Hindsight-Token: (hsk_[A-Za-z0-9_-]+)`)

// TestCLI_HookAndInbox creates a hook from the command line, delivers to a
// running server with its token, and works the inbox from the command line,
// on both databases.
func TestCLI_HookAndInbox(t *testing.T) {
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
			code, out, errOut := runCLI(t, environ, "hook", "create", "generic", "--name", "relay", "--data-dir", dataDir)
			m := tokenRe.FindStringSubmatch(out)
			if code != 0 || m == nil {
				t.Fatalf("hook create: %d\n%s\n%s", code, out, errOut)
			}
			token := m[1]
			if code, _, errOut := runCLI(t, environ, "hook", "create", "nosuch", "--name", "x", "--data-dir", dataDir); code != 2 || !strings.Contains(errOut, "source") {
				t.Fatalf("unknown source: %d %s", code, errOut)
			}
			base, stop := serve(t, environ, "--data-dir", dataDir)
			api := base + "/api/v1"
			call(t, "POST", api+"/incidents", `{"title":"Checkout down","services":["checkout"],"started_at":"2026-11-24T09:00:00Z"}`, 201)
			res := call(t, "POST", api+"/hooks/generic?token="+token, `{"id":"1","title":"5xx","service":"checkout","time":"2026-11-24T09:01:00Z"}`, 200)
			if res["stored"].(float64) != 1 {
				t.Fatalf("deliver: %v", res)
			}
			call(t, "POST", api+"/hooks/generic?token="+token, `{"id":"2","title":"Disk full on db-7","service":"storage","host":"db-7","time":"2026-11-24T09:02:00Z"}`, 200)
			call(t, "POST", api+"/hooks/generic?token=hsk_wrong", `{"id":"3","title":"x"}`, 401)
			stop()

			code, out, errOut = runCLI(t, environ, "alerts", "--data-dir", dataDir)
			if code != 0 || !strings.Contains(out, "Disk full on db-7") || strings.Contains(out, "5xx") || !strings.Contains(out, "1 of 1 alert(s)") {
				t.Fatalf("alerts: %d\n%s\n%s", code, out, errOut)
			}
			code, out, errOut = runCLI(t, environ, "alerts", "open", "2", "--data-dir", dataDir)
			if code != 0 || !strings.Contains(out, `Opened INC-2 "Disk full on db-7" (SEV4) with 1 alert event(s).`) {
				t.Fatalf("alerts open: %d\n%s\n%s", code, out, errOut)
			}
			code, out, _ = runCLI(t, environ, "hook", "list", "--data-dir", dataDir)
			if code != 0 || !strings.Contains(out, "relay") || strings.Contains(out, token) || strings.Contains(out, "never") {
				t.Fatalf("hook list: %d\n%s", code, out)
			}
		})
	}
}
