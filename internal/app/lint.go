package app

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/blameless"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// LintRCA checks the incident's stored RCA and its root-cause records for
// blame-laden phrasing. It only reads: findings are advice and never stop
// a save.
func (a *App) LintRCA(ctx context.Context, ref string) ([]blameless.Finding, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	r, err := a.store.RCA(ctx, inc.ID)
	if err != nil {
		return nil, notFoundAs(err, "rca", inc.Key)
	}
	return a.lint(ctx, inc, r.Sections)
}

// LintRCADraft checks sections the client has not saved yet (the editor's
// current text), and the stored root-cause records, for blame-laden
// phrasing. The incident must exist; its RCA need not. Bodies are checked
// exactly as sent, so offsets match the editor's text; a section without a
// block takes the block of the stored section with the same key, so a
// root-cause section is known as one even when the editor sends only keys,
// titles and bodies.
func (a *App) LintRCADraft(ctx context.Context, ref string, sections []incident.Section) ([]blameless.Finding, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return nil, err
	}
	if err := validateDraft(sections); err != nil {
		return nil, err
	}
	stored, err := a.store.RCA(ctx, inc.ID)
	switch {
	case errors.Is(err, incident.ErrNotFound):
	case err != nil:
		return nil, err
	}
	blocks := make(map[string]incident.Block, len(stored.Sections))
	for _, s := range stored.Sections {
		blocks[s.Key] = s.Block
	}
	draft := make([]incident.Section, len(sections))
	for i, s := range sections {
		if s.Key == "" {
			s.Key = incident.Slug(s.Title)
		}
		if s.Block == incident.BlockNone {
			s.Block = blocks[s.Key]
		}
		draft[i] = s
	}
	return a.lint(ctx, inc, draft)
}

// lint checks sections and then the incident's root-cause records, each as
// a root-cause section keyed "root_causes[<id>]" whose body is the record's
// description, so offsets are relative to the description. The incident's
// people (commander, timeline actors, action owners, reviewers) are passed
// along: naming one of them as a cause is flagged.
func (a *App) lint(ctx context.Context, inc incident.Incident, sections []incident.Section) ([]blameless.Finding, error) {
	people, err := a.store.IncidentPeople(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	causes, err := a.store.RootCauses(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	all := make([]incident.Section, 0, len(sections)+len(causes))
	all = append(all, sections...)
	for _, rc := range causes {
		all = append(all, rootCauseSection(rc))
	}
	return blameless.Check(all, blameless.Options{People: people}), nil
}

// rootCauseSection presents a root-cause record to the check.
func rootCauseSection(rc incident.RootCause) incident.Section {
	id := strconv.FormatInt(rc.ID, 10)
	return incident.Section{Key: "root_causes[" + id + "]", Title: "Root cause " + id,
		Body: rc.Description, Block: incident.BlockRootCauses}
}

// validateDraft bounds what one lint request may ask to check, with the
// limits a save has.
func validateDraft(sections []incident.Section) error {
	v := &incident.ValidationError{}
	if len(sections) > incident.MaxSections {
		v.Add("sections", "must have at most "+strconv.Itoa(incident.MaxSections)+" entries")
	}
	for i, s := range sections {
		p := "sections[" + strconv.Itoa(i) + "]."
		if utf8.RuneCountInString(s.Body) > incident.MaxBody {
			v.Add(p+"body", "must be at most "+strconv.Itoa(incident.MaxBody)+" characters")
		}
		if !s.Block.Valid() {
			v.Add(p+"block", "must be one of timeline, root_causes, corrective_actions (or empty)")
		}
	}
	return v.Err()
}
