package app

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// checkSectionSizes refuses a document with a section over the body limit
// as too large (413), before anything else is looked at.
func checkSectionSizes(secs []incident.Section) error {
	for i, s := range secs {
		if utf8.RuneCountInString(s.Body) > incident.MaxBody {
			return &incident.TooLargeError{Field: "sections[" + strconv.Itoa(i) + "].body", Limit: incident.MaxBody}
		}
	}
	return nil
}

// checkRequiredKept refuses a save that drops a required section: its text
// may be emptied, but the section stays, so publishing keeps checking it.
func checkRequiredKept(next []incident.Section, cur incident.RCA) error {
	keep := make(map[string]bool, len(next))
	for _, s := range next {
		keep[s.Key] = true
	}
	v := &incident.ValidationError{}
	for _, s := range cur.Sections {
		if s.Required && !keep[s.Key] {
			v.Add("sections", "the required section "+s.Key+" ("+s.Title+") cannot be removed; empty its text instead")
		}
	}
	return v.Err()
}

// checkTemplateKey refuses a template key that names no template.
func (a *App) checkTemplateKey(ctx context.Context, tx *store.Store, key string) error {
	if key == "" {
		return nil
	}
	if _, err := a.template(ctx, tx, key); err != nil {
		return incident.Invalid("template", "no template has the key "+key+" (see GET /api/v1/templates)")
	}
	return nil
}

// sectionsChanged reports whether the text of the document differs.
func sectionsChanged(a, b []incident.Section) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Title != b[i].Title || a[i].Body != b[i].Body || a[i].Audience != b[i].Audience {
			return true
		}
	}
	return false
}

// dismissStaleApprovals turns approvals of the current review round back
// into requests when the text under review changes, so what is published is
// what was approved.
func dismissStaleApprovals(ctx context.Context, tx *store.Store, cur incident.RCA, next []incident.Section, version int) error {
	if cur.Status != incident.RCAInReview || !sectionsChanged(cur.Sections, next) {
		return nil
	}
	note := "approval dismissed: the text changed after it was approved (version " + strconv.Itoa(version) + ")"
	_, err := tx.DismissApprovals(ctx, cur.ID, cur.ReviewRound, strings.TrimSpace(note))
	return err
}
