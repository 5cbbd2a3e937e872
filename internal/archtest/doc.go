// Package archtest holds the test that enforces the one-way import rules of
// ARCHITECTURE.md: cmd -> api -> internal/app -> {store, search, importers,
// templates, auth, markdown} -> internal/incident, and each third-party
// framework confined to its one package.
package archtest
