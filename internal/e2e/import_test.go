package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// timelineEvent is the part of a timeline event the tests look at.
type timelineEvent struct {
	ID       int64  `json:"id"`
	Source   string `json:"source"`
	Kind     string `json:"kind"`
	Actor    string `json:"actor"`
	Body     string `json:"body"`
	KeyEvent bool   `json:"key_event"`
}

// timeline reads an incident's whole timeline through the API.
func (s *server) timeline(key string) []timelineEvent {
	s.t.Helper()
	var page struct {
		Items []timelineEvent `json:"items"`
		Total int             `json:"total"`
	}
	s.adminJSON("GET", "/incidents/"+key+"/timeline?limit=500", nil, 200, &page)
	return page.Items
}

// importThroughWizard uploads zipPath as a Slack export in the import
// wizard of the incident key (every event of the file), checks the preview
// and imports it. It returns the number of events the result says were added.
func importThroughWizard(t *testing.T, b *browser, key, zipPath, screenshot string) int {
	t.Helper()
	b.open("/incidents/" + key + "/import")
	b.click(dt("import-source") + `[data-source="slack"]`)
	b.waitVisible(dt("import-preview-button"))
	b.run("choose the zip", chromedp.SetUploadFiles(dt("import-file"), []string{zipPath}, chromedp.ByQuery))
	b.click(dt("import-window-all"))
	b.click(dt("import-preview-button"))
	b.waitVisible(dt("import-preview"))
	parsed, err := strconv.Atoi(strings.TrimSpace(b.text(dt("import-count-parsed"))))
	if err != nil || parsed == 0 {
		t.Fatalf("the preview read %q events, want a number > 0 (err %v)", b.text(dt("import-count-parsed")), err)
	}
	if screenshot != "" {
		b.screenshot(screenshot)
	}
	b.click(dt("import-confirm"))
	b.waitVisible(dt("import-result"))
	added, err := strconv.Atoi(strings.TrimSpace(b.text(dt("import-result-added"))))
	if err != nil || added == 0 {
		t.Fatalf("the import added %q events, want a number > 0 (err %v)", b.text(dt("import-result-added")), err)
	}
	return added
}

// TestImportSlackExport imports the sample Slack export through the import
// wizard; the events are then in the incident's timeline.
func TestImportSlackExport(t *testing.T) {
	s := startSQLite(t)
	inc := s.createIncident("Checkout is down", "SEV2", slackStart, nil)
	b := s.newBrowser(t)
	b.allowNoRCA()
	b.signedIn(editorEmail, editorPassword)

	added := importThroughWizard(t, b, inc.Key, slackZip(t), "import-wizard")
	b.screenshot("import-result")
	evs := s.timeline(inc.Key)
	if len(evs) != added {
		t.Errorf("the wizard says %d events were added; the timeline has %d", added, len(evs))
	}
	found := false
	for _, e := range evs {
		if e.Source == "slack" && strings.Contains(e.Body, "Rolling back deploy") {
			found = true
		}
	}
	if !found {
		t.Errorf("no Slack message %q in the timeline: %+v", "Rolling back deploy", evs)
	}

	// The result links to the timeline.
	b.click(dt("import-timeline-link"))
	b.waitPath("/incidents/" + inc.Key)
}

// TestImportedScriptIsText imports Slack messages holding HTML and a
// script: the timeline shows them as text and nothing runs.
func TestImportedScriptIsText(t *testing.T) {
	s := startSQLite(t)
	inc := s.createIncident("Cross-site scripting in chat", "SEV3", slackStart, nil)
	zipPath := slackZip(t,
		slackMessage(slackStart.Add(5*time.Minute), "look: "+xssImg),
		slackMessage(slackStart.Add(6*time.Minute), "and "+xssScript),
	)
	b := s.newBrowser(t)
	b.allowNoRCA()
	b.signedIn(editorEmail, editorPassword)
	importThroughWizard(t, b, inc.Key, zipPath, "")
	b.noXSS("the import wizard's preview and result")

	// The server keeps what was typed.
	var bodies []string
	for _, e := range s.timeline(inc.Key) {
		bodies = append(bodies, e.Body)
	}
	all := strings.Join(bodies, "\n")
	for _, p := range []string{xssImg, xssScript} {
		if !strings.Contains(all, p) {
			t.Fatalf("the import did not keep %q; timeline bodies:\n%s", p, all)
		}
	}

	b.open("/incidents/" + inc.Key)
	for _, p := range []string{xssImg, xssScript} {
		b.waitJS(fmt.Sprintf("the text %q on the timeline", p), fmt.Sprintf(`document.body.innerText.includes(%q)`, p))
	}
	b.noXSS("the timeline")

	// Search shows highlighted fragments of the matching events.
	s.waitIndexed(t, "onerror", 1)
	b.open("/incidents?q=onerror")
	b.waitVisible(dt("search-result") + fmt.Sprintf(`[data-key=%q]`, inc.Key))
	b.waitJS("the payload as text in the search results", `document.querySelector('main').innerText.includes('onerror')`)
	b.noXSS("the search results")
}

// noXSS fails the test when a payload ran or left an element in the page.
func (b *browser) noXSS(where string) {
	b.t.Helper()
	var xss string
	b.eval(`typeof window.__xss`, &xss)
	if xss != "undefined" {
		b.t.Errorf("%s: window.__xss is set: a payload ran", where)
	}
	var injected int
	b.eval(`document.querySelectorAll('main img[src="x"], main script, main [onerror]').length`, &injected)
	if injected != 0 {
		b.t.Errorf("%s: %d elements from the payload are in the page", where, injected)
	}
}
