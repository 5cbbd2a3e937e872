package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// tokenCmd manages API tokens on the data dir's database.
type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Create an API token for a user and print it (shown once)."`
	List   tokenListCmd   `cmd:"" help:"List API tokens (never their secrets)."`
	Revoke tokenRevokeCmd `cmd:"" help:"Revoke an API token; it stops working at once."`
}

type tokenCreateCmd struct {
	User    string `required:"" help:"The token's user: e-mail address or id." placeholder:"EMAIL"`
	Name    string `required:"" help:"What the token is for, e.g. ci-importer." placeholder:"NAME"`
	Scopes  string `default:"read" help:"Comma-separated scopes: read, write, import, admin." placeholder:"SCOPES"`
	Expires string `help:"Lifetime, e.g. 90d, 12h, or the last day it works, 2026-12-31 (until the end of that day, UTC; default: never expires)." placeholder:"DURATION"`
}

// Run creates the token.
func (c tokenCreateCmd) Run(e *env) error {
	var scopes []incident.Scope
	for s := range strings.SplitSeq(c.Scopes, ",") {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			scopes = append(scopes, incident.Scope(s))
		}
	}
	exp, err := parseExpiry(c.Expires, time.Now())
	if err != nil {
		return usageError{fmt.Errorf("--expires: %w", err)}
	}
	return withUser(e, c.User, func(a *app.App, u incident.User) error {
		t, secret, err := a.CreateToken(e.ctx, app.NewToken{UserID: u.ID, Name: c.Name, Scopes: scopes, ExpiresAt: exp})
		if err != nil {
			return cliError(err)
		}
		when := "never"
		if t.ExpiresAt != nil {
			when = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(e.stderr, "Token %d (%s) for %s, scopes %s, expires %s. Shown once; keep it secret:\n",
			t.ID, t.Name, u.Email, scopeList(t.Scopes), when)
		fmt.Fprintln(e.stdout, secret)
		return nil
	})
}

// parseExpiry reads "90d", a Go duration ("12h") or a date; "" is never.
func parseExpiry(s string, now time.Time) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3650 {
			return nil, errors.New("want a number of days from 1 to 3650, such as 90d")
		}
		t := now.AddDate(0, 0, n)
		return &t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return nil, errors.New("must be positive")
		}
		t := now.Add(d)
		return &t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		// A date is the last day the token works: it ends when the day
		// does (UTC), not as it starts.
		t = t.AddDate(0, 0, 1)
		return &t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	return nil, fmt.Errorf("%q: want days (90d), a duration (12h) or a date (2026-12-31)", s)
}

func scopeList(ss []incident.Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

type tokenListCmd struct {
	User string `help:"Only this user's tokens: e-mail address or id." placeholder:"EMAIL"`
}

// Run lists tokens.
func (c tokenListCmd) Run(e *env) error {
	a, done, err := e.userApp()
	if err != nil {
		return err
	}
	defer done()
	var uid int64
	if c.User != "" {
		u, err := findUser(e, a, c.User)
		if err != nil {
			return cliError(err)
		}
		uid = u.ID
	}
	ts, err := a.Tokens(e.ctx, uid)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		fmt.Fprintln(e.stdout, "No tokens. Create one with: hindsight token create --user <email> --name <name>")
		return nil
	}
	now := time.Now()
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSER\tNAME\tPREFIX\tSCOPES\tSTATE\tEXPIRES\tLAST USED")
	for _, t := range ts {
		state := "active"
		switch {
		case t.RevokedAt != nil:
			state = "revoked"
		case !t.Active(now):
			state = "expired"
		}
		exp, last := "never", "never"
		if t.ExpiresAt != nil {
			exp = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		if t.LastUsedAt != nil {
			last = t.LastUsedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s…\t%s\t%s\t%s\t%s\n", t.ID, t.UserEmail, termLine(t.Name), t.Prefix, scopeList(t.Scopes), state, exp, last)
	}
	return w.Flush()
}

type tokenRevokeCmd struct {
	ID int64 `arg:"" help:"Token id (see hindsight token list)."`
}

// Run revokes the token.
func (c tokenRevokeCmd) Run(e *env) error {
	a, done, err := e.userApp()
	if err != nil {
		return err
	}
	defer done()
	t, err := a.RevokeToken(e.ctx, c.ID)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(e.stdout, "Token %d (%s) of %s is revoked.\n", t.ID, t.Name, t.UserEmail)
	return nil
}
