package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/auth"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestApp_FirstAdminReplicas starts several replicas over one empty
// database at once: exactly one creates the first admin and gets its
// one-time password; a later start creates nothing.
func TestApp_FirstAdminReplicas(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			cfg := store.Config{SQLitePath: filepath.Join(t.TempDir(), "h.db")}
			if dialect == "postgres" {
				cfg = store.Config{DatabaseURL: pgtest.URL(t)}
			}
			ctx := context.Background()
			const replicas = 6
			apps := make([]*app.App, replicas)
			for i := range apps {
				s, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				apps[i] = app.New(s, app.Options{})
			}
			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				passwords []string
			)
			for _, a := range apps {
				wg.Go(func() {
					_, pw, err := a.EnsureFirstAdmin(ctx, "")
					if err != nil {
						t.Error(err)
					}
					if pw != "" {
						mu.Lock()
						passwords = append(passwords, pw)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(passwords) != 1 {
				t.Fatalf("%d replicas created an admin", len(passwords))
			}
			us, err := apps[0].Users(ctx)
			if err != nil || len(us) != 1 || us[0].Email != app.DefaultAdminEmail || us[0].Role != incident.RoleAdmin || !us[0].MustChangePassword {
				t.Fatalf("users: %+v %v", us, err)
			}
			if ok, _ := auth.VerifyPassword(context.Background(), us[0].PasswordHash, passwords[0]); !ok {
				t.Error("the printed password does not sign in")
			}
			if _, pw, err := apps[1].EnsureFirstAdmin(ctx, "other@example.com"); pw != "" || err != nil {
				t.Errorf("a later start: %q %v", pw, err)
			}
		})
	}
}

// TestApp_Login checks local sign-in and the audit entries it writes.
func TestApp_Login(t *testing.T) {
	forEachDB(t, func(t *testing.T, a *app.App) {
		ctx := incident.WithActor(context.Background(), incident.Actor{Name: "admin@example.com", RemoteAddr: "192.0.2.7"})
		u, pw, err := a.CreateUser(ctx, app.NewUser{Email: "Hal@Example.com", Role: incident.RoleEditor})
		if err != nil || pw == "" || u.Email != "hal@example.com" || !u.MustChangePassword {
			t.Fatalf("create: %+v %q %v", u, pw, err)
		}
		if _, err := a.Login(ctx, "hal@example.com", "wrong password!"); !errors.Is(err, app.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		got, err := a.Login(ctx, "HAL@example.com", pw)
		if err != nil || got.ID != u.ID || got.LastLoginAt == nil {
			t.Fatalf("login: %+v %v", got, err)
		}
		yes := true
		if _, err := a.UpdateUser(ctx, u.ID, incident.UserPatch{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Login(ctx, "hal@example.com", pw); !errors.Is(err, app.ErrBadCredentials) {
			t.Errorf("disabled: %v", err)
		}
		if _, err := a.SessionUser(ctx, u.ID, got.SessionVersion); !errors.Is(err, app.ErrUnauthenticated) {
			t.Errorf("a disabled user's session: %v", err)
		}
		es, _, err := a.AuditLog(ctx, incident.AuditFilter{Action: "auth."})
		if err != nil || len(es) != 3 || es[0].Detail != "hal@example.com: account disabled" || es[0].RemoteAddr != "192.0.2.7" ||
			es[1].Actor != "hal@example.com" || es[2].Detail != "hal@example.com: wrong password" {
			t.Errorf("audit: %+v %v", es, err)
		}
		for _, bad := range []app.NewUser{{Email: ""}, {Email: "no-at-sign"}, {Email: "Name <a@b.c>"}, {Email: "a@b.c", Role: "root"}, {Email: "a@b.c", Password: "short"}} {
			var verr *incident.ValidationError
			if _, _, err := a.CreateUser(ctx, bad); !errors.As(err, &verr) {
				t.Errorf("CreateUser(%+v) = %v, want a validation error", bad, err)
			}
		}
	})
}
