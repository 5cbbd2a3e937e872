// Package e2e drives the real Hindsight server through its browser UI in
// headless Chromium (chromedp). Everything is in the _test.go files:
//
//	make ui && go test ./internal/e2e/ -count=1 -v
//
// TestMain builds cmd/hindsight with `go build` (so the binary embeds
// whatever frontend/dist holds at that moment) and every test starts that
// binary's `serve` on a loopback port with a fresh data directory (embedded
// SQLite, or a throwaway PostgreSQL database for the *Postgres tests), its
// own users and API tokens made with the `hindsight user` and `hindsight
// token` commands, and its own Chromium with a fresh profile. A test fails
// on any console error, uncaught exception or failed request to the server
// that it did not announce as expected.
//
// Without a built UI (frontend/dist has only .gitkeep) or without Chromium
// the tests fail when CI is set and skip otherwise. Screenshots of the main
// pages go to tmp/screenshots/ at the repository root, or to
// $HINDSIGHT_SCREENSHOTS.
package e2e
