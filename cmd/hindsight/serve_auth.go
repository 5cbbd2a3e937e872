package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/api"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// authDeps builds the sign-in settings of the API from the configuration.
func authDeps(e *env, s *store.Store) (api.AuthDeps, error) {
	d := api.AuthDeps{
		Sessions:     s.Sessions(),
		IdleTimeout:  e.cfg.SessionIdleTimeout,
		Lifetime:     e.cfg.SessionLifetime,
		CookieSecure: e.cfg.SecureCookies(),
		HSTS:         e.cfg.HTTPS(),
	}
	if !d.CookieSecure {
		e.log.Warn("Session cookies are not marked Secure: serve over HTTPS and set HINDSIGHT_PUBLIC_URL=https://… (or HINDSIGHT_COOKIE_SECURE=true behind a TLS proxy)")
	}
	if e.cfg.OIDCIssuer == "" {
		return d, nil
	}
	redirect, err := e.cfg.OIDCCallbackURL()
	if err != nil {
		return d, usageError{err}
	}
	m, err := e.cfg.RoleMap()
	if err != nil {
		return d, usageError{err}
	}
	roles := make(map[string]incident.Role, len(m))
	for g, r := range m {
		roles[g] = incident.Role(r)
	}
	o, err := auth.NewOIDC(auth.OIDCConfig{
		Issuer: e.cfg.OIDCIssuer, ClientID: e.cfg.OIDCClientID, ClientSecret: e.cfg.OIDCClientSecret,
		RedirectURL: redirect, Scopes: e.cfg.OIDCScopes, GroupsClaim: e.cfg.OIDCGroupsClaim,
		RoleMap: roles, DefaultRole: incident.Role(e.cfg.OIDCDefaultRole), Name: e.cfg.OIDCName,
	})
	if err != nil {
		return d, usageError{err}
	}
	d.OIDC = o
	e.log.Info("Single sign-on is on", "issuer", e.cfg.OIDCIssuer, "client_id", e.cfg.OIDCClientID, "redirect_url", redirect)
	return d, nil
}

// firstAdmin creates the first admin when no user exists and prints its
// one-time password to the console (stdout, not the log, so it is not kept
// in log files), once: the next start finds a user and prints nothing.
func firstAdmin(e *env, a *app.App) error {
	ctx := incident.WithActor(e.ctx, incident.Actor{Name: "hindsight"})
	u, pw, err := a.EnsureFirstAdmin(ctx, e.cfg.AdminEmail)
	if err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	if pw == "" {
		return nil
	}
	e.log.Info("Created the first admin; its one-time password is printed on standard output", "email", u.Email)
	fmt.Fprintf(e.stdout, "\nNo user existed, so an admin was created:\n  e-mail:   %s\n  password: %s\n"+
		"This one-time password is shown only now and expires in %s; sign in at /login and choose your own\n"+
		"(after that, `hindsight user reset-password %s` makes a new one).\n\n", u.Email, pw, otpTTL(), u.Email)
	return nil
}

// sweepSessions deletes ended sessions every hour until ctx ends.
func sweepSessions(ctx context.Context, e *env, s *store.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.Sessions().DeleteExpired(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("Cannot delete expired sessions", "error", err)
		} else if n > 0 {
			e.log.Debug("Deleted expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
