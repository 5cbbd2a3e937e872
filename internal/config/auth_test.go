package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfig_Auth(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(" client-secret \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	oidc := []string{"HINDSIGHT_OIDC_ISSUER=https://idp.example.com", "HINDSIGHT_OIDC_CLIENT_ID=hindsight"}
	tests := []struct {
		name    string
		environ []string
		want    func(Config) bool
		wantErr string
	}{
		{name: "defaults", want: func(c Config) bool {
			return c.SessionIdleTimeout == 8*time.Hour && c.SessionLifetime == 168*time.Hour && !c.SecureCookies() && !c.HTTPS() &&
				c.AdminEmail == "admin@localhost" && c.OIDCIssuer == "" && c.OIDCGroupsClaim == "groups" && c.OIDCDefaultRole == "viewer"
		}},
		{name: "https public URL makes cookies secure", environ: []string{"HINDSIGHT_PUBLIC_URL=https://h.example.com"},
			want: func(c Config) bool { return c.SecureCookies() && c.HTTPS() }},
		{name: "override", environ: []string{"HINDSIGHT_PUBLIC_URL=https://h.example.com", "HINDSIGHT_COOKIE_SECURE=false"},
			want: func(c Config) bool { return !c.SecureCookies() }},
		{name: "behind a TLS proxy", environ: []string{"HINDSIGHT_COOKIE_SECURE=true"}, want: func(c Config) bool { return c.SecureCookies() }},
		{name: "bad cookie setting", environ: []string{"HINDSIGHT_COOKIE_SECURE=maybe"}, wantErr: "HINDSIGHT_COOKIE_SECURE"},
		{name: "oidc", environ: append(oidc, "HINDSIGHT_PUBLIC_URL=https://h.example.com/", "HINDSIGHT_OIDC_CLIENT_SECRET_FILE="+secret,
			"HINDSIGHT_OIDC_ROLE_MAP=sre-leads=admin, sre = Editor", "HINDSIGHT_OIDC_SCOPES=openid,email,groups"),
			want: func(c Config) bool {
				cb, _ := c.OIDCCallbackURL()
				m, _ := c.RoleMap()
				return c.OIDCClientSecret == "client-secret" && cb == "https://h.example.com/api/v1/auth/oidc/callback" &&
					m["sre-leads"] == "admin" && m["sre"] == "editor" && len(c.OIDCScopes) == 3
			}},
		{name: "oidc without a callback", environ: oidc, wantErr: "HINDSIGHT_PUBLIC_URL"},
		{name: "oidc without a client", environ: []string{"HINDSIGHT_OIDC_ISSUER=https://idp", "HINDSIGHT_PUBLIC_URL=https://h"}, wantErr: "HINDSIGHT_OIDC_CLIENT_ID"},
		{name: "bad role map", environ: append(oidc, "HINDSIGHT_PUBLIC_URL=https://h", "HINDSIGHT_OIDC_ROLE_MAP=sre=root"), wantErr: `HINDSIGHT_OIDC_ROLE_MAP: "sre=root"`},
		{name: "bad default role", environ: append(oidc, "HINDSIGHT_PUBLIC_URL=https://h", "HINDSIGHT_OIDC_DEFAULT_ROLE=god"), wantErr: "HINDSIGHT_OIDC_DEFAULT_ROLE"},
		{name: "secret twice", environ: []string{"HINDSIGHT_OIDC_CLIENT_SECRET=x", "HINDSIGHT_OIDC_CLIENT_SECRET_FILE=" + secret}, wantErr: "not both"},
		{name: "token file", environ: []string{"HINDSIGHT_TOKEN_FILE=" + secret}, want: func(c Config) bool { return c.Token == "client-secret" }},
		{name: "proxies", environ: []string{"HINDSIGHT_TRUSTED_PROXIES=10.0.0.0/8,192.0.2.1"}, want: func(c Config) bool { return len(c.TrustedProxies) == 2 }},
		{name: "bad proxy", environ: []string{"HINDSIGHT_TRUSTED_PROXIES=lb.example.com"}, wantErr: "HINDSIGHT_TRUSTED_PROXIES"},
		{name: "bad public URL", environ: []string{"HINDSIGHT_PUBLIC_URL=h.example.com"}, wantErr: "HINDSIGHT_PUBLIC_URL"},
		{name: "bad timeout", environ: []string{"HINDSIGHT_SESSION_IDLE_TIMEOUT=0s"}, wantErr: "HINDSIGHT_SESSION_IDLE_TIMEOUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.environ)
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "client-secret") {
					t.Errorf("the error shows the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(c) {
				t.Errorf("config %+v", c)
			}
		})
	}
}
