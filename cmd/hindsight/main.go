// Command hindsight is the Hindsight server and its command-line tools: one
// binary that serves the API and UI, migrates the database and, in later
// versions, imports, searches and exports incidents.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // HINDSIGHT_TIMEZONE works without the system zone database
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
