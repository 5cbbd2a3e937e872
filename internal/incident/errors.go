// Package incident is the Hindsight domain: incidents, their timelines, RCAs,
// root causes and corrective actions, with validation and sentinel errors.
// It depends on the standard library only.
package incident

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrNotFound is wrapped by every "no such object" error.
var ErrNotFound = errors.New("not found")

// ErrConflict is wrapped by every optimistic-locking failure.
var ErrConflict = errors.New("version conflict")

// NotFoundError says which kind of object was missing.
type NotFoundError struct {
	Object string // "incident", "timeline_event", "rca", "root_cause", "action"
	Ref    string // the id or key that was looked up
}

// Error implements error.
func (e *NotFoundError) Error() string {
	if e.Ref == "" {
		return e.Object + " not found"
	}
	return fmt.Sprintf("%s %s not found", e.Object, e.Ref)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// NotFound builds a NotFoundError.
func NotFound(object, ref string) error { return &NotFoundError{Object: object, Ref: ref} }

// ConflictError is returned when a write carried a stale version. Current holds
// the object as it is now so the client can merge instead of losing work.
type ConflictError struct {
	Object  string
	Current any
}

// Error implements error.
func (e *ConflictError) Error() string {
	return e.Object + " was changed by someone else (version conflict)"
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ValidationError lists field-level problems. Field names are the JSON names
// ("title", "events[2].occurred_at").
type ValidationError struct {
	Fields map[string]string
}

// Error implements error.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a problem with field; the first problem for a field wins.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Merge adds other's problems with their field names prefixed ("events[3].").
func (e *ValidationError) Merge(prefix string, other *ValidationError) {
	if other == nil {
		return
	}
	for k, v := range other.Fields {
		e.Add(prefix+k, v)
	}
}

// Err returns e when it holds problems and nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid builds a ValidationError for one field.
func Invalid(field, msg string) error {
	v := &ValidationError{}
	v.Add(field, msg)
	return v
}

// CleanText makes text storable in every database: invalid UTF-8 becomes
// U+FFFD and NUL bytes (which PostgreSQL rejects and no reader can see) go.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// SpreadsheetSafe keeps user-typed text written to a CSV from being read as
// a formula by a spreadsheet: a cell starting with =, +, -, @, tab or
// carriage return gets a leading apostrophe (OWASP's CSV injection advice).
func SpreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// TooLargeError says a document or one of its parts is over its size limit.
type TooLargeError struct {
	Field string
	Limit int
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d characters", e.Field, e.Limit)
}
