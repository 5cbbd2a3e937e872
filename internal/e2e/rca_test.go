package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// rca is the part of an RCA the tests look at.
type rca struct {
	Template string       `json:"template"`
	Status   string       `json:"status"`
	Version  int          `json:"version"`
	Sections []rcaSection `json:"sections"`
}

type rcaSection struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Required bool   `json:"required"`
	Block    string `json:"block"`
}

func (s *server) rca(key string) rca {
	s.t.Helper()
	var r rca
	s.adminJSON("GET", "/incidents/"+key+"/rca", nil, http.StatusOK, &r)
	return r
}

func (r rca) body(section string) string {
	for _, s := range r.Sections {
		if s.Key == section {
			return s.Body
		}
	}
	return ""
}

// sectionInput is the CodeMirror editor of an RCA section (once loaded).
func sectionInput(section string) string {
	return fmt.Sprintf(`%s[data-section=%q] [data-editor="codemirror"] %s`, dt("section-editor"), section, dt("section-input"))
}

// typeInSection puts the cursor at the top of a section's editor and
// types text (inserted as typed text at the cursor).
func (b *browser) typeInSection(section, text string) {
	b.t.Helper()
	sel := sectionInput(section)
	b.waitVisible(sel)
	b.run("focus "+sel, chromedpFocus(sel))
	// The browser puts the cursor at the top of the focused editor, and
	// CodeMirror puts it back where it last was when it handles the focus:
	// Ctrl+Home makes the place the same whichever came first.
	b.run("go to the top of "+section, chromedp.KeyEvent(kb.Home, chromedp.KeyModifiers(input.ModifierCtrl)))
	b.run("type in "+section, input.InsertText(text))
}

// waitSaved waits until the editor says everything is saved.
func (b *browser) waitSaved() {
	b.t.Helper()
	b.waitVisible(dt("save-state") + `[data-state="saved"]`)
}

// TestWriteAndPublishRCA creates an RCA from a template in the editor,
// writes every required section, submits it for review, and publishes it
// once the reviewer (the admin, through the API) approved.
func TestWriteAndPublishRCA(t *testing.T) {
	s := startSQLite(t)
	inc := s.createIncident("Payments API returned 502 for 20 minutes", "SEV2", time.Now().Add(-48*time.Hour), nil)
	b := s.newBrowser(t)
	// The editor asks for the RCA first; a 404 is how it learns there is none yet.
	b.allow("GET", "/api/v1/incidents/"+inc.Key+"/rca", http.StatusNotFound)
	b.signedIn(editorEmail, editorPassword)

	b.open("/incidents/" + inc.Key + "/rca")
	b.click(dt("template-option") + `[data-template="essentials"]`)
	b.click(dt("rca-create"))
	b.waitVisible(dt("section"))
	r := s.rca(inc.Key)
	if r.Template != "essentials" || r.Status != "draft" {
		t.Fatalf("after Create RCA the server has template %q status %q", r.Template, r.Status)
	}

	// Each required section gets a sentence at its top; every section must
	// end up as exactly that plus the template's text (typing that went
	// into another section than the one clicked shows here).
	want := map[string]string{}
	for _, sec := range r.Sections {
		want[sec.Key] = sec.Body
		if !sec.Required {
			continue
		}
		text := fmt.Sprintf("Written in the browser for %s. ", sec.Key)
		want[sec.Key] = text + sec.Body
		b.typeInSection(sec.Key, text)
	}
	// The server is asked until every section is as wanted: the last
	// autosave comes 1.5 s after the last key.
	wrong := func() string {
		r = s.rca(inc.Key)
		for _, sec := range r.Sections {
			if sec.Body != want[sec.Key] {
				return sec.Key
			}
		}
		return ""
	}
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(100 * time.Millisecond) {
		k := wrong()
		if k == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("section %s on the server is %q, want %q", k, r.body(k), want[k])
		}
	}
	b.waitSaved()
	b.screenshot("rca-editor")

	// Submit for review, naming the admin.
	b.click(dt("rca-tab") + `[data-tab="review"]`)
	b.click(dt("rca-submit"))
	b.waitVisible(dt("workflow-dialog") + `[data-step="submit"]`)
	b.fill(dt("workflow-dialog")+" "+dt("workflow-input"), adminEmail)
	b.click(dt("workflow-confirm"))
	b.waitVisible(dt("rca-status") + `[data-status="in_review"]`)

	// The admin approves (through the API), the editor publishes.
	s.adminJSON("POST", "/incidents/"+inc.Key+"/rca/approve", map[string]any{}, http.StatusOK, nil)
	b.open("/incidents/" + inc.Key + "/rca")
	b.click(dt("rca-tab") + `[data-tab="review"]`)
	b.click(dt("rca-publish"))
	b.waitVisible(dt("workflow-dialog") + `[data-step="publish"]`)
	b.click(dt("workflow-confirm"))
	b.waitVisible(dt("rca-status") + `[data-status="published"]`)
	if r := s.rca(inc.Key); r.Status != "published" {
		t.Errorf("after Publish the RCA is %q on the server", r.Status)
	}
	b.screenshot("rca-published")
}

// TestRCAConflictKeepsTyping: while the page has unsaved typing in a
// section, someone else saves the same section through the API. The
// autosave meets a version conflict (409), the merge dialog shows, and
// after keeping the typed text it is on the server.
func TestRCAConflictKeepsTyping(t *testing.T) {
	s := startSQLite(t)
	inc := s.createIncident("Queue backlog delayed e-mails", "SEV3", time.Now().Add(-24*time.Hour), nil)
	s.adminJSON("POST", "/incidents/"+inc.Key+"/rca", map[string]any{"template": "essentials"}, http.StatusCreated, nil)
	const section = "event-description"

	b := s.newBrowser(t)
	b.allow("PUT", "/api/v1/incidents/"+inc.Key+"/rca", http.StatusConflict)
	b.signedIn(editorEmail, editorPassword)
	b.open("/incidents/" + inc.Key + "/rca")
	b.waitVisible(sectionInput(section))

	// Type, and before the autosave (1.5 s after the last key) reaches the
	// server someone else saves the same section. The page's saves are held
	// in the browser until then, so the order does not depend on timing.
	r := s.rca(inc.Key)
	release := b.hold("PUT", "*/api/v1/incidents/"+inc.Key+"/rca")
	const mine = "Typed in the browser, not yet saved. "
	b.typeInSection(section, mine)
	const theirs = "Saved through the API meanwhile."
	for i := range r.Sections {
		if r.Sections[i].Key == section {
			r.Sections[i].Body = theirs
		}
	}
	s.api(s.AdminToken, "PUT", "/incidents/"+inc.Key+"/rca",
		map[string]any{"template": r.Template, "sections": r.Sections, "version": r.Version}, "", http.StatusOK)
	release()

	b.waitVisible(dt("merge-dialog"))
	b.waitVisible(dt("merge-conflict") + fmt.Sprintf(`[data-section=%q]`, section))
	b.screenshot("rca-merge")
	b.click(dt("merge-conflict") + fmt.Sprintf(`[data-section=%q] `, section) + dt("merge-keep-mine"))
	b.click(dt("merge-apply"))
	b.waitSaved()
	if got := s.rca(inc.Key).body(section); !strings.Contains(got, mine) {
		t.Errorf("after keeping my text the section on the server is %q, want it to contain %q", got, mine)
	}
}
