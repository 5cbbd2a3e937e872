package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLI_Actions lists overdue actions from a running server and from the
// data dir: overdue by 3 and 10 days listed oldest first, due today and
// closed ones left out, --owner and --json narrowing and shaping the list.
func TestCLI_Actions(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	environ := []string{"HINDSIGHT_TIMEZONE=UTC"}
	base, stop := serve(t, environ, "--data-dir", data)
	today := time.Now().UTC()
	due := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	call(t, "POST", base+"/api/v1/incidents", `{"title":"Checkout down"}`, 201)
	for _, body := range []string{
		`{"title":"Add canary","owner":"ana","team":"sre","due_date":"` + due(-3) + `"}`,
		`{"title":"Due today","owner":"ana","team":"sre","due_date":"` + due(0) + `"}`,
		`{"title":"Fix index","owner":"bob","team":"db","status":"in_progress","due_date":"` + due(-10) + `"}`,
		`{"title":"Closed late","owner":"bob","status":"done","due_date":"` + due(-20) + `"}`,
	} {
		call(t, "POST", base+"/api/v1/incidents/INC-1/actions", body, 201)
	}
	check := func(t *testing.T, out string) {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "INCIDENT") ||
			!strings.Contains(lines[1], "Fix index") || !strings.HasSuffix(strings.TrimSpace(lines[1]), due(-10)+"  10") ||
			!strings.Contains(lines[2], "Add canary") || !strings.HasSuffix(strings.TrimSpace(lines[2]), due(-3)+"  3") ||
			lines[3] != "2 action(s)" {
			t.Errorf("table:\n%s", out)
		}
	}
	t.Run("server", func(t *testing.T) {
		code, out, errOut := runCLI(t, tokenEnv(base, environ...), "actions", "--overdue", "--server", base)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		check(t, out)
	})
	stop()
	t.Run("data dir", func(t *testing.T) {
		code, out, errOut := runCLI(t, environ, "actions", "--overdue", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		check(t, out)
	})
	t.Run("owner json", func(t *testing.T) {
		code, out, errOut := runCLI(t, environ, "actions", "--overdue", "--owner", "ANA", "--json", "--data-dir", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var rows []actionRow
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(rows) != 1 || rows[0].Title != "Add canary" || rows[0].DaysOverdue != 3 || rows[0].IncidentKey != "INC-1" || rows[0].Team != "sre" {
			t.Errorf("rows = %+v", rows)
		}
	})
	t.Run("open, by team", func(t *testing.T) {
		code, out, _ := runCLI(t, environ, "actions", "--team", "SRE", "--data-dir", data)
		if code != 0 || !strings.Contains(out, "Due today") || !strings.Contains(out, "Add canary") || strings.Contains(out, "Fix index") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
}
