package app

import (
	"context"
	"strconv"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// rcaOf reads the incident's RCA outside a transaction.
func (a *App) rcaOf(ctx context.Context, ref string) (incident.RCA, error) {
	inc, err := a.resolve(ctx, a.store, ref)
	if err != nil {
		return incident.RCA{}, err
	}
	r, err := a.store.RCA(ctx, inc.ID)
	if err != nil {
		return incident.RCA{}, notFoundAs(err, "rca", inc.Key)
	}
	return r, nil
}

// RCARevisions lists the revisions of the incident's RCA, newest first, n
// to a page (after is the NextCursor of the previous page). Each says which
// sections it added, removed and changed against the revision before it.
func (a *App) RCARevisions(ctx context.Context, ref string, n int, after *incident.Cursor) (incident.Page[incident.RevisionSummary], error) {
	r, err := a.rcaOf(ctx, ref)
	if err != nil {
		return incident.Page[incident.RevisionSummary]{}, err
	}
	n = limit(n)
	before := 0
	if after != nil {
		before = int(after.ID)
	}
	// One more than the page: the revision before the page's last one,
	// to summarize it against, and the sign of a next page.
	revs, err := a.store.RCARevisionsPage(ctx, r.ID, before, n+1)
	if err != nil {
		return incident.Page[incident.RevisionSummary]{}, err
	}
	total, err := a.store.CountRCARevisions(ctx, r.ID)
	if err != nil {
		return incident.Page[incident.RevisionSummary]{}, err
	}
	p := incident.Page[incident.RevisionSummary]{Items: make([]incident.RevisionSummary, 0, min(n, len(revs))), Total: total}
	for i := 0; i < len(revs) && i < n; i++ {
		var prev []incident.Section
		if i+1 < len(revs) {
			prev = revs[i+1].Sections
		}
		p.Items = append(p.Items, revs[i].Summarize(prev))
	}
	if len(revs) > n {
		p.NextCursor = incident.EncodeCursor(incident.Cursor{ID: int64(revs[n-1].Version)})
	}
	return p, nil
}

// RCARevision returns one revision of the incident's RCA with its sections.
func (a *App) RCARevision(ctx context.Context, ref string, version int) (incident.RCARevision, error) {
	r, err := a.rcaOf(ctx, ref)
	if err != nil {
		return incident.RCARevision{}, err
	}
	return a.store.RCARevision(ctx, r.ID, version)
}

// DiffRCARevisions compares two revisions of the incident's RCA section by
// section, with a unified diff of each changed body.
func (a *App) DiffRCARevisions(ctx context.Context, ref string, from, to int) (incident.RevisionDiff, error) {
	r, err := a.rcaOf(ctx, ref)
	if err != nil {
		return incident.RevisionDiff{}, err
	}
	a1, err := a.store.RCARevision(ctx, r.ID, from)
	if err != nil {
		return incident.RevisionDiff{}, err
	}
	a2, err := a.store.RCARevision(ctx, r.ID, to)
	if err != nil {
		return incident.RevisionDiff{}, err
	}
	fl, tl := "v"+strconv.Itoa(from), "v"+strconv.Itoa(to)
	return incident.RevisionDiff{From: from, To: to, Sections: incident.DiffSections(a1.Sections, a2.Sections, fl, tl)}, nil
}

// RestoreRCARevision saves the sections of an earlier revision as a new
// version of the incident's RCA (nothing is deleted; the revision's reason
// says where it came from). version is the RCA version the client saw
// (required); a published RCA must be amended first.
func (a *App) RestoreRCARevision(ctx context.Context, ref string, revision int, version *int) (incident.RCA, error) {
	if err := requireVersion(version); err != nil {
		return incident.RCA{}, err
	}
	return a.changeRCA(ctx, ref, version, func(tx *store.Store, cur incident.RCA) (rcaStep, error) {
		status, err := incident.CheckEdit(cur.Status, "")
		if err != nil {
			return rcaStep{}, err
		}
		rev, err := tx.RCARevision(ctx, cur.ID, revision)
		if err != nil {
			return rcaStep{}, err
		}
		secs := rev.Sections
		if secs == nil {
			secs = []incident.Section{}
		}
		if err := checkRequiredKept(secs, cur); err != nil {
			return rcaStep{}, err
		}
		if err := dismissStaleApprovals(ctx, tx, cur, secs, cur.Version+1); err != nil {
			return rcaStep{}, err
		}
		return rcaStep{action: "rca.restore", status: status, sections: secs,
			reason: "restored from version " + strconv.Itoa(revision)}, nil
	})
}
