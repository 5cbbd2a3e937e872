package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/tickets/ticketstest"
)

// TestCLI_Tickets pushes an action to a fake Jira through a running
// server, closes the ticket there, syncs, and sees the action done; then
// the same from the data dir, and a failing tracker exits non-zero.
func TestCLI_Tickets(t *testing.T) {
	jira := ticketstest.Jira(t, "bot@example.com", "cli-jira-token", "OPS")
	data := filepath.Join(t.TempDir(), "data")
	environ := []string{"HINDSIGHT_TIMEZONE=UTC", "HINDSIGHT_JIRA_URL=" + jira.URL(), "HINDSIGHT_JIRA_USER=bot@example.com",
		"HINDSIGHT_JIRA_TOKEN=cli-jira-token", "HINDSIGHT_TICKET_JIRA_PROJECT=OPS"}
	base, stop := serve(t, environ, "--data-dir", data)
	call(t, "POST", base+"/api/v1/incidents", `{"title":"Checkout down"}`, 201)
	call(t, "POST", base+"/api/v1/incidents/INC-1/actions", `{"title":"Add a retry budget"}`, 201)
	call(t, "POST", base+"/api/v1/incidents/INC-1/actions", `{"title":"Retire the old LB"}`, 201)

	code, out, errOut := runCLI(t, tokenEnv(base, environ...), "tickets", "create", "1", "--system", "jira", "--server", base)
	if code != 0 || !strings.HasPrefix(out, "Created jira ticket OPS-1 for action 1: "+jira.URL()+"/browse/OPS-1") {
		t.Fatalf("create via server: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, tokenEnv(base, environ...), "tickets", "create", "1", "--system", "jira", "--server", base)
	if code == 0 || !strings.Contains(errOut, "linked to jira ticket OPS-1 already") {
		t.Fatalf("second create: exit %d: %s", code, errOut)
	}

	// closed in Jira a moment after the action was created (whole seconds, as Jira writes them)
	time.Sleep(1100 * time.Millisecond)
	closedAt := time.Now().UTC().Truncate(time.Second)
	jira.Close("OPS-1", "Done", "Done", closedAt)
	code, out, errOut = runCLI(t, tokenEnv(base, environ...), "tickets", "sync", "--server", base)
	if code != 0 || out != "1 ticket(s) checked, 1 action(s) closed, 0 failed\n" {
		t.Fatalf("sync via server: exit %d\n%s%s", code, out, errOut)
	}
	act := call(t, "GET", base+"/api/v1/actions/1", "", 200)
	if act["status"] != "done" || act["completed_at"] != closedAt.Format(time.RFC3339) {
		t.Fatalf("action after sync: %v", act)
	}
	stop()

	t.Run("data dir", func(t *testing.T) {
		code, out, errOut := runCLI(t, environ, "tickets", "create", "2", "--system", "jira", "--data-dir", data)
		if code != 0 || !strings.HasPrefix(out, "Created jira ticket OPS-2 for action 2") {
			t.Fatalf("create: exit %d\n%s%s", code, out, errOut)
		}
		jira.FailNext(1, "Jira is under maintenance")
		code, out, errOut = runCLI(t, environ, "tickets", "sync", "--data-dir", data)
		if code == 0 || !strings.HasPrefix(out, "1 ticket(s) checked, 0 action(s) closed, 1 failed\n") ||
			!strings.Contains(out, "failed: action 2 (INC-1) jira OPS-2: jira: GET /rest/api/2/issue/OPS-2: 500 Internal Server Error: Jira is under maintenance") ||
			!strings.Contains(errOut, "could not be read") {
			t.Fatalf("failing sync: exit %d\n%s%s", code, out, errOut)
		}
		code, out, _ = runCLI(t, environ, "tickets", "systems", "--data-dir", data)
		if code != 0 || out != "jira\tOPS\n" {
			t.Fatalf("systems: exit %d %q", code, out)
		}
	})

	t.Run("nothing configured", func(t *testing.T) {
		code, _, errOut := runCLI(t, []string{"HINDSIGHT_TIMEZONE=UTC"}, "tickets", "sync", "--data-dir", data)
		if code == 0 || !strings.Contains(errOut, "no ticket system is configured") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}
