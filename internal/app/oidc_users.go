package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// OIDCSignIn finds or creates the user the identity provider vouched for.
// A user is found by issuer + subject, else by a verified e-mail address (a
// local account is then linked to the provider); else, when the address is
// verified, created with the role the groups map to. When roleFromGroups is set, the provider decides the role
// at every sign-in and a change is audited. Disabled users are refused.
func (a *App) OIDCSignIn(ctx context.Context, id auth.Identity, role incident.Role, roleFromGroups bool) (incident.User, error) {
	email, err := normalizeEmail(id.Email)
	if err != nil {
		return incident.User{}, fmt.Errorf("%w: %w", auth.ErrFlow, err)
	}
	groups := incident.NormalizeLabels(id.Groups)
	var out incident.User
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		u, err := tx.UserByOIDC(ctx, id.Issuer, id.Subject)
		if errors.Is(err, incident.ErrNotFound) {
			u, err = tx.UserByEmail(ctx, email)
			if err == nil && u.OIDCSubject != "" {
				// The address belongs to another identity of the provider.
				return fmt.Errorf("%w: %s is linked to another identity", auth.ErrFlow, email)
			}
			if err == nil && !id.EmailVerified {
				// Linking on an address the provider has not verified would
				// hand the account to whoever typed it there.
				return fmt.Errorf("%w: %s has an account, and the provider does not say the address is verified", auth.ErrEmailNotVerified, email)
			}
		}
		if errors.Is(err, incident.ErrNotFound) && !id.EmailVerified {
			// The address becomes a visibility principal: a user created on
			// an address the provider did not verify (claim false, absent or
			// unreadable) would see what is restricted to its real owner.
			return fmt.Errorf("%w: the provider does not say %s is verified, so no account is created for it", auth.ErrEmailNotVerified, email)
		}
		if errors.Is(err, incident.ErrNotFound) {
			u = incident.User{Email: email, Name: incident.CleanText(id.Name), Role: role,
				OIDCIssuer: id.Issuer, OIDCSubject: id.Subject, Groups: groups}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			out = u
			return a.auditAs(ctx, tx, u.Email, incident.AuditUserCreate, incident.ObjectUser, u.ID,
				"first sign-in through "+id.Issuer+" as "+string(role))
		}
		if err != nil {
			return err
		}
		if u.Disabled {
			return ErrBadCredentials
		}
		up := store.UserUpdate{Groups: &groups}
		if u.OIDCSubject == "" {
			up.OIDCIssuer, up.OIDCSubject = &id.Issuer, &id.Subject
		}
		if email != u.Email && id.EmailVerified {
			// The address changed at the provider, which vouches for the new
			// one: it is the user's principal from now on (the old one would
			// keep opening what is restricted to it). An address another
			// account holds is left alone.
			if _, err := tx.UserByEmail(ctx, email); errors.Is(err, incident.ErrNotFound) {
				up.Email = &email
				if err := a.auditAs(ctx, tx, email, incident.AuditUserUpdate, incident.ObjectUser, u.ID,
					fmt.Sprintf("e-mail %s -> %s (identity provider)", u.Email, email)); err != nil {
					return err
				}
			} else if err != nil {
				return err
			} else {
				a.log.Warn("OIDC sign-in: the provider's new address belongs to another account; the old one is kept",
					"user_id", u.ID, "email", u.Email)
			}
		}
		if roleFromGroups && role != u.Role {
			up.Role = &role
			if err := a.auditAs(ctx, tx, u.Email, incident.AuditUserRole, incident.ObjectUser, u.ID,
				fmt.Sprintf("%s: role %s -> %s (identity provider groups)", u.Email, u.Role, role)); err != nil {
				return err
			}
		}
		if !slices.Equal(groups, u.Groups) || up.Role != nil || up.OIDCSubject != nil || up.Email != nil {
			if out, err = tx.UpdateUser(ctx, u.ID, up); err != nil {
				return err
			}
		} else {
			out = u
		}
		return nil
	})
	if errors.Is(err, ErrBadCredentials) {
		a.auditFailure(ctx, incident.AuditLoginFailed, incident.ObjectUser, 0, email+": account disabled")
		return incident.User{}, err
	}
	if err != nil {
		return incident.User{}, err
	}
	return a.signedIn(ctx, out, "oidc")
}
