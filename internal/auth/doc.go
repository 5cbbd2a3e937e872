// Package auth is Hindsight's sign-in machinery without HTTP framework or
// database: password hashing (argon2id), API token secrets, login
// throttling, the access rules of roles and token scopes, and the OIDC
// client (go-oidc + x/oauth2 with PKCE). The api package wires it to
// requests; internal/app stores users and tokens.
package auth
