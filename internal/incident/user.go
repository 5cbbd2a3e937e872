package incident

import (
	"slices"
	"time"
)

// Role is what a user may do. Roles are ordered: an editor may do what a
// viewer may, an admin what an editor may.
type Role string

// The roles.
const (
	// RoleViewer reads incidents, RCAs, actions and search.
	RoleViewer Role = "viewer"
	// RoleEditor also writes incidents, RCAs, actions and imports.
	RoleEditor Role = "editor"
	// RoleAdmin also manages users, other people's tokens, templates,
	// integrations and settings, and sees every incident.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, lowest first.
var Roles = []Role{RoleViewer, RoleEditor, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Rank orders the roles (viewer 1, editor 2, admin 3; anything else 0).
func (r Role) Rank() int { return slices.Index(Roles, r) + 1 }

// AtLeast reports whether r includes what min may do.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.Rank() >= min.Rank() }

// Scope limits what an API token may do, on top of its user's role.
type Scope string

// The token scopes.
const (
	// ScopeRead reads (every GET).
	ScopeRead Scope = "read"
	// ScopeWrite writes incidents, timelines, RCAs, root causes and actions.
	ScopeWrite Scope = "write"
	// ScopeImport imports timelines and incidents (importers, CI).
	ScopeImport Scope = "import"
	// ScopeAdmin manages users, tokens, templates and integrations.
	ScopeAdmin Scope = "admin"
)

// Scopes lists the token scopes.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeImport, ScopeAdmin}

// Valid reports whether s is one of Scopes.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// User is a person who signs in, locally (PasswordHash) or through the
// identity provider (OIDCIssuer + OIDCSubject).
type User struct {
	ID    int64
	Email string // unique, compared case-insensitively
	Name  string
	Role  Role
	// PasswordHash is the encoded argon2id hash; empty for OIDC-only users.
	PasswordHash string
	// MustChangePassword is set for a generated one-time password.
	MustChangePassword bool
	// PasswordExpiresAt is when a generated one-time password stops
	// working; nil for a password the user chose.
	PasswordExpiresAt *time.Time
	OIDCIssuer        string
	OIDCSubject       string
	// Groups are the identity provider's groups at the last sign-in; they
	// take part in restricted-incident visibility.
	Groups   []string
	Disabled bool
	// SessionVersion is raised when the password changes or is reset, or the
	// user is disabled: sessions made under an older version end.
	SessionVersion int
	LastLoginAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// UserPatch changes some fields of a user; nil fields stay as they are.
type UserPatch struct {
	Name     *string
	Role     *Role
	Disabled *bool
}

// APIToken lets a script act as its user with limited scopes. Only the
// SHA-256 hash of the secret is kept; Prefix is shown to tell tokens apart.
type APIToken struct {
	ID         int64
	UserID     int64
	UserEmail  string
	Name       string
	Scopes     []Scope
	Hash       string
	Prefix     string
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

// HasScope reports whether the token may act with scope s: a token with
// the admin scope may do everything, and every scope includes reading.
func (t APIToken) HasScope(s Scope) bool {
	for _, have := range t.Scopes {
		if have == s || have == ScopeAdmin || s == ScopeRead {
			return true
		}
	}
	return false
}

// Active reports whether the token can be used at now.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// AuditFilter selects audit entries, newest first. Empty fields do not filter.
type AuditFilter struct {
	Actor      string
	Action     string // exact, or a prefix ending in "." ("user.")
	ObjectType string
	ObjectID   int64
	Since      *time.Time
	// Before pages: entries with a smaller id (the last id of the page before).
	Before int64
	Limit  int
	// Viewer is who reads: entries about an incident it may not see (or
	// about a deleted incident, unless it sees everything) are left out.
	// The zero Viewer sees internal incidents only.
	Viewer Viewer
}

// Audit actions of sign-in, users and tokens.
const (
	AuditLogin          = "auth.login"
	AuditLoginFailed    = "auth.login_failed"
	AuditLogout         = "auth.logout"
	AuditDenied         = "auth.denied"
	AuditUserCreate     = "user.create"
	AuditUserUpdate     = "user.update"
	AuditUserRole       = "user.role"
	AuditPasswordChange = "user.password_change"
	AuditPasswordReset  = "user.password_reset"
	AuditTokenCreate    = "token.create"
	AuditTokenUse       = "token.use"
	AuditTokenRevoke    = "token.revoke"
)

// Object types of users and tokens in the audit log.
const (
	ObjectUser  = "user"
	ObjectToken = "api_token"
)
