package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// held is the page's requests a hold stopped (see holdRequests).
type held struct {
	b        *browser
	what     string
	mu       sync.Mutex
	ids      []fetch.RequestID
	count    int           // requests held so far
	arrived  chan struct{} // a wake-up for waitHeld when one is held
	released bool
	done     bool // interception stopped: later holds' requests are not ours
}

// holdRequests stops the page's requests with method to URLs matching
// pattern (CDP Fetch patterns: * is any text) before they leave the
// browser, until release; then they go on as sent. Other requests matching
// pattern pass at once. One hold at a time: each replaces the browser's
// interception.
func (b *browser) holdRequests(method, pattern string) *held {
	b.t.Helper()
	h := &held{b: b, what: method + " " + pattern, arrived: make(chan struct{}, 100)}
	match := fetchPattern(pattern)
	chromedp.ListenTarget(b.ctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok || !match.MatchString(e.Request.URL) {
			return // another hold's
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.done {
			return
		}
		if h.released || e.Request.Method != method {
			h.cont(e.RequestID)
			return
		}
		h.ids = append(h.ids, e.RequestID)
		h.count++
		select {
		case h.arrived <- struct{}{}:
		default: // the waiter has wake-ups pending already
		}
	})
	b.run("hold "+h.what, fetch.Enable().WithPatterns([]*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}))
	return h
}

// hold is holdRequests for a test that only needs to let them go.
func (b *browser) hold(method, pattern string) (release func()) {
	b.t.Helper()
	return b.holdRequests(method, pattern).release
}

func (h *held) cont(id fetch.RequestID) {
	go func() { // not from the event goroutine: it would wait for itself
		c := chromedp.FromContext(h.b.ctx)
		_ = fetch.ContinueRequest(id).Do(cdp.WithExecutor(h.b.ctx, c.Target))
	}()
}

// waitHeld waits until n requests have been held in all.
func (h *held) waitHeld(n int) {
	h.b.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		h.mu.Lock()
		count := h.count
		h.mu.Unlock()
		if count >= n {
			return
		}
		select {
		case <-h.arrived:
		case <-deadline:
			h.b.fail("wait for "+h.what, fmt.Errorf("%d of %d requests held after %s", count, n, waitTimeout))
		}
	}
}

// release lets the held requests go on and stops holding.
func (h *held) release() {
	h.mu.Lock()
	h.released = true
	ids := h.ids
	h.ids = nil
	h.mu.Unlock()
	for _, id := range ids {
		h.cont(id)
	}
	// Stop intercepting (a paused request would also hold up the end of
	// the test); requests paused meanwhile are let go by the listener.
	_ = chromedp.Run(h.b.ctx, fetch.Disable())
	h.mu.Lock()
	h.done = true
	h.mu.Unlock()
}

// fetchPattern is a CDP Fetch URL pattern as a regular expression: * is
// any text, ? one character, a backslash escapes.
func fetchPattern(p string) *regexp.Regexp {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*':
			re.WriteString(".*")
		case c == '?':
			re.WriteString(".")
		case c == '\\' && i+1 < len(p):
			i++
			re.WriteString(regexp.QuoteMeta(p[i : i+1]))
		default:
			re.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String())
}
