package incident

import (
	"errors"
	"time"
)

// TemplateSource says where an RCA template comes from. Later sources
// override earlier ones with the same key: a built-in is replaced by a
// template of the templates directory, and both by a custom one.
type TemplateSource string

// Template sources, from weakest to strongest.
const (
	// TemplateBuiltin templates ship inside the binary.
	TemplateBuiltin TemplateSource = "builtin"
	// TemplateDir templates are read from HINDSIGHT_TEMPLATES_DIR at start.
	TemplateDir TemplateSource = "dir"
	// TemplateCustom templates are managed by admins and kept in the database.
	TemplateCustom TemplateSource = "custom"
)

// ObjectTemplate names RCA templates in changes and audit entries.
const ObjectTemplate = "template"

// ErrTemplateReadOnly is returned when a built-in or directory template is
// to be changed or deleted: only custom templates are managed through the
// API (a custom template with the same key overrides the others).
var ErrTemplateReadOnly = errors.New("template is read-only")

// TemplateReadOnlyError names the built-in or directory template that was
// to be changed or deleted.
type TemplateReadOnlyError struct {
	Key    string
	Source TemplateSource
}

// Error implements error.
func (e *TemplateReadOnlyError) Error() string {
	what := "built in"
	if e.Source == TemplateDir {
		what = "read from the templates directory"
	}
	return "template " + e.Key + " is " + what + " and cannot be changed or deleted here; a custom template with the same key overrides it"
}

// Is makes errors.Is(err, ErrTemplateReadOnly) true.
func (e *TemplateReadOnlyError) Is(target error) bool { return target == ErrTemplateReadOnly }

// Template is the shape an RCA starts from: ordered sections with the help
// text, audience, required flag and block each section of the RCA gets, and
// starting text (Section.Body) that may use incident variables such as
// {{title}}.
type Template struct {
	// ID is the database id of a custom template; 0 for the others.
	ID          int64
	Key         string
	Name        string
	Description string
	Sections    []Section
	Source      TemplateSource
	// Version, CreatedBy and the times are kept for custom templates only.
	Version   int
	CreatedBy string
	UpdatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}
