package auth

import "github.com/hindsightrca/hindsight/internal/incident"

// Need is what a route asks of the caller: Public routes anyone may call
// (they authenticate themselves, like webhooks, or sign people in);
// otherwise a signed-in user with at least Role, and, when the caller
// authenticated with an API token, a token with Scope.
type Need struct {
	Public bool
	Role   incident.Role
	Scope  incident.Scope
}

// The needs routes are built from.
var (
	Public   = Need{Public: true}
	ViewRead = Need{Role: incident.RoleViewer, Scope: incident.ScopeRead}
	// Self is what every signed-in user may do to their own account (their
	// password, their tokens). A token needs the admin scope for it, so a
	// narrow token cannot mint itself a wider one.
	Self       = Need{Role: incident.RoleViewer, Scope: incident.ScopeAdmin}
	EditWrite  = Need{Role: incident.RoleEditor, Scope: incident.ScopeWrite}
	EditImport = Need{Role: incident.RoleEditor, Scope: incident.ScopeImport}
	AdminAdmin = Need{Role: incident.RoleAdmin, Scope: incident.ScopeAdmin}
)

// Decision is the outcome of Allow.
type Decision int

// The decisions.
const (
	// Allowed: go ahead.
	Allowed Decision = iota
	// Unauthenticated: sign in first (401).
	Unauthenticated
	// Forbidden: signed in, but not allowed (403).
	Forbidden
)

// Principal is who calls: a user, and the token they used (nil for a
// browser session).
type Principal struct {
	User  *incident.User
	Token *incident.APIToken
}

// Allow decides whether p may do what n needs.
func Allow(n Need, p Principal) Decision {
	if n.Public {
		return Allowed
	}
	if p.User == nil || p.User.Disabled {
		return Unauthenticated
	}
	if !p.User.Role.AtLeast(n.Role) {
		return Forbidden
	}
	if p.Token != nil && !p.Token.HasScope(n.Scope) {
		return Forbidden
	}
	return Allowed
}
