package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/tickets/ticketstest"
)

// TestActionTicketClosesAction is the ticket sync acceptance path as a
// user walks it: on the actions page an editor files a Jira ticket for an
// action (a fake Jira the server talks to), the ticket is closed in Jira,
// "Sync now" reads it and the action moves to done, with the ticket's
// closing time as its completion. A failing Jira shows "Sync failed".
func TestActionTicketClosesAction(t *testing.T) {
	jira := ticketstest.Jira(t, "bot@example.com", "e2e-jira-token", "OPS")
	s := startServer(t, "", "HINDSIGHT_JIRA_URL="+jira.URL(), "HINDSIGHT_JIRA_USER=bot@example.com",
		"HINDSIGHT_JIRA_TOKEN=e2e-jira-token", "HINDSIGHT_TICKET_JIRA_PROJECT=OPS")
	inc := s.createIncident("Checkout errors after the deploy", "SEV2", time.Now().Add(-48*time.Hour), nil)
	act := s.createAction(inc.Key, map[string]any{"title": "Add a retry budget to checkout", "owner": "ann", "priority": "high"})
	created := time.Now().UTC() // the action was created by now

	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	b.open("/actions")
	row := fmt.Sprintf(`%s[data-action-id="%d"]`, dt("action-row"), act.ID)
	b.click(row + " " + dt("ticket-create-open"))
	b.waitVisible(row + " " + dt("ticket-system"))
	b.click(row + " " + dt("ticket-submit"))
	b.waitText(row+" "+dt("action-ticket-link"), "OPS-1")
	if is, ok := jira.Issue("OPS-1"); !ok || is.Title != "Add a retry budget to checkout" {
		t.Fatalf("Jira holds %+v", is)
	}

	// Jira is down for a moment: the failure shows on the action.
	jira.FailNext(1, "Jira is under maintenance")
	b.allow("POST", fmt.Sprintf("/api/v1/actions/%d/ticket/sync", act.ID), http.StatusBadGateway)
	b.click(row + " " + dt("ticket-sync"))
	b.waitText(row+" "+dt("ticket-sync-error"), "Jira is under maintenance")
	b.screenshot("actions-ticket-sync-failed")

	// closed in Jira at the first whole second (as Jira writes them) after
	// the action was created — a completion before its creation would be
	// moved to the creation — and not in the future when synced
	closedAt := created.Truncate(time.Second).Add(time.Second)
	if d := time.Until(closedAt.Add(100 * time.Millisecond)); d > 0 {
		time.Sleep(d)
	}
	jira.Close("OPS-1", "Done", "Done", closedAt)
	b.click(row + " " + dt("ticket-sync"))
	b.waitVisible(fmt.Sprintf(`%s[data-action-id="%d"][data-status="done"]`, dt("action-row"), act.ID))
	b.waitGone(row + " " + dt("ticket-sync-error"))
	b.screenshot("actions-ticket-synced")

	var got struct {
		Status      string `json:"status"`
		CompletedAt string `json:"completed_at"`
	}
	s.adminJSON("GET", fmt.Sprintf("/actions/%d", act.ID), nil, http.StatusOK, &got)
	if got.Status != "done" || got.CompletedAt != closedAt.Format(time.RFC3339) {
		t.Fatalf("after Jira closed the ticket the action is %+v", got)
	}
}
