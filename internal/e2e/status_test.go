package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStatusPage walks the acceptance of the public status page as people
// would: an admin lists the public services, the RCA of a resolved incident
// is published with a public and an internal section, an editor marks the
// incident public in the incident page's Status page panel and posts a
// customer update; then a browser that never signed in reads /status (the
// service, its availability, the public title) and the incident's page (the
// update and the public section) — and never the internal title, the
// internal section or a restricted incident. Screenshots of both pages.
func TestStatusPage(t *testing.T) {
	s := startSQLite(t)
	s.adminJSON("PUT", "/status/services", map[string]any{"services": []map[string]string{
		{"name": "checkout", "display_name": "Checkout", "description": "Cart and payment"},
		{"name": "search", "display_name": "Search"},
	}}, http.StatusOK, nil)

	started := time.Now().UTC().AddDate(0, 0, -3).Truncate(time.Hour)
	inc := s.createIncident("db-7 primary disk full (INTERNAL)", "SEV1", started, map[string]any{
		"services": []string{"checkout", "payments-db"}, "status": "resolved",
		"mitigated_at": started.Add(time.Hour).Format(time.RFC3339), "resolved_at": started.Add(2 * time.Hour).Format(time.RFC3339),
	})
	s.createIncident("Breach of the billing DB", "SEV1", started, map[string]any{
		"services": []string{"checkout"}, "visibility": "restricted", "restricted_to": []string{"security"},
	})
	rca := "/incidents/" + inc.Key + "/rca"
	s.adminJSON("PUT", rca, map[string]any{"sections": []map[string]string{
		{"key": "what", "title": "What happened", "audience": "public", "body": "For an hour, **some card payments** failed at checkout."},
		{"key": "why", "title": "Root cause", "audience": "internal", "body": "The WAL volume of db-7 filled up (INTERNAL-SECTION)."},
	}}, http.StatusCreated, nil)
	s.adminJSON("POST", rca+"/submit", map[string]any{"reviewers": []string{adminEmail}, "version": 1}, http.StatusOK, nil)
	s.adminJSON("POST", rca+"/approve", map[string]any{"version": 2}, http.StatusOK, nil)
	s.adminJSON("POST", rca+"/publish", map[string]any{"version": 2}, http.StatusOK, nil)

	// The editor publishes it from the incident page.
	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	b.open("/incidents/" + inc.Key)
	b.waitVisible(dt("status-panel"))
	b.click(dt("status-public"))
	b.fill(dt("status-public-title"), "Card payments failing at checkout")
	b.fill(dt("status-impact"), "major_outage")
	b.fill(dt("status-summary"), "Some card payments failed. Nothing was charged twice.")
	b.click(dt("status-save"))
	b.waitVisible(dt("status-public-link"))
	b.fill(dt("status-update-status"), "resolved")
	b.fill(dt("status-update-body"), "Payments work again; we are watching closely.")
	b.click(dt("status-update-post"))
	b.waitText(dt("status-update"), "Payments work again")
	b.screenshot("incident-status-panel")

	// Someone who never signed in.
	anon := s.newBrowser(t)
	anon.open("/status")
	anon.waitVisible(dt("status-banner"))
	page := anon.text("body")
	for _, want := range []string{"All systems operational", "Checkout", "Cart and payment", "Search",
		"Card payments failing at checkout", "99.861% over 30 days"} {
		if !strings.Contains(page, want) {
			t.Errorf("/status does not show %q:\n%s", want, page)
		}
	}
	for _, never := range []string{"INTERNAL", "db-7", "payments-db", "Breach", inc.Key} {
		if strings.Contains(page, never) {
			t.Errorf("/status shows %q:\n%s", never, page)
		}
	}
	anon.screenshot("status-page")
	phone := s.newPhone(t)
	phone.open("/status")
	phone.waitVisible(dt("status-service"))
	phone.noSideways()
	phone.screenshot("phone-status-page")

	anon.click(`a[href^="/status/incidents/"]`)
	anon.waitVisible(dt("status-report"))
	page = anon.text("body")
	for _, want := range []string{"Card payments failing at checkout", "Payments work again", "Post-incident report",
		"What happened", "some card payments failed at checkout", "Nothing was charged twice"} {
		if !strings.Contains(strings.ToLower(page), strings.ToLower(want)) {
			t.Errorf("the incident's status page does not show %q:\n%s", want, page)
		}
	}
	for _, never := range []string{"INTERNAL", "db-7", "Root cause", inc.Key} {
		if strings.Contains(page, never) {
			t.Errorf("the incident's status page shows %q:\n%s", never, page)
		}
	}
	anon.screenshot("status-incident")

	res, err := http.Get(s.URL + "/status/feed.atom")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("feed: %d %v", res.StatusCode, err)
	}
	if body := string(raw); !strings.Contains(body, "Resolved: Card payments failing at checkout") ||
		!strings.Contains(body, "Post-incident report: Card payments failing at checkout") || strings.Contains(body, "INTERNAL") {
		t.Errorf("feed:\n%s", body)
	}
}
