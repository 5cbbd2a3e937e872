package app

import (
	"context"
	"errors"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// DefaultAdminEmail is the first admin's address when none is configured.
const DefaultAdminEmail = "admin@localhost"

// EnsureFirstAdmin creates an admin with a one-time password when no user
// exists at all, and returns the password (empty when users existed). The
// password must be changed at the first sign-in. Replicas starting together
// cannot both create one: the e-mail address is unique, and the loser finds
// the winner's user.
func (a *App) EnsureFirstAdmin(ctx context.Context, email string) (incident.User, string, error) {
	if email == "" {
		email = DefaultAdminEmail
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return incident.User{}, "", err
	}
	n, err := a.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return incident.User{}, "", err
	}
	pw := auth.RandomPassword()
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return incident.User{}, "", err
	}
	exp := a.Now().Add(OneTimePasswordTTL)
	u := incident.User{Email: email, Name: "Administrator", Role: incident.RoleAdmin, PasswordHash: hash, MustChangePassword: true, PasswordExpiresAt: &exp}
	created := false
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		// Counted again inside the transaction: on SQLite the transaction
		// holds the write lock, so a second process waits and sees the user.
		if n, err := tx.CountUsers(ctx); err != nil || n > 0 {
			return err
		}
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		created = true
		return a.auditAs(ctx, tx, "hindsight", incident.AuditUserCreate, incident.ObjectUser, u.ID, "first admin "+u.Email)
	})
	if errors.Is(err, store.ErrEmailTaken) {
		return incident.User{}, "", nil // another replica won
	}
	if err != nil || !created {
		return incident.User{}, "", err
	}
	return u, pw, nil
}
