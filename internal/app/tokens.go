package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// NewToken is what creating an API token takes.
type NewToken struct {
	UserID int64
	Name   string
	// Scopes default to read.
	Scopes []incident.Scope
	// ExpiresAt is when the token stops working; nil: never.
	ExpiresAt *time.Time
	// ExpiresInDays, instead of ExpiresAt, counts from now on the app's clock.
	ExpiresInDays int
}

// MaxTokenName bounds a token's name, in characters.
const MaxTokenName = 100

// tokenTouchEvery is how often a token's last-used time (and a token.use
// audit entry) is written at most: once a minute keeps busy scripts from
// costing a write per request.
const tokenTouchEvery = time.Minute

// CreateToken makes an API token for a user and returns it with its secret,
// which is shown once: only its SHA-256 is stored. A scope beyond the
// user's role is refused (write and import need an editor, admin an admin).
func (a *App) CreateToken(ctx context.Context, in NewToken) (incident.APIToken, string, error) {
	name := strings.TrimSpace(incident.CleanText(in.Name))
	switch {
	case name == "":
		return incident.APIToken{}, "", incident.Invalid("name", "is required")
	case len([]rune(name)) > MaxTokenName:
		return incident.APIToken{}, "", incident.Invalid("name", fmt.Sprintf("must be at most %d characters", MaxTokenName))
	}
	if len(in.Scopes) == 0 {
		in.Scopes = []incident.Scope{incident.ScopeRead}
	}
	if in.ExpiresInDays != 0 {
		if in.ExpiresAt != nil {
			return incident.APIToken{}, "", incident.Invalid("expires_in_days", "give expires_at or expires_in_days, not both")
		}
		if in.ExpiresInDays < 1 || in.ExpiresInDays > 3650 {
			return incident.APIToken{}, "", incident.Invalid("expires_in_days", "must be from 1 to 3650")
		}
		t := a.Now().AddDate(0, 0, in.ExpiresInDays)
		in.ExpiresAt = &t
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(a.Now()) {
		return incident.APIToken{}, "", incident.Invalid("expires_at", "must be in the future")
	}
	u, err := a.store.User(ctx, in.UserID)
	if err != nil {
		return incident.APIToken{}, "", err
	}
	seen := map[incident.Scope]bool{}
	var scopes []incident.Scope
	for _, s := range in.Scopes {
		if !s.Valid() {
			return incident.APIToken{}, "", incident.Invalid("scopes", fmt.Sprintf("%q is not a scope (want read, write, import or admin)", s))
		}
		need := incident.RoleViewer
		switch s {
		case incident.ScopeWrite, incident.ScopeImport:
			need = incident.RoleEditor
		case incident.ScopeAdmin:
			need = incident.RoleAdmin
		}
		if !u.Role.AtLeast(need) {
			return incident.APIToken{}, "", incident.Invalid("scopes", fmt.Sprintf("%s needs the %s role; %s is %s", s, need, u.Email, u.Role))
		}
		if !seen[s] {
			seen[s] = true
			scopes = append(scopes, s)
		}
	}
	secret := auth.NewToken()
	t := incident.APIToken{UserID: u.ID, UserEmail: u.Email, Name: name, Scopes: scopes,
		Hash: auth.HashToken(secret), Prefix: auth.DisplayPrefix(secret), ExpiresAt: utcPtr(in.ExpiresAt)}
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateToken(ctx, &t); err != nil {
			return err
		}
		return a.auditUser(ctx, tx, incident.AuditTokenCreate, incident.ObjectToken, t.ID,
			fmt.Sprintf("%s for %s, scopes %s", t.Prefix, u.Email, joinScopes(scopes)))
	})
	if err != nil {
		return incident.APIToken{}, "", err
	}
	return t, secret, nil
}

func joinScopes(ss []incident.Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// Tokens lists a user's tokens (userID 0: everyone's), newest first.
func (a *App) Tokens(ctx context.Context, userID int64) ([]incident.APIToken, error) {
	return a.store.Tokens(ctx, userID)
}

// Token returns the token with id.
func (a *App) Token(ctx context.Context, id int64) (incident.APIToken, error) {
	return a.store.Token(ctx, id)
}

// RevokeToken ends a token at once, on every replica (each request looks
// the token up).
func (a *App) RevokeToken(ctx context.Context, id int64) (incident.APIToken, error) {
	var out incident.APIToken
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		t, err := tx.Token(ctx, id)
		if err != nil {
			return err
		}
		revoked, err := tx.RevokeToken(ctx, id, a.Now())
		if err != nil {
			return err
		}
		if out, err = tx.Token(ctx, id); err != nil {
			return err
		}
		if !revoked {
			return nil // revoked before: nothing changed, nothing to audit
		}
		return a.auditUser(ctx, tx, incident.AuditTokenRevoke, incident.ObjectToken, id, t.Prefix+" of "+t.UserEmail)
	})
	return out, err
}

// AuthenticateToken returns the user and token a bearer secret belongs to.
// Unknown, revoked and expired tokens and disabled users are
// ErrUnauthenticated (and audited, at most once a minute per address:
// AuditRefused). Use is recorded at most once a minute
// per token: its last-used time and a token.use audit entry.
func (a *App) AuthenticateToken(ctx context.Context, secret string) (incident.User, incident.APIToken, error) {
	if !auth.LooksLikeToken(secret) {
		a.AuditRefused(ctx, "malformed bearer token")
		return incident.User{}, incident.APIToken{}, ErrUnauthenticated
	}
	t, err := a.store.TokenByHash(ctx, auth.HashToken(secret))
	if errors.Is(err, incident.ErrNotFound) {
		a.AuditRefused(ctx, "unknown token "+auth.DisplayPrefix(secret))
		return incident.User{}, incident.APIToken{}, ErrUnauthenticated
	}
	if err != nil {
		return incident.User{}, incident.APIToken{}, err
	}
	now := a.Now()
	if !t.Active(now) {
		why := "revoked"
		if t.RevokedAt == nil {
			why = "expired"
		}
		a.auditRefused(ctx, incident.ObjectToken, t.ID, why+" token "+t.Prefix+" of "+t.UserEmail)
		return incident.User{}, incident.APIToken{}, ErrUnauthenticated
	}
	u, err := a.store.User(ctx, t.UserID)
	if err != nil {
		return incident.User{}, incident.APIToken{}, err
	}
	if u.Disabled {
		a.auditRefused(ctx, incident.ObjectToken, t.ID, "token "+t.Prefix+" of disabled user "+u.Email)
		return incident.User{}, incident.APIToken{}, ErrUnauthenticated
	}
	// The database knows when the token was last recorded; this process
	// skips even asking (an UPDATE takes SQLite's write lock, which every
	// request would then queue for) until tokenTouchEvery has passed since
	// it last did.
	if last, ok := a.tokenTouched.Load(t.ID); ok && now.Sub(last.(time.Time)) < tokenTouchEvery {
		return u, t, nil
	}
	a.tokenTouched.Store(t.ID, now)
	bg := context.WithoutCancel(ctx)
	touched, err := a.store.TouchToken(bg, t.ID, now, tokenTouchEvery)
	if err != nil {
		a.log.Warn("Cannot record token use", "token_id", t.ID, "error", err)
	} else if touched {
		t.LastUsedAt = &now
		if err := a.auditAs(bg, a.store, u.Email, incident.AuditTokenUse, incident.ObjectToken, t.ID, t.Prefix); err != nil {
			a.log.Warn("Cannot write the audit log", "action", incident.AuditTokenUse, "error", err)
		}
	}
	return u, t, nil
}
