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

// traceID is a word that fits on an editor line but not after typed: the
// line wraps right where the typing stopped (at some 44 to 84 characters
// a line; wrappedCursor checks it).
const (
	traceID = "4bf92f3577b34da6a3ce929d0e0e47364bf92f35"
	typed   = "The failing requests all carry the trace id "
)

// TestRCAFocusLeavesAWrappedCursor: a section's cursor sits where its line
// wraps (typed just before a long word), and the user leaves the section:
// a click into another section and typing puts the text there; Tab leaves
// the focus where Tab put it. (CodeMirror re-placed a wrapped cursor a
// frame after its editor lost the focus, and the browser moved the focus
// back with it, so typing meant for the next section landed in this one:
// the flaky "timeline text never reached the server" of
// TestWriteAndPublishRCA.)
func TestRCAFocusLeavesAWrappedCursor(t *testing.T) {
	const first, second = "root-causes", "corrective-actions"
	t.Run("click into the next section and type", func(t *testing.T) {
		s, b, key := wrappedCursor(t, first)
		b.click(sectionInput(second))
		b.waitBlurred(first)
		const owner = "Owner: the payments team. "
		b.run("type in "+second, input.InsertText(owner))
		var r rca
		for deadline := time.Now().Add(waitTimeout); ; time.Sleep(100 * time.Millisecond) {
			r = s.rca(key)
			if strings.Contains(r.body(second), owner) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after clicking into %s and typing, it is %q on the server and %s is %q", second, r.body(second), first, r.body(first))
			}
		}
		if got := r.body(first); got != typed+traceID+"\n" {
			t.Errorf("%s on the server is %q, want %q", first, got, typed+traceID+"\n")
		}
	})
	t.Run("Tab out of the section", func(t *testing.T) {
		_, b, _ := wrappedCursor(t, first)
		b.run("Tab", chromedp.KeyEvent(kb.Tab))
		b.waitBlurred(first)
		var where string
		b.eval(fmt.Sprintf(`document.querySelector(%q).closest('.cm-editor').contains(document.activeElement) ? 'in %s' : document.activeElement.outerHTML.slice(0, 80)`, sectionInput(first), first), &where)
		if where == "in "+first {
			t.Errorf("after Tab out of %s the focus is back in it", first)
		}
	})
}

// wrappedCursor opens an RCA whose section has typed at its top, just
// before a word that does not fit on the rest of the line: the cursor is
// where the line wraps (which it checks).
func wrappedCursor(t *testing.T, section string) (*server, *browser, string) {
	s := startSQLite(t)
	inc := s.createIncident("Checkout latency doubled", "SEV3", time.Now().Add(-24*time.Hour), nil)
	s.adminJSON("POST", "/incidents/"+inc.Key+"/rca", map[string]any{"template": "essentials"}, http.StatusCreated, nil)
	r := s.rca(inc.Key)
	for i := range r.Sections {
		if r.Sections[i].Key == section {
			r.Sections[i].Body = traceID + "\n"
		}
	}
	s.api(s.AdminToken, "PUT", "/incidents/"+inc.Key+"/rca",
		map[string]any{"template": r.Template, "sections": r.Sections, "version": r.Version}, "", http.StatusOK)

	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	b.open("/incidents/" + inc.Key + "/rca")
	b.typeInSection(section, typed)
	b.waitJS("the first line of "+section+" wrapped after the typing", fmt.Sprintf(`(() => {
		const line = document.querySelector(%q + ' .cm-line'), chars = []
		const w = document.createTreeWalker(line, NodeFilter.SHOW_TEXT)
		for (let n; (n = w.nextNode()); ) for (let i = 0; i < n.length; i++) chars.push([n, i])
		const top = ([n, i]) => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); return r.getBoundingClientRect().top }
		const k = %d
		return chars.length > k && line.textContent.startsWith(%q) && top(chars[k - 1]) < top(chars[k])
	})()`, sectionInput(section), len(typed), typed))
	// Watch for the blur from here (see waitBlurred).
	focused := fmt.Sprintf(`%s[data-section=%q] .cm-editor.cm-focused`, dt("section-editor"), section)
	b.waitVisible(focused)
	b.eval(fmt.Sprintf(`(() => {
		const ed = document.querySelector(%q)
		new MutationObserver((_, mo) => {
			if (ed.classList.contains('cm-focused')) return
			mo.disconnect()
			requestAnimationFrame(() => requestAnimationFrame(() => { ed.dataset.blurred = 'yes' }))
		}).observe(ed, { attributes: true, attributeFilter: ['class'] })
		return true
	})()`, focused), nil)
	return s, b, inc.Key
}

// waitBlurred waits until the section's editor (watched by wrappedCursor)
// has taken note that it lost the focus (its cm-focused class went) and
// two frames were drawn since: what it does about the blur is done.
func (b *browser) waitBlurred(section string) {
	b.t.Helper()
	b.waitJS(section+" took note of the blur", fmt.Sprintf(`document.querySelector('%s[data-section=%q] .cm-editor')?.dataset.blurred === 'yes'`, dt("section-editor"), section))
}

// TestRCATypingWhileTheEditorLoadsAndSaves: text typed into a section's
// plain editor while CodeMirror is still loading is carried over with the
// cursor (typing goes on where it was), and text typed while a save is on
// its way is not overwritten by that save's answer. Both waits are the
// browser holding requests (the CodeMirror chunk, the save), not time.
func TestRCATypingWhileTheEditorLoadsAndSaves(t *testing.T) {
	s := startSQLite(t)
	inc := s.createIncident("Search results were stale for an hour", "SEV3", time.Now().Add(-24*time.Hour), nil)
	s.adminJSON("POST", "/incidents/"+inc.Key+"/rca", map[string]any{"template": "essentials"}, http.StatusCreated, nil)
	const section, other = "timeline", "event-description"
	orig := s.rca(inc.Key)
	body, otherBody := orig.body(section), orig.body(other)
	eol := strings.IndexByte(body, '\n')
	if eol < 0 {
		t.Fatalf("the template's %s has no line break: %q", section, body)
	}

	b := s.newBrowser(t)
	b.signedIn(editorEmail, editorPassword)
	chunk := b.holdRequests("GET", "*/assets/cm-*.js")
	b.open("/incidents/" + inc.Key + "/rca")
	plain := fmt.Sprintf(`%s[data-section=%q] [data-editor="textarea"] textarea`, dt("section-editor"), section)
	b.waitVisible(plain)
	chunk.waitHeld(1)

	// The user clicks at the end of the first line of the plain editor and types.
	b.eval(fmt.Sprintf(`(() => { const ta = document.querySelector(%q); ta.focus(); ta.setSelectionRange(%d, %d); return true })()`, plain, eol, eol), nil)
	const whileLoading = " (typed while the editor loaded)"
	b.run("type while CodeMirror loads", input.InsertText(whileLoading))
	chunk.release()
	// From here every save is held until the typing below is done: what is
	// typed after CodeMirror loaded stays unsaved until a held save takes it.
	saves := b.holdRequests("PUT", "*/api/v1/incidents/"+inc.Key+"/rca")
	b.waitVisible(sectionInput(section))
	// No click: the focus and the cursor came along.
	const afterLoading = " (and after)"
	b.run("type after CodeMirror loaded", input.InsertText(afterLoading))
	line := body[:eol] + whileLoading + afterLoading
	b.waitJS("CodeMirror's first line is "+line, fmt.Sprintf(`document.querySelector(%q + ' .cm-line').textContent === %q`, sectionInput(section), line))

	// Save now (Ctrl+S); while the save is held, type on, here and in
	// another section.
	b.run("Ctrl+S", chromedp.KeyEvent("s", chromedp.KeyModifiers(input.ModifierCtrl)))
	saves.waitHeld(1)
	const whileSaving = " (and while it saved)"
	b.run("type while the save is on its way", input.InsertText(whileSaving))
	const otherText = "Typed while a save was on its way. "
	b.typeInSection(other, otherText)
	saves.release()

	want := map[string]string{
		section: body[:eol] + whileLoading + afterLoading + whileSaving + body[eol:],
		other:   otherText + otherBody,
	}
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(100 * time.Millisecond) {
		r := s.rca(inc.Key)
		if r.body(section) == want[section] && r.body(other) == want[other] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("on the server %s is %q, want %q;\n%s is %q, want %q",
				section, r.body(section), want[section], other, r.body(other), want[other])
		}
	}
	b.waitSaved()
	for k, text := range want {
		first, _, _ := strings.Cut(text, "\n")
		b.waitJS(k+"'s first line in the editor", fmt.Sprintf(`document.querySelector(%q + ' .cm-line').textContent === %q`, sectionInput(k), first))
	}
}
