package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

func TestStore_Users(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := incident.User{Email: "Ana@Example.com", Name: "Ana", Role: incident.RoleEditor, PasswordHash: "$argon2id$x", Groups: []string{"sre"}}
		if err := s.CreateUser(ctx, &u); err != nil || u.ID == 0 || u.SessionVersion != 1 {
			t.Fatalf("create: %+v %v", u, err)
		}
		dup := incident.User{Email: "ANA@example.COM", Role: incident.RoleViewer}
		err := s.CreateUser(ctx, &dup)
		var verr *incident.ValidationError
		if !errors.Is(err, store.ErrEmailTaken) || !errors.As(err, &verr) || verr.Fields["email"] == "" {
			t.Errorf("same address in another case: %v", err)
		}
		if err := s.CreateUser(ctx, &incident.User{Email: "x@example.com", Role: "root"}); err == nil {
			t.Error("a role outside the check constraint was stored")
		}
		got, err := s.UserByEmail(ctx, " ana@EXAMPLE.com")
		if err != nil || got.ID != u.ID || got.PasswordHash != "$argon2id$x" || len(got.Groups) != 1 {
			t.Errorf("by e-mail: %+v %v", got, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("unknown: %v", err)
		}

		// OIDC identities are unique per issuer; empty subjects are not.
		a := incident.User{Email: "a@example.com", Role: incident.RoleViewer, OIDCIssuer: "https://idp", OIDCSubject: "s1"}
		b := incident.User{Email: "b@example.com", Role: incident.RoleViewer, OIDCIssuer: "https://idp", OIDCSubject: "s1"}
		if err := s.CreateUser(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, &b); err == nil {
			t.Error("a second user with the same OIDC identity")
		}
		if got, err := s.UserByOIDC(ctx, "https://idp", "s1"); err != nil || got.ID != a.ID {
			t.Errorf("by OIDC: %+v %v", got, err)
		}

		empty, role, now, yes := "", incident.RoleAdmin, time.Date(2026, 5, 1, 2, 3, 4, 0, time.UTC), true
		up, err := s.UpdateUser(ctx, u.ID, store.UserUpdate{Role: &role, PasswordHash: &empty, Disabled: &yes, LastLoginAt: &now, BumpSessions: true})
		if err != nil || up.Role != incident.RoleAdmin || up.PasswordHash != "" || !up.Disabled || up.SessionVersion != 2 || !up.LastLoginAt.Equal(now) {
			t.Errorf("update: %+v %v", up, err)
		}
		if _, err := s.UpdateUser(ctx, 999, store.UserUpdate{Role: &role}); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("update of a missing user: %v", err)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 2 {
			t.Errorf("count: %d %v", n, err)
		}
	})
}

func TestStore_Tokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := incident.User{Email: "bo@example.com", Role: incident.RoleEditor}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		tok := incident.APIToken{UserID: u.ID, Name: "ci", Scopes: []incident.Scope{incident.ScopeRead, incident.ScopeImport}, Hash: "h1", Prefix: "hs_abc", ExpiresAt: &exp}
		if err := s.CreateToken(ctx, &tok); err != nil || tok.ID == 0 {
			t.Fatalf("create: %v", err)
		}
		if err := s.CreateToken(ctx, &incident.APIToken{UserID: 999, Name: "x", Hash: "h2", Prefix: "hs_x"}); !errors.Is(err, incident.ErrNotFound) {
			t.Errorf("token of a missing user: %v", err)
		}
		got, err := s.TokenByHash(ctx, "h1")
		if err != nil || got.ID != tok.ID || got.UserEmail != "bo@example.com" || len(got.Scopes) != 2 || !got.ExpiresAt.Equal(exp) || got.LastUsedAt != nil {
			t.Fatalf("by hash: %+v %v", got, err)
		}
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		if ok, err := s.TouchToken(ctx, tok.ID, at, time.Minute); !ok || err != nil {
			t.Errorf("first touch: %t %v", ok, err)
		}
		if ok, _ := s.TouchToken(ctx, tok.ID, at.Add(30*time.Second), time.Minute); ok {
			t.Error("a touch within the minute writes")
		}
		if ok, _ := s.TouchToken(ctx, tok.ID, at.Add(2*time.Minute), time.Minute); !ok {
			t.Error("a touch after the minute does not write")
		}
		if revoked, err := s.RevokeToken(ctx, tok.ID, at); err != nil || !revoked {
			t.Fatalf("revoke: %t %v", revoked, err)
		}
		if revoked, err := s.RevokeToken(ctx, tok.ID, at.Add(time.Hour)); err != nil || revoked {
			t.Errorf("revoke again: %t %v", revoked, err)
		}
		if got, _ := s.Token(ctx, tok.ID); got.RevokedAt == nil || !got.RevokedAt.Equal(at) || !got.LastUsedAt.Equal(at.Add(2*time.Minute)) {
			t.Errorf("revoked: %+v", got)
		}
		if ts, err := s.Tokens(ctx, u.ID); err != nil || len(ts) != 1 {
			t.Errorf("list: %v %v", ts, err)
		}
		if ts, _ := s.Tokens(ctx, u.ID+1); len(ts) != 0 {
			t.Errorf("another user's list: %v", ts)
		}
	})
}

func TestStore_Sessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ss := s.Sessions()
		if _, found, err := ss.FindCtx(ctx, "nope"); found || err != nil {
			t.Errorf("unknown: %t %v", found, err)
		}
		if err := ss.CommitCtx(ctx, "t1", []byte("one"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "t1", []byte("two"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, found, err := ss.FindCtx(ctx, "t1"); !found || err != nil || string(b) != "two" {
			t.Errorf("find: %q %t %v", b, found, err)
		}
		// The table holds the token's SHA-256, never the token: a copy of
		// the database cannot replay the session.
		db, err := s.DB()
		if err != nil {
			t.Fatal(err)
		}
		var key string
		if err := db.QueryRowContext(ctx, "SELECT token FROM sessions").Scan(&key); err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256([]byte("t1")); key != hex.EncodeToString(sum[:]) {
			t.Errorf("stored key %q is not the token's SHA-256", key)
		}
		if err := ss.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := ss.FindCtx(ctx, "old"); found {
			t.Error("an expired session is found")
		}
		if n, err := ss.DeleteExpired(ctx); n != 1 || err != nil {
			t.Errorf("delete expired: %d %v", n, err)
		}
		if err := ss.DeleteCtx(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := ss.Find("t1"); found {
			t.Error("a deleted session is found")
		}
	})
}

func TestStore_AuditLog(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var es []incident.AuditEntry
		for i, a := range []string{"auth.login", "auth.login_failed", "user.create", "user.role", "token.create", "auth_x.login"} {
			es = append(es, incident.AuditEntry{Actor: "Ana@example.com", Action: a, ObjectType: "user", ObjectID: int64(i % 2), CreatedAt: t0.Add(time.Duration(i) * time.Hour)})
		}
		if err := s.AppendAudit(ctx, es...); err != nil {
			t.Fatal(err)
		}
		all := incident.EveryIncident
		for _, tc := range []struct {
			name string
			f    incident.AuditFilter
			want int
		}{
			{"all", incident.AuditFilter{Viewer: all}, 6},
			{"prefix", incident.AuditFilter{Action: "auth.", Viewer: all}, 2},
			{"exact", incident.AuditFilter{Action: "auth.login", Viewer: all}, 1},
			{"actor any case", incident.AuditFilter{Actor: "ANA@EXAMPLE.COM", Viewer: all}, 6},
			{"object", incident.AuditFilter{ObjectType: "user", ObjectID: 1, Viewer: all}, 3},
			{"since", incident.AuditFilter{Since: new(t0.Add(4 * time.Hour)), Viewer: all}, 2},
			{"page", incident.AuditFilter{Limit: 2, Viewer: all}, 3},
			{"before", incident.AuditFilter{Before: 3, Viewer: all}, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.AuditLog(ctx, tc.f)
				if err != nil || len(got) != tc.want {
					t.Errorf("%d entries, want %d (%v)", len(got), tc.want, err)
				}
				for i := 1; i < len(got); i++ {
					if got[i].ID > got[i-1].ID {
						t.Errorf("not newest first")
					}
				}
			})
		}
	})
}
