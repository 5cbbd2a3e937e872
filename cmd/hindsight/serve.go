package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hindsightrca/hindsight/api"
	"github.com/hindsightrca/hindsight/frontend"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/markdown"
)

type serveCmd struct {
	Addr string `help:"Address to listen on (env HINDSIGHT_ADDR; default 127.0.0.1:8080)." placeholder:"HOST:PORT"`
}

// Run serves HTTP until the context ends, then drains in-flight requests.
func (c serveCmd) Run(e *env) error {
	if c.Addr != "" {
		e.cfg.Addr = c.Addr
	}
	if err := e.setup(); err != nil {
		return err
	}
	tmpls, err := loadTemplates(e)
	if err != nil {
		return err
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	md := markdown.New()       // one pipeline for previews, reports and exports
	var a *app.App
	ix, err := openIndex(e, func(ctx context.Context, ids []int64) { a.CheckRecurrences(ctx, ids) })
	if err != nil {
		return err
	}
	defer ix.Close()
	// The dashboards' projection loads in the background; they answer
	// from SQL until it is loaded.
	dash := dashboard.New(s, e.log)
	a = app.New(s, app.Options{Logger: e.log, Location: loc, Templates: tmpls, ChromiumPath: e.cfg.ChromiumPath, Markdown: md,
		Hooks: hookRegistry(), HookRouteWindow: e.cfg.HookRouteWindow, Search: ix, Tickets: ticketOptions(e.cfg), Dashboard: dash})
	// The indexer follows the change feed until shutdown, then the index
	// closes (deferred above, so after the indexer stopped).
	indexCtx, stopIndexer := context.WithCancel(e.ctx)
	indexerDone := make(chan struct{})
	go func() { defer close(indexerDone); ix.Run(indexCtx, a.SearchSource()) }()
	defer func() { stopIndexer(); <-indexerDone }()
	dashDone := make(chan struct{})
	go func() { defer close(dashDone); dash.Run(indexCtx) }()
	defer func() { stopIndexer(); <-dashDone }()
	authDeps, err := authDeps(e, s)
	if err != nil {
		return err
	}
	if err := firstAdmin(e, a); err != nil {
		return err
	}
	go sweepSessions(indexCtx, e, s)
	defer startTicketSync(indexCtx, e, a)()
	stopReminders := startReminders(e.ctx, e, a)
	defer stopReminders() // gives the job's lease back before exiting
	handler := api.New(api.Deps{
		Service:        a,
		Logger:         e.log,
		MaxBodyBytes:   e.cfg.MaxBodyBytes,
		Version:        version,
		Markdown:       md,
		UI:             frontend.Handler(),
		Imports:        api.ImportDeps{Registry: importerRegistry(), MaxUploadBytes: e.cfg.MaxUploadBytes},
		Hooks:          api.HookDeps{MaxBodyBytes: e.cfg.HookMaxBodyBytes},
		PublicURL:      e.cfg.PublicURL,
		Slack:          api.SlackDeps{SigningSecret: e.cfg.SlackSigningSecret},
		Status:         api.StatusDeps{Off: !e.cfg.StatusPageOn(), Title: e.cfg.StatusTitle, CacheTTL: 5 * time.Second},
		Auth:           authDeps,
		TrustedProxies: e.cfg.TrustedProxies,
	})
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       e.cfg.RequestTimeout,
		WriteTimeout:      e.cfg.RequestTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	removeServerFile := writeServerFile(e, url)
	defer removeServerFile()
	e.log.Info("Hindsight is serving", "url", url, "database", e.databaseName(), "dialect", s.Dialect(), "data_dir", e.cfg.DataDir, "version", version)
	fmt.Fprintf(e.stdout, "Hindsight %s is serving on %s (database: %s)\n", version, url, e.databaseName())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-e.ctx.Done():
	}
	e.log.Info("Shutting down", "timeout", e.cfg.ShutdownTimeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("Stopped cleanly")
	return nil
}
