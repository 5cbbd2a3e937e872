package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// OIDCConfig configures sign-in through an OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; its discovery document is read
	// from Issuer + "/.well-known/openid-configuration".
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this server's callback, .../api/v1/auth/oidc/callback.
	RedirectURL string
	// Scopes asked for; "openid" is always added. Default openid, profile, email.
	Scopes []string
	// GroupsClaim names the ID token claim holding the user's groups
	// (a list of strings, or one string). Empty: groups are not read.
	GroupsClaim string
	// RoleMap maps a group to a role; a user gets the highest role any of
	// their groups maps to. When it is not empty, the provider decides the
	// role at every sign-in.
	RoleMap map[string]incident.Role
	// DefaultRole is the role of users none of whose groups is mapped.
	// Default viewer.
	DefaultRole incident.Role
	// Name is shown on the sign-in button ("Sign in with <Name>"). Default "single sign-on".
	Name string
	// HTTPClient talks to the provider. Default http.DefaultClient.
	HTTPClient *http.Client
}

// OIDC is the client side of the authorization code flow with PKCE, state
// and nonce. The provider's discovery document is read on first use (and
// again after a failure), so the server starts while the provider is down.
type OIDC struct {
	cfg OIDCConfig

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC checks cfg and returns the client.
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	var missing []string
	if cfg.Issuer == "" {
		missing = append(missing, "issuer")
	}
	if cfg.ClientID == "" {
		missing = append(missing, "client id")
	}
	if cfg.RedirectURL == "" {
		missing = append(missing, "redirect URL")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("auth: OIDC needs %s", strings.Join(missing, ", "))
	}
	if cfg.DefaultRole == "" {
		cfg.DefaultRole = incident.RoleViewer
	}
	if !cfg.DefaultRole.Valid() {
		return nil, fmt.Errorf("auth: OIDC default role %q: want viewer, editor or admin", cfg.DefaultRole)
	}
	for g, r := range cfg.RoleMap {
		if !r.Valid() {
			return nil, fmt.Errorf("auth: OIDC role map: group %q maps to %q: want viewer, editor or admin", g, r)
		}
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"profile", "email"}
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	if cfg.Name == "" {
		cfg.Name = "single sign-on"
	}
	return &OIDC{cfg: cfg}, nil
}

// Name is the provider's name for the sign-in button.
func (o *OIDC) Name() string { return o.cfg.Name }

func (o *OIDC) ctx(ctx context.Context) context.Context {
	if o.cfg.HTTPClient != nil {
		return oidc.ClientContext(ctx, o.cfg.HTTPClient)
	}
	return ctx
}

// discover reads the discovery document once it is needed.
func (o *OIDC) discover(ctx context.Context) (*oidc.IDTokenVerifier, oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(o.ctx(ctx), o.cfg.Issuer)
		if err != nil {
			return nil, oauth2.Config{}, fmt.Errorf("auth: OIDC discovery at %s: %w", o.cfg.Issuer, err)
		}
		o.provider = p
		o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
		o.oauth = oauth2.Config{
			ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
			Endpoint: p.Endpoint(), RedirectURL: o.cfg.RedirectURL, Scopes: o.cfg.Scopes,
		}
	}
	return o.verifier, o.oauth, nil
}

// Flow is one sign-in under way: the secrets the browser's session keeps
// until the provider sends it back.
type Flow struct {
	State    string
	Nonce    string
	Verifier string
	// URL is where to send the browser.
	URL string
}

// Start begins a sign-in: fresh state, nonce and PKCE verifier, and the
// provider's authorization URL carrying state, nonce and the S256 challenge.
func (o *OIDC) Start(ctx context.Context) (Flow, error) {
	_, oc, err := o.discover(ctx)
	if err != nil {
		return Flow{}, err
	}
	f := Flow{State: RandomSecret(), Nonce: RandomSecret(), Verifier: oauth2.GenerateVerifier()}
	f.URL = oc.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return f, nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Issuer  string
	Subject string
	Email   string
	// EmailVerified is the provider's email_verified claim; only a verified
	// address links the identity to an existing account.
	EmailVerified bool
	Name          string
	Groups        []string
}

// ErrFlow is wrapped by every refusal of a callback: forged or stale state,
// a provider error, a bad ID token.
var ErrFlow = errors.New("auth: OIDC sign-in refused")

// ErrEmailNotVerified wraps ErrFlow when the provider does not say the
// e-mail address is verified (the claim is false or absent) and the
// address would create an account or link to one. An address is a
// visibility principal, so one the provider did not verify must not open
// what is restricted to it.
var ErrEmailNotVerified = fmt.Errorf("%w: e-mail address not verified", ErrFlow)

// Finish completes a sign-in: checks that the callback's state is the one
// Start made, redeems the code with the PKCE verifier, and verifies the ID
// token: signature, issuer, audience, expiry and nonce.
func (o *OIDC) Finish(ctx context.Context, f Flow, gotState, code string) (Identity, error) {
	if f.State == "" || gotState == "" || subtle.ConstantTimeCompare([]byte(f.State), []byte(gotState)) != 1 {
		return Identity{}, fmt.Errorf("%w: the state does not match this browser's sign-in", ErrFlow)
	}
	if code == "" {
		return Identity{}, fmt.Errorf("%w: no authorization code", ErrFlow)
	}
	verifier, oc, err := o.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := oc.Exchange(o.ctx(ctx), code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: code exchange: %w", ErrFlow, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, fmt.Errorf("%w: the provider sent no ID token", ErrFlow)
	}
	idt, err := verifier.Verify(o.ctx(ctx), raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: ID token: %w", ErrFlow, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Identity{}, fmt.Errorf("%w: the ID token's nonce does not match", ErrFlow)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: ID token claims: %w", ErrFlow, err)
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	id.Email, _ = claims["email"].(string)
	id.Name, _ = claims["name"].(string)
	verified, said := boolClaim(claims["email_verified"])
	id.EmailVerified = verified
	if said && !verified {
		return Identity{}, fmt.Errorf("%w: the provider has not verified the e-mail address %s", ErrEmailNotVerified, id.Email)
	}
	if strings.TrimSpace(id.Email) == "" {
		return Identity{}, fmt.Errorf("%w: the ID token has no e-mail claim (ask for the email scope)", ErrFlow)
	}
	if o.cfg.GroupsClaim != "" {
		id.Groups = stringsClaim(claims[o.cfg.GroupsClaim])
	}
	return id, nil
}

// boolClaim reads a boolean claim sent as a JSON boolean or, as AWS Cognito
// and some ADFS setups do, as the string "true" or "false". said is false
// when the claim is absent or neither; the value is then false, so an
// address nobody vouched for counts as unverified.
func boolClaim(v any) (value, said bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// stringsClaim reads a claim that is a list of strings or one string.
func stringsClaim(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// RoleFor returns the role groups map to (the highest), or the default.
func (o *OIDC) RoleFor(groups []string) incident.Role {
	best := incident.Role("")
	for _, g := range groups {
		for mg, r := range o.cfg.RoleMap {
			if strings.EqualFold(g, mg) && r.Rank() > best.Rank() {
				best = r
			}
		}
	}
	if best == "" {
		return o.cfg.DefaultRole
	}
	return best
}

// MapsRoles reports whether the provider's groups decide roles.
func (o *OIDC) MapsRoles() bool { return len(o.cfg.RoleMap) > 0 }
