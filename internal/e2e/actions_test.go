package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// action is the part of a corrective action the tests look at.
type action struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

func (s *server) createAction(key string, body map[string]any) action {
	s.t.Helper()
	var a action
	s.adminJSON("POST", "/incidents/"+key+"/actions", body, http.StatusCreated, &a)
	return a
}

// TestCloseActionOnBoard closes a corrective action from the actions
// board: the card moves to Done, the server has it done, and it stays
// there after a reload. A phone-sized screenshot of the board is taken too.
func TestCloseActionOnBoard(t *testing.T) {
	s := startSQLite(t)
	inc := s.createIncident("Database failover took 40 minutes", "SEV2", time.Now().Add(-72*time.Hour), nil)
	today := time.Now().UTC()
	close := s.createAction(inc.Key, map[string]any{"title": "Automate the failover runbook", "owner": "ann", "priority": "high",
		"due_date": today.AddDate(0, 0, 7).Format(time.DateOnly)})
	s.createAction(inc.Key, map[string]any{"title": "Alert on replication lag", "owner": "bob", "status": "in_progress",
		"due_date": today.AddDate(0, 0, -3).Format(time.DateOnly)})
	s.createAction(inc.Key, map[string]any{"title": "Write the failover game day", "owner": "nour"})

	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	b.open("/actions?view=board")
	card := fmt.Sprintf(`%s [data-action-id="%d"]`, dt("actions-board"), close.ID)
	b.waitVisible(dt("action-column") + `[data-status="open"] ` + fmt.Sprintf(`[data-action-id="%d"]`, close.ID))
	b.screenshot("actions-board")

	b.fill(card+" "+dt("action-status"), "done")
	b.waitVisible(dt("action-column") + `[data-status="done"] ` + fmt.Sprintf(`[data-action-id="%d"]`, close.ID))
	var got action
	s.adminJSON("GET", fmt.Sprintf("/actions/%d", close.ID), nil, http.StatusOK, &got)
	if got.Status != "done" {
		t.Fatalf("after closing it on the board the action is %q on the server", got.Status)
	}

	b.open("/actions?view=board")
	b.waitVisible(dt("action-column") + `[data-status="done"] ` + fmt.Sprintf(`[data-action-id="%d"]`, close.ID))

	phone := s.newPhone(t)
	phone.signedIn(editorEmail, editorPassword)
	phone.open("/actions?view=board")
	phone.waitVisible(dt("actions-board") + " " + dt("action-row"))
	phone.screenshot("phone-actions-board")
	phone.noSideways()
}
