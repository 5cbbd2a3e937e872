package report

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrPDFUnavailable is returned when no Chromium is there to print with.
var ErrPDFUnavailable = errors.New("PDF export needs headless Chromium: install the chromium package or set HINDSIGHT_CHROMIUM_PATH to a Chromium or Chrome binary")

// PDFTimeout bounds one PDF rendering, browser start included.
const PDFTimeout = 60 * time.Second

// ChromiumNames are the browser names looked up on PATH, in order.
var ChromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindChromium returns the browser to print with: configured (the
// HINDSIGHT_CHROMIUM_PATH setting) when set, else the first of ChromiumNames
// on PATH. Without one it returns an error wrapping ErrPDFUnavailable.
func FindChromium(configured string) (string, error) {
	if configured != "" {
		p, err := exec.LookPath(configured)
		if err != nil {
			return "", fmt.Errorf("%w (HINDSIGHT_CHROMIUM_PATH=%s: %v)", ErrPDFUnavailable, configured, err)
		}
		return p, nil
	}
	for _, n := range ChromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", ErrPDFUnavailable
}

// PDF prints a standalone HTML page (RenderHTML's output) to PDF with
// headless Chromium at path. The browser runs with a fresh profile that is
// removed afterwards, without sandbox (it may run as root in containers),
// and every network request the page makes is refused: the export is
// self-contained and the server must not fetch what a document links to.
func PDF(ctx context.Context, path string, html []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "hindsight-chromium-")
	if err != nil {
		return nil, fmt.Errorf("report: pdf: %w", err)
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(ctx, PDFTimeout)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	chromedp.ListenTarget(bctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			go func() {
				c := chromedp.FromContext(bctx)
				_ = fetch.FailRequest(e.RequestID, network.ErrorReasonBlockedByClient).Do(cdp.WithExecutor(bctx, c.Target))
			}()
		}
	})
	var out []byte
	err = chromedp.Run(bctx,
		chromedp.Navigate("about:blank"),
		fetch.Enable(),
		emulation.SetScriptExecutionDisabled(true),
		chromedp.ActionFunc(func(ctx context.Context) error {
			tree, err := page.GetFrameTree().Do(ctx)
			if err != nil {
				return err
			}
			if err := page.SetDocumentContent(tree.Frame.ID, string(html)).Do(ctx); err != nil {
				return err
			}
			out, _, err = page.PrintToPDF().WithPrintBackground(true).WithPreferCSSPageSize(true).Do(ctx)
			return err
		}),
	)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("report: pdf: Chromium did not finish within %s: %w", PDFTimeout, err)
		}
		return nil, fmt.Errorf("report: pdf: %w", err)
	}
	return out, nil
}
