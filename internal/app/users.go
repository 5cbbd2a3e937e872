package app

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// ErrBadCredentials is a refused sign-in: unknown account, wrong password,
// disabled account or an account without a password. The caller is not told
// which, so the answer does not reveal which accounts exist.
var ErrBadCredentials = errors.New("wrong e-mail address or password")

// OneTimePasswordTTL is how long a generated one-time password (a new
// account's, a reset's, the first admin's) works: it is printed once, often
// into a log, and must not stay valid there. After it the account needs a
// reset by an admin.
const OneTimePasswordTTL = 24 * time.Hour

// ErrPasswordExpired is a sign-in with the right one-time password after
// OneTimePasswordTTL.
var ErrPasswordExpired = errors.New("this one-time password has expired; ask an admin for a new one (hindsight user reset-password)")

// ErrUnauthenticated is a request whose credentials (session, token) are
// missing, expired, revoked or unknown.
var ErrUnauthenticated = errors.New("not signed in")

// NewUser is what creating a user takes.
type NewUser struct {
	Email string
	Name  string
	Role  incident.Role
	// Password is the initial password; empty makes a one-time password
	// that must be changed at the first sign-in.
	Password string
}

// normalizeEmail trims and lower-cases an address and checks its shape.
func normalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(incident.CleanText(s)))
	if s == "" {
		return "", incident.Invalid("email", "is required")
	}
	if len(s) > 254 {
		return "", incident.Invalid("email", "must be at most 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", incident.Invalid("email", "is not an e-mail address (want name@domain)")
	}
	return s, nil
}

// CreateUser adds a local user. It returns the one-time password when it
// made one (shown once, never stored in clear).
func (a *App) CreateUser(ctx context.Context, in NewUser) (incident.User, string, error) {
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return incident.User{}, "", err
	}
	if in.Role == "" {
		in.Role = incident.RoleViewer
	}
	if !in.Role.Valid() {
		return incident.User{}, "", incident.Invalid("role", "must be viewer, editor or admin")
	}
	name := strings.TrimSpace(incident.CleanText(in.Name))
	if len([]rune(name)) > incident.MaxName {
		return incident.User{}, "", incident.Invalid("name", fmt.Sprintf("must be at most %d characters", incident.MaxName))
	}
	pw, oneTime := in.Password, ""
	if pw == "" {
		pw = auth.RandomPassword()
		oneTime = pw
	} else if err := auth.CheckPassword(pw); err != nil {
		return incident.User{}, "", incident.Invalid("password", err.Error())
	}
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return incident.User{}, "", err
	}
	u := incident.User{Email: email, Name: name, Role: in.Role, PasswordHash: hash, MustChangePassword: oneTime != ""}
	if oneTime != "" {
		exp := a.Now().Add(OneTimePasswordTTL)
		u.PasswordExpiresAt = &exp
	}
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		return a.auditUser(ctx, tx, incident.AuditUserCreate, incident.ObjectUser, u.ID, "created "+u.Email+" as "+string(u.Role))
	})
	if err != nil {
		return incident.User{}, "", err
	}
	return u, oneTime, nil
}

// Users lists every user.
func (a *App) Users(ctx context.Context) ([]incident.User, error) { return a.store.Users(ctx) }

// User returns the user with id.
func (a *App) User(ctx context.Context, id int64) (incident.User, error) {
	return a.store.User(ctx, id)
}

// UserByEmail returns the user with the address.
func (a *App) UserByEmail(ctx context.Context, email string) (incident.User, error) {
	return a.store.UserByEmail(ctx, email)
}

// UpdateUser changes a user's name, role or disabled flag. Disabling ends
// the user's sessions; their tokens stop working while they are disabled.
// An admin cannot demote or disable the last enabled admin.
func (a *App) UpdateUser(ctx context.Context, id int64, p incident.UserPatch) (incident.User, error) {
	if p.Role != nil && !p.Role.Valid() {
		return incident.User{}, incident.Invalid("role", "must be viewer, editor or admin")
	}
	var out incident.User
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		up := store.UserUpdate{}
		var notes []string
		if p.Name != nil {
			n := strings.TrimSpace(incident.CleanText(*p.Name))
			if len([]rune(n)) > incident.MaxName {
				return incident.Invalid("name", fmt.Sprintf("must be at most %d characters", incident.MaxName))
			}
			up.Name = &n
		}
		roleChanged := p.Role != nil && *p.Role != cur.Role
		if roleChanged {
			up.Role = p.Role
		}
		if p.Disabled != nil && *p.Disabled != cur.Disabled {
			up.Disabled = p.Disabled
			up.BumpSessions = *p.Disabled
			if *p.Disabled {
				notes = append(notes, "disabled")
			} else {
				notes = append(notes, "enabled")
			}
		}
		losesAdmin := cur.Role == incident.RoleAdmin && !cur.Disabled &&
			(roleChanged || (p.Disabled != nil && *p.Disabled))
		if losesAdmin {
			if err := a.keepOneAdmin(ctx, tx, cur.ID); err != nil {
				return err
			}
		}
		if out, err = tx.UpdateUser(ctx, id, up); err != nil {
			return err
		}
		if roleChanged {
			if err := a.auditUser(ctx, tx, incident.AuditUserRole, incident.ObjectUser, id,
				fmt.Sprintf("%s: role %s -> %s", cur.Email, cur.Role, *p.Role)); err != nil {
				return err
			}
		}
		if len(notes) > 0 || up.Name != nil {
			if up.Name != nil {
				notes = append(notes, "name changed")
			}
			return a.auditUser(ctx, tx, incident.AuditUserUpdate, incident.ObjectUser, id, cur.Email+": "+strings.Join(notes, ", "))
		}
		return nil
	})
	return out, err
}

// keepOneAdmin refuses to take away the last enabled admin.
func (a *App) keepOneAdmin(ctx context.Context, tx *store.Store, leaving int64) error {
	us, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.ID != leaving && u.Role == incident.RoleAdmin && !u.Disabled {
			return nil
		}
	}
	return incident.Invalid("role", "is the last enabled admin's: make another admin first")
}

// ResetPassword gives a user a new one-time password, which they must change
// at their next sign-in (within OneTimePasswordTTL), ends their sessions and revokes their API tokens
// (a reset is the usual answer to a compromised account: a token made by
// whoever had it must stop working too). It returns the password (shown
// once).
func (a *App) ResetPassword(ctx context.Context, id int64) (string, error) {
	pw := auth.RandomPassword()
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return "", err
	}
	must, exp := true, a.Now().Add(OneTimePasswordTTL)
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		u, err := tx.UpdateUser(ctx, id, store.UserUpdate{PasswordHash: &hash, PasswordExpiresAt: &exp, MustChangePassword: &must, BumpSessions: true})
		if err != nil {
			return err
		}
		n, err := tx.RevokeUserTokens(ctx, id, a.Now())
		if err != nil {
			return err
		}
		return a.auditUser(ctx, tx, incident.AuditPasswordReset, incident.ObjectUser, id,
			fmt.Sprintf("%s: sessions ended, %d API token(s) revoked", u.Email, n))
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// ChangePassword sets a user's own password after checking the current
// one. It ends the user's other sessions (the caller renews its own) and
// returns the user as it is now.
func (a *App) ChangePassword(ctx context.Context, id int64, current, next string) (incident.User, error) {
	u, err := a.store.User(ctx, id)
	if err != nil {
		return incident.User{}, err
	}
	ok := false
	if u.PasswordHash != "" {
		if ok, err = auth.VerifyPassword(ctx, u.PasswordHash, current); err != nil {
			return incident.User{}, err
		}
	} else if err := auth.WasteTime(ctx, current); err != nil {
		return incident.User{}, err
	}
	if !ok {
		_ = a.auditUser(ctx, a.store, incident.AuditPasswordChange, incident.ObjectUser, id, u.Email+": refused, wrong current password")
		return incident.User{}, incident.Invalid("current_password", "is wrong")
	}
	if err := auth.CheckPassword(next); err != nil {
		return incident.User{}, incident.Invalid("new_password", err.Error())
	}
	if next == current {
		return incident.User{}, incident.Invalid("new_password", "must differ from the current password")
	}
	hash, err := auth.HashPassword(ctx, next)
	if err != nil {
		return incident.User{}, err
	}
	must := false
	var out incident.User
	err = a.store.InTx(ctx, func(tx *store.Store) error {
		if out, err = tx.UpdateUser(ctx, id, store.UserUpdate{PasswordHash: &hash, MustChangePassword: &must, BumpSessions: true}); err != nil {
			return err
		}
		return a.auditUser(ctx, tx, incident.AuditPasswordChange, incident.ObjectUser, id, u.Email)
	})
	return out, err
}

// Login checks a local account's password. A failure is audited and
// answers ErrBadCredentials, taking as long whether or not the account
// exists. A success records the sign-in time.
func (a *App) Login(ctx context.Context, email, password string) (incident.User, error) {
	u, err := a.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, incident.ErrNotFound) {
		return incident.User{}, err
	}
	ok := false
	if err == nil && u.PasswordHash != "" {
		if ok, err = auth.VerifyPassword(ctx, u.PasswordHash, password); ctx.Err() != nil {
			return incident.User{}, ctx.Err()
		} else if err != nil {
			a.log.Error("Stored password hash is unreadable", "user_id", u.ID, "error", err)
			ok = false
		}
	} else if err := auth.WasteTime(ctx, password); err != nil {
		return incident.User{}, err
	}
	if ok && !u.Disabled && u.MustChangePassword && u.PasswordExpiresAt != nil && !a.Now().Before(*u.PasswordExpiresAt) {
		// Said only to whoever knows the password, so it tells a stranger
		// nothing about the account.
		a.auditFailure(ctx, incident.AuditLoginFailed, incident.ObjectUser, u.ID, u.Email+": one-time password expired")
		return incident.User{}, ErrPasswordExpired
	}
	if !ok || u.Disabled {
		why := "wrong password"
		switch {
		case u.ID == 0:
			why = "no such account"
		case u.PasswordHash == "":
			why = "account has no password (signs in through the identity provider)"
		case ok && u.Disabled:
			why = "account disabled"
		}
		// People type passwords into the e-mail field: only text shaped
		// like an address goes into the audit log.
		typed := "(not an e-mail address, not recorded)"
		if n, err := normalizeEmail(email); err == nil {
			typed = termSafe(n)
		}
		a.auditFailure(ctx, incident.AuditLoginFailed, incident.ObjectUser, u.ID, typed+": "+why)
		return incident.User{}, ErrBadCredentials
	}
	return a.signedIn(ctx, u, "password")
}

// signedIn records a successful sign-in.
func (a *App) signedIn(ctx context.Context, u incident.User, how string) (incident.User, error) {
	now := a.Now()
	var out incident.User
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.UpdateUser(ctx, u.ID, store.UserUpdate{LastLoginAt: &now}); err != nil {
			return err
		}
		return a.auditAs(ctx, tx, u.Email, incident.AuditLogin, incident.ObjectUser, u.ID, how)
	})
	return out, err
}

// SessionUser returns the user a session belongs to, or ErrUnauthenticated
// when the user is gone or disabled, or the session was made before a
// password change or reset (version differs).
func (a *App) SessionUser(ctx context.Context, id int64, version int) (incident.User, error) {
	u, err := a.store.User(ctx, id)
	if errors.Is(err, incident.ErrNotFound) {
		return incident.User{}, ErrUnauthenticated
	}
	if err != nil {
		return incident.User{}, err
	}
	if u.Disabled || u.SessionVersion != version {
		return incident.User{}, ErrUnauthenticated
	}
	return u, nil
}

// Logout records a sign-out (the caller ends the session).
func (a *App) Logout(ctx context.Context, u incident.User) error {
	return a.auditUser(ctx, a.store, incident.AuditLogout, incident.ObjectUser, u.ID, u.Email)
}

// AuditDenied records a refused request: unknown or revoked credentials, a
// tampered session, a role or scope that does not allow the route.
func (a *App) AuditDenied(ctx context.Context, detail string) {
	a.auditFailure(ctx, incident.AuditDenied, "", 0, detail)
}

// auditUser writes one audit entry inside tx, as the context's actor.
func (a *App) auditUser(ctx context.Context, tx *store.Store, action, objectType string, objectID int64, detail string) error {
	return a.auditAs(ctx, tx, incident.ActorFrom(ctx).Name, action, objectType, objectID, detail)
}

func (a *App) auditAs(ctx context.Context, tx *store.Store, actorName, action, objectType string, objectID int64, detail string) error {
	actor := incident.ActorFrom(ctx)
	return tx.AppendAudit(ctx, incident.AuditEntry{
		Actor: actorName, Action: action, ObjectType: objectType, ObjectID: objectID,
		Detail: detail, RemoteAddr: actor.RemoteAddr, RequestID: actor.RequestID, CreatedAt: a.Now(),
	})
}

// auditFailure writes an audit entry of a refusal; a failure to write it
// is logged, not returned, so the refusal still reaches the client.
func (a *App) auditFailure(ctx context.Context, action, objectType string, objectID int64, detail string) {
	if err := a.auditUser(context.WithoutCancel(ctx), a.store, action, objectType, objectID, detail); err != nil {
		a.log.Error("Cannot write the audit log", "action", action, "error", err)
	}
}

// termSafe bounds text an attacker chose before it goes into the audit log.
func termSafe(s string) string {
	s = incident.CleanText(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
