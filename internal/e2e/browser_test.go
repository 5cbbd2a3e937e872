package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Viewports: a laptop, and a phone for the small-screen run.
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844
)

// browserTimeout bounds everything one browser does in a test.
const browserTimeout = 90 * time.Second

// waitTimeout bounds one wait for a selector or a condition.
const waitTimeout = 15 * time.Second

// browser is one headless Chromium (fresh profile) on one server. It
// records every console error, uncaught exception, log error and failed
// request to the server; the test fails on them when it ends, except for
// the error answers it allowed beforehand (allow).
type browser struct {
	t      testing.TB
	s      *server
	ctx    context.Context
	origin string

	mu       sync.Mutex
	problems []string
	logs     []*log.Entry // error log entries, judged at the end (see check)
	requests map[network.RequestID]*network.Request
	allowed  []allowRule
	okURLs   map[string]bool // URLs whose error answer was allowed
}

// allowRule is an error answer a test provokes on purpose.
type allowRule struct {
	method string // "" is any
	path   string // URL path prefix
	status int64
}

// newBrowser starts Chromium at the desktop size.
func (s *server) newBrowser(t testing.TB) *browser {
	return s.newBrowserSized(t, desktopWidth, desktopHeight, false)
}

// newPhone starts Chromium emulating a phone.
func (s *server) newPhone(t testing.TB) *browser {
	return s.newBrowserSized(t, phoneWidth, phoneHeight, true)
}

func (s *server) newBrowserSized(t testing.TB, w, h int, mobile bool) *browser {
	t.Helper()
	chromium := prerequisites(t)
	// A fresh profile per browser. Not t.TempDir: Chromium's helper
	// processes may still write to it for a moment after the browser is
	// stopped, which would fail the test at its cleanup.
	profile, err := os.MkdirTemp("", "hindsight-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(w, h),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("lang", "en-US"),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	tctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(tctx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if strings.Contains(msg, "unhandled node event") {
			return // CDP events newer than chromedp (dom.topLayerElementsUpdated): harmless
		}
		fmt.Fprintf(os.Stderr, "chromedp: %s\n", msg)
	}))
	u, _ := url.Parse(s.URL)
	b := &browser{t: t, s: s, ctx: ctx, origin: u.Scheme + "://" + u.Host,
		requests: map[network.RequestID]*network.Request{}, okURLs: map[string]bool{}}
	chromedp.ListenTarget(ctx, b.onEvent)
	emulate := chromedp.EmulateViewport(int64(w), int64(h))
	if mobile {
		emulate = chromedp.EmulateViewport(int64(w), int64(h), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Run(ctx, emulate); err != nil {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		os.RemoveAll(profile)
		t.Fatalf("start Chromium %s: %v", chromium, err)
	}
	t.Cleanup(func() {
		b.check()
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond) // helpers still exiting
		}
	})
	return b
}

// allow announces an error answer the test provokes: method ("" any) on
// paths matching path (see pathMatches), with status. It is not a failure then.
func (b *browser) allow(method, path string, status int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, allowRule{method: method, path: path, status: int64(status)})
}

func (b *browser) ours(raw string) bool {
	return strings.HasPrefix(raw, b.origin+"/") || raw == b.origin
}

func (b *browser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.APITypeError || e.Type == runtime.APITypeAssert {
			b.problems = append(b.problems, "console."+string(e.Type)+": "+consoleArgs(e.Args))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		b.problems = append(b.problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		if e.Entry.Level == log.LevelError {
			b.logs = append(b.logs, e.Entry)
		}
	case *network.EventRequestWillBeSent:
		b.requests[e.RequestID] = e.Request
	case *network.EventResponseReceived:
		r := e.Response
		if r == nil || r.Status < 400 || !b.ours(r.URL) {
			return
		}
		method := ""
		if req := b.requests[e.RequestID]; req != nil {
			method = req.Method
		}
		if b.isAllowed(method, r.URL, r.Status) {
			b.okURLs[r.URL] = true
			return
		}
		b.problems = append(b.problems, fmt.Sprintf("%s %s answered %d %s", method, r.URL, r.Status, r.StatusText))
	case *network.EventLoadingFailed:
		req := b.requests[e.RequestID]
		if e.Canceled || req == nil || !b.ours(req.URL) {
			return // cancelled by a navigation or an abort, or not ours
		}
		b.problems = append(b.problems, fmt.Sprintf("%s %s failed: %s %s", req.Method, req.URL, e.ErrorText, e.BlockedReason))
	}
}

func (b *browser) isAllowed(method, raw string, status int64) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	for _, a := range b.allowed {
		if (a.method == "" || a.method == method) && pathMatches(a.path, u.Path) && a.status == status {
			return true
		}
	}
	return false
}

// pathMatches reports whether path starts with pattern, where a * in
// pattern stands for one path segment ("/api/v1/incidents/*/rca") and a
// final $ asks for the whole path.
func pathMatches(pattern, path string) bool {
	whole := strings.HasSuffix(pattern, "$")
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSuffix(pattern, "$")), `\*`, `[^/]+`)
	if whole {
		re += "$"
	}
	ok, _ := regexp.MatchString(re, path)
	return ok
}

// allowNoRCA allows the 404 the incident page and the RCA editor get when
// they ask for the RCA of an incident that has none yet: that answer is
// how they learn it.
func (b *browser) allowNoRCA() {
	b.allow("GET", "/api/v1/incidents/*/rca$", http.StatusNotFound)
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// failedLoad is Chromium's log line for an error answer.
var failedLoad = regexp.MustCompile(`^Failed to load resource: the server responded with a status of (\d+)`)

// check fails the test on every problem seen so far, once.
func (b *browser) check() {
	b.t.Helper()
	// A round trip to the page lets events already sent be delivered.
	_ = chromedp.Run(b.ctx, chromedp.Evaluate(`1`, nil))
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.logs {
		// Chromium logs every error answer as well: an allowed one is no
		// problem, and one of ours was reported from its response already.
		if e.Source == log.SourceNetwork && failedLoad.MatchString(e.Text) && (b.okURLs[e.URL] || b.ours(e.URL)) {
			continue
		}
		b.problems = append(b.problems, fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL))
	}
	b.logs = nil
	for _, p := range b.problems {
		b.t.Errorf("browser: %s", p)
	}
	b.problems = nil
}

// run runs chromedp actions and ends the test on an error, with a
// screenshot of the page as it was.
func (b *browser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// fail ends the test, saving a screenshot and the page's text.
func (b *browser) fail(what string, err error) {
	b.t.Helper()
	var loc, text string
	var shot []byte
	sctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Run(sctx, chromedp.Location(&loc), chromedp.Evaluate(`document.body ? document.body.innerText.slice(0, 2000) : ''`, &text),
		chromedp.CaptureScreenshot(&shot))
	name := "FAILED-" + safeName(b.t.Name()) + ".png"
	if len(shot) > 0 {
		if dir := screenshotDir(b.t); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, name), shot, 0o644)
		}
	}
	// A page another lane has not built yet shows its placeholder: locally
	// that is a skip (the flow is written, the page is not there), in CI a
	// failure like any other.
	if strings.Contains(text, placeholderText) && !inCI() {
		b.t.Skipf("page not ready: %s shows the placeholder %q (%s: %v)", loc, placeholderText, what, err)
	}
	b.t.Fatalf("%s: %v\n  at %s (screenshot %s)\n  page text:\n%s", what, err, loc, name, indent(text))
}

// placeholderText is what the stub of a page not built yet says.
const placeholderText = "This page is not built yet."

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

// dt is the CSS selector of a data-test name.
func dt(name string) string { return `[data-test="` + name + `"]` }

// open navigates to a path of the server and waits for the page's load.
func (b *browser) open(path string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.s.URL+path))
}

// waitVisible waits until sel is visible.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.WaitVisible(sel, chromedp.ByQuery)); err != nil {
		b.fail("wait for "+sel, err)
	}
}

// waitGone waits until nothing matches sel.
func (b *browser) waitGone(sel string) {
	b.t.Helper()
	b.waitJS("no "+sel, fmt.Sprintf(`!document.querySelector(%q)`, sel))
}

// waitJS polls a JavaScript expression until it is truthy. It polls from
// here rather than in the page (chromedp.Poll) so that a navigation while
// waiting (a sign-in redirect, a full reload) is survived: an evaluation
// that fails because the page is changing is simply tried again.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var lastErr error
	for {
		var ok bool
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		err := chromedp.Run(ctx, chromedp.Evaluate("!!("+expr+")", &ok))
		cancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if b.ctx.Err() != nil || time.Now().After(deadline) {
			if lastErr == nil {
				lastErr = fmt.Errorf("still false after %s", waitTimeout)
			}
			b.fail("wait for "+what+" ("+expr+")", lastErr)
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
}

// waitPath waits until the location's path (and query, when path has one) is path.
func (b *browser) waitPath(path string) {
	b.t.Helper()
	expr := fmt.Sprintf(`location.pathname === %q`, path)
	if strings.Contains(path, "?") {
		expr = fmt.Sprintf(`location.pathname + location.search === %q`, path)
	}
	b.waitJS("path "+path, expr)
}

// waitText waits until sel's text contains text.
func (b *browser) waitText(sel, text string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("%q in %s", text, sel), fmt.Sprintf(
		`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, sel, text))
}

// click waits for sel to be visible and clicks it.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.waitVisible(sel)
	b.run("click "+sel, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
}

// clickJS clicks sel with element.click() (the element, wherever it is
// at that moment), for lists that may move under the mouse.
func (b *browser) clickJS(sel string) {
	b.t.Helper()
	b.waitVisible(sel)
	b.eval(fmt.Sprintf(`document.querySelector(%q).click(), true`, sel), nil)
}

// typeInto types text into the input sel (key by key, as a person would).
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.waitVisible(sel)
	b.run("type into "+sel, chromedp.SendKeys(sel, text, chromedp.ByQuery, chromedp.NodeVisible))
}

// fill replaces the value of the input, select or textarea sel and
// dispatches input and change events (for fields SendKeys handles poorly:
// dates, selects).
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.waitVisible(sel)
	var ok bool
	b.run("fill "+sel, chromedp.Evaluate(fmt.Sprintf(`(() => {
		const el = document.querySelector(%q)
		if (!el) return false
		const proto = Object.getPrototypeOf(el)
		const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set
		if (setter) setter.call(el, %q); else el.value = %q
		el.dispatchEvent(new Event('input', { bubbles: true }))
		el.dispatchEvent(new Event('change', { bubbles: true }))
		return true
	})()`, sel, value, value), &ok))
	if !ok {
		b.fail("fill "+sel, fmt.Errorf("no element"))
	}
}

// text is the text content of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.waitVisible(sel)
	var s string
	b.run("text of "+sel, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return s
}

// eval evaluates JavaScript into res.
func (b *browser) eval(js string, res any) {
	b.t.Helper()
	b.run("evaluate "+js, chromedp.Evaluate(js, res))
}

// count is the number of elements matching sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	var n int
	b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}

// location is the page's path and query.
func (b *browser) location() string {
	b.t.Helper()
	var s string
	b.eval(`location.pathname + location.search`, &s)
	return s
}

// signIn signs in through the server's /login page (the page the browser
// is on when it is already there, e.g. after a redirect with ?next=).
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	var path string
	if err := chromedp.Run(b.ctx, chromedp.Evaluate(`location.pathname`, &path)); err != nil || path != "/login" {
		b.open("/login")
	}
	b.waitVisible("#email")
	b.fill("#email", email)
	b.fill("#password", password)
	b.run("submit the sign-in form", chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery))
}

// signedIn signs in and waits for the UI to show the signed-in user.
func (b *browser) signedIn(email, password string) {
	b.t.Helper()
	b.signIn(email, password)
	b.waitSignedIn()
}

// waitSignedIn waits until the UI has loaded the session (the user menu).
func (b *browser) waitSignedIn() {
	b.t.Helper()
	b.waitJS("the signed-in UI", `!!document.querySelector('[data-test="user-menu"], .user-menu') && location.pathname !== '/login'`)
}

// noSideways fails the test when the page is wider than the viewport (on a
// phone: the page scrolls sideways), naming the widest elements.
func (b *browser) noSideways() {
	b.t.Helper()
	var res struct {
		Page, View int
		Wide       []string
	}
	b.eval(`(() => {
		const view = document.documentElement.clientWidth
		const wide = [...document.querySelectorAll('body *')]
			.filter(e => e.getBoundingClientRect().right > view + 1)
			.slice(0, 5)
			.map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ')')
		return { page: document.documentElement.scrollWidth, view, wide }
	})()`, &res)
	if res.Page > res.View {
		b.t.Errorf("the page is %d px wide in a %d px viewport (it scrolls sideways); too wide: %s", res.Page, res.View, strings.Join(res.Wide, ", "))
	}
}

// screenshotDir is where screenshots go, created on demand: $HINDSIGHT_SCREENSHOTS,
// else tmp/screenshots at the repository root (git-ignored).
func screenshotDir(t testing.TB) string {
	dir := os.Getenv("HINDSIGHT_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(repoRoot, "tmp", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("screenshots: %v", err)
		return ""
	}
	return dir
}

// screenshot saves the whole page as <name>.png in the screenshot folder.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := screenshotDir(b.t)
	if dir == "" {
		return
	}
	// Let fonts, lazy chunks and transitions settle: wait until no spinner shows.
	b.waitJS("no spinner", `document.readyState === 'complete' && !document.querySelector('.spinner, [data-test="loading"]')`)
	var png []byte
	b.run("screenshot "+name, chromedp.FullScreenshot(&png, 100))
	p := filepath.Join(dir, safeName(name)+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Errorf("screenshot: %v", err)
		return
	}
	b.t.Logf("screenshot %s", p)
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// chromedpFocus focuses the element sel (CodeMirror takes focus on its
// content element).
func chromedpFocus(sel string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).focus()`, sel), nil)
}
