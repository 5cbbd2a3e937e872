package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// roles are the role names settings may use.
var roles = []string{"viewer", "editor", "admin"}

func validRole(r string) bool {
	for _, v := range roles {
		if r == v {
			return true
		}
	}
	return false
}

// validateAuth checks the sign-in settings.
func (c Config) validateAuth() []error {
	var errs []error
	if c.SessionIdleTimeout <= 0 || c.SessionLifetime <= 0 {
		errs = append(errs, errors.New("HINDSIGHT_SESSION_IDLE_TIMEOUT and HINDSIGHT_SESSION_LIFETIME must be positive"))
	}
	switch strings.ToLower(c.CookieSecure) {
	case "", "true", "false", "1", "0":
	default:
		errs = append(errs, fmt.Errorf("HINDSIGHT_COOKIE_SECURE %q: want true or false (or leave it empty)", c.CookieSecure))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("HINDSIGHT_PUBLIC_URL %q: want http(s)://host[:port]", c.PublicURL))
		}
	}
	for _, p := range c.TrustedProxies {
		p = strings.TrimSpace(p)
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			errs = append(errs, fmt.Errorf("HINDSIGHT_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range", p))
		}
	}
	if c.OIDCIssuer == "" {
		return errs
	}
	if c.OIDCClientID == "" {
		errs = append(errs, errors.New("HINDSIGHT_OIDC_CLIENT_ID is required with HINDSIGHT_OIDC_ISSUER"))
	}
	if _, err := c.OIDCCallbackURL(); err != nil {
		errs = append(errs, err)
	}
	if !validRole(c.OIDCDefaultRole) {
		errs = append(errs, fmt.Errorf("HINDSIGHT_OIDC_DEFAULT_ROLE %q: want viewer, editor or admin", c.OIDCDefaultRole))
	}
	if _, err := c.RoleMap(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// OIDCCallbackURL is the redirect URL registered at the provider.
func (c Config) OIDCCallbackURL() (string, error) {
	if c.OIDCRedirectURL != "" {
		return c.OIDCRedirectURL, nil
	}
	if c.PublicURL == "" {
		return "", errors.New("single sign-on needs HINDSIGHT_PUBLIC_URL (or HINDSIGHT_OIDC_REDIRECT_URL) to know its callback URL")
	}
	return strings.TrimRight(c.PublicURL, "/") + "/api/v1/auth/oidc/callback", nil
}

// RoleMap parses OIDCRoleMap ("group=role,group=role").
func (c Config) RoleMap() (map[string]string, error) {
	m := map[string]string{}
	for part := range strings.SplitSeq(c.OIDCRoleMap, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		g, r, ok := strings.Cut(part, "=")
		g, r = strings.TrimSpace(g), strings.ToLower(strings.TrimSpace(r))
		if !ok || g == "" || !validRole(r) {
			return nil, fmt.Errorf("HINDSIGHT_OIDC_ROLE_MAP: %q: want group=role with role viewer, editor or admin", part)
		}
		m[g] = r
	}
	return m, nil
}

// SecureCookies reports whether the session cookie is Secure: as
// HINDSIGHT_COOKIE_SECURE says, else when the public URL is https.
func (c Config) SecureCookies() bool {
	switch strings.ToLower(c.CookieSecure) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	return c.HTTPS()
}

// HTTPS reports whether people reach the server over HTTPS (the public URL).
func (c Config) HTTPS() bool { return strings.HasPrefix(strings.ToLower(c.PublicURL), "https://") }
